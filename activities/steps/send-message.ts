/**
 * `send-message`: posts a message to a Slack incoming webhook or to a generic JSON webhook.
 * (Kargo has it only in its paid platform; here it is an open step.)
 *
 * The webhook URL, a credential for Slack, can come from a generic Secret (`secret: <name>`,
 * key `webhookURL` for Slack or `url` for a webhook) so it never appears in rendered config.
 * A 4xx answer (other than 429) fails the step; other failures are errors that may be retried.
 *
 * Output: `status` — the HTTP status of the answer.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { httpRequest, shownURL } from '../adapters/http-client.js';
import { headerMap, Headers } from '../adapters/http-config.js';
import type { StepContext, StepDefinition } from './step.js';

const Slack = z
  .strictObject({
    webhookURL: z.string().min(1).optional().describe('The incoming webhook URL.'),
    secret: z.string().min(1).optional().describe('Generic Secret whose `webhookURL` key holds the URL.'),
    channel: z.string().min(1).optional().describe('Channel override (legacy webhooks only).'),
    blocks: z.array(z.record(z.string(), z.unknown())).optional().describe('Slack Block Kit blocks.'),
  })
  .superRefine((c, ctx) => {
    if ((c.webhookURL === undefined) === (c.secret === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of webhookURL or secret' });
    }
  });

const Webhook = z
  .strictObject({
    url: z.string().min(1).optional().describe('The URL to POST to.'),
    secret: z.string().min(1).optional().describe('Generic Secret whose `url` key holds the URL.'),
    method: z.enum(['POST', 'PUT']).optional().describe('Default POST.'),
    headers: Headers,
    body: z.unknown().optional().describe('JSON body (default: message plus promotion details).'),
  })
  .superRefine((c, ctx) => {
    if ((c.url === undefined) === (c.secret === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of url or secret' });
    }
  });

export const SendMessageConfig = z
  .strictObject({
    message: z.string().min(1).optional().describe('The message text.'),
    slack: Slack.optional(),
    webhook: Webhook.optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.slack === undefined) === (c.webhook === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of slack or webhook' });
    }
    if (c.slack && c.message === undefined && c.slack.blocks === undefined) {
      ctx.addIssue({ code: 'custom', path: ['message'], message: 'required for slack unless blocks are given' });
    }
  });
export type SendMessageConfig = z.infer<typeof SendMessageConfig>;

async function urlFromSecret(ctx: StepContext, name: string, key: string): Promise<string> {
  const data = await ctx.credentials.secret(name);
  const url = data[key];
  if (!url) throw new DomainError('StepFailed', `secret ${JSON.stringify(name)} has no ${JSON.stringify(key)} key`);
  return url;
}

export const sendMessage: StepDefinition<SendMessageConfig> = {
  kind: 'send-message',
  config: SendMessageConfig,
  async run(ctx, config) {
    let url: string;
    let body: unknown;
    let method = 'POST';
    let headers: Record<string, string> = {};
    if (config.slack) {
      const s = config.slack;
      url = s.webhookURL ?? (await urlFromSecret(ctx, s.secret as string, 'webhookURL'));
      body = {
        ...(config.message !== undefined ? { text: config.message } : {}),
        ...(s.blocks ? { blocks: s.blocks } : {}),
        ...(s.channel ? { channel: s.channel } : {}),
      };
    } else {
      const w = config.webhook as NonNullable<SendMessageConfig['webhook']>;
      url = w.url ?? (await urlFromSecret(ctx, w.secret as string, 'url'));
      method = w.method ?? 'POST';
      headers = headerMap(w.headers);
      body = w.body ?? {
        message: config.message ?? '',
        project: ctx.project,
        stage: ctx.stage,
        promotion: ctx.promotion,
        ...(ctx.targetFreight ? { freight: ctx.targetFreight.name, freightAlias: ctx.targetFreight.alias } : {}),
      };
    }
    const res = await httpRequest({
      url,
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      timeoutMs: 10_000,
      signal: ctx.signal,
    });
    if (res.status < 200 || res.status >= 300) {
      const where = config.slack ? 'Slack' : `webhook ${shownURL(url)}`;
      const detail = res.body.toString('utf8').slice(0, 200).trim();
      const message = `${where} answered with status ${res.status}${detail ? `: ${detail}` : ''}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new DomainError('StepFailed', message);
      throw new Error(message);
    }
    return { status: 'Succeeded', output: { status: res.status } };
  },
};
