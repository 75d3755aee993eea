/**
 * `http`: sends a request and decides the step's outcome from the response (Kargo's rules):
 *
 * - `failureExpression` true ⇒ the step Fails for good (message from `errorExpression` when given);
 * - else `successExpression` true ⇒ Succeeded, with the named `outputs`;
 * - neither expression set ⇒ 2xx Succeeded, anything else an error that is retried;
 * - otherwise Running: the request is sent again after `pollInterval`.
 *
 * Expressions are bare (no `${{ }}`) and see `response.status`, `response.headers`,
 * `response.header(name)` and `response.body` (parsed JSON or YAML, else text).
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { evaluateExpression, evaluateOutputs, ExpressionError, type ExpressionFunction } from '../../core/expressions/index.js';
import { parseDuration } from '../../core/duration.js';
import { httpRequest, shownURL, withQuery, type HttpResponse } from '../adapters/http-client.js';
import { DurationText, headerMap, Headers, QueryParams } from '../adapters/http-config.js';
import { ParseOutput } from '../adapters/document-parse.js';
import { readWorkspaceText } from '../adapters/step-files.js';
import type { StepDefinition } from './step.js';

export const HttpConfig = z
  .strictObject({
    url: z.string().min(1).describe('The URL to call.'),
    method: z.string().regex(/^[A-Za-z]+$/).optional().describe('HTTP method (default GET).'),
    headers: Headers,
    queryParams: QueryParams,
    body: z.string().optional().describe('Request body.'),
    bodyFromFile: z.string().min(1).optional().describe('Read the request body from this workspace file.'),
    timeout: DurationText.optional().describe('Per-request timeout (default 10s).'),
    pollInterval: DurationText.optional().describe('Wait between requests while neither expression holds (default 30s).'),
    successExpression: z.string().min(1).optional().describe('Bare expression; true means success.'),
    failureExpression: z.string().min(1).optional().describe('Bare expression; true means failure, for good.'),
    errorExpression: z.string().min(1).optional().describe('Bare expression giving the failure message.'),
    outputs: z.array(ParseOutput).optional().describe('Outputs computed from the response on success.'),
    responseContentType: z.string().min(1).optional().describe('Parse the body as this type, whatever the server says.'),
    proxy: z.string().min(1).optional().describe('HTTP proxy URL.'),
    insecureSkipTLSVerify: z.boolean().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.body !== undefined && c.bodyFromFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['bodyFromFile'], message: 'set at most one of body, bodyFromFile' });
    }
  });
export type HttpConfig = z.infer<typeof HttpConfig>;

const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

export function parseBody(res: HttpResponse, forcedType?: string): unknown {
  const type = (forcedType ?? res.headers['content-type'] ?? '').toLowerCase();
  const text = res.body.toString('utf8');
  try {
    if (type.includes('json')) return JSON.parse(text) as unknown;
    if (type.includes('yaml')) return parseYaml(text) as unknown;
  } catch {
    return text;
  }
  return text;
}

function responseVariable(res: HttpResponse, forcedType?: string): Record<string, unknown> {
  return { status: res.status, headers: res.headerValues, body: parseBody(res, forcedType) };
}

function evaluate(field: string, expr: string, variables: Record<string, unknown>, functions: Record<string, ExpressionFunction>): unknown {
  try {
    return evaluateExpression(expr, { variables, functions });
  } catch (err) {
    if (err instanceof ExpressionError) throw err.withPath(`config.${field}`);
    throw err;
  }
}

function isTrue(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new DomainError('InvalidExpression', `config.${field}: must evaluate to a boolean, got ${value === null ? 'null' : typeof value}`);
  }
  return value;
}

export const httpStep: StepDefinition<HttpConfig> = {
  kind: 'http',
  config: HttpConfig,
  async run(ctx, config) {
    const body = config.bodyFromFile !== undefined ? await readWorkspaceText(ctx.workspace, config.bodyFromFile) : config.body;
    const res = await httpRequest({
      url: withQuery(config.url, config.queryParams),
      method: (config.method ?? 'GET').toUpperCase(),
      headers: headerMap(config.headers),
      ...(body !== undefined ? { body } : {}),
      timeoutMs: parseDuration(config.timeout ?? '10s'),
      maxBytes: MAX_RESPONSE_BYTES,
      ...(config.insecureSkipTLSVerify ? { insecureSkipTLSVerify: true } : {}),
      ...(config.proxy ? { proxy: config.proxy } : {}),
      signal: ctx.signal,
    });
    const response = responseVariable(res, config.responseContentType);
    const functions: Record<string, ExpressionFunction> = {};
    // `response.header(name)`: the first value of a header, case-insensitive.
    response['header'] = (name: unknown) => res.headerValues[String(name).toLowerCase()]?.[0] ?? '';
    const variables = { response };
    const outputs = (): Record<string, unknown> => evaluateOutputs(config.outputs ?? [], variables, functions);
    const where = `${(config.method ?? 'GET').toUpperCase()} ${shownURL(config.url)}`;

    if (config.failureExpression && isTrue('failureExpression', evaluate('failureExpression', config.failureExpression, variables, functions))) {
      const detail = config.errorExpression ? evaluate('errorExpression', config.errorExpression, variables, functions) : undefined;
      const message = detail !== undefined && detail !== null && detail !== '' ? `: ${String(detail)}` : '';
      throw new DomainError('StepFailed', `${where} met the failure expression (status ${res.status})${message}`);
    }
    if (config.successExpression) {
      if (isTrue('successExpression', evaluate('successExpression', config.successExpression, variables, functions))) {
        return { status: 'Succeeded', output: outputs() };
      }
    } else if (!config.failureExpression) {
      if (res.status >= 200 && res.status < 300) return { status: 'Succeeded', output: outputs() };
      throw new Error(`${where} answered with status ${res.status}`);
    }
    return {
      status: 'Running',
      retryAfter: config.pollInterval ?? '30s',
      message: `${where} answered with status ${res.status}; waiting for the success expression`,
    };
  },
};
