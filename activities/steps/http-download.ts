/**
 * `http-download`: downloads a URL into a workspace file (at most 100 MiB). An existing file is
 * replaced only with `allowOverwrite`. A 4xx answer (other than 429) fails the step; other
 * failures are errors that may be retried.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import { httpRequest, shownURL, withQuery } from '../adapters/http-client.js';
import { DurationText, headerMap, Headers, QueryParams } from '../adapters/http-config.js';
import { existsInWorkspace, writeWorkspaceBytes } from '../adapters/step-files.js';
import type { StepDefinition } from './step.js';

export const HttpDownloadConfig = z.strictObject({
  url: z.string().min(1).describe('The URL to download.'),
  outPath: z.string().min(1).describe('Where to write it, relative to the workspace.'),
  allowOverwrite: z.boolean().optional().describe('Replace an existing file (default false).'),
  headers: Headers,
  queryParams: QueryParams,
  timeout: DurationText.optional().describe('Timeout of the download (default 5m).'),
  insecureSkipTLSVerify: z.boolean().optional(),
});
export type HttpDownloadConfig = z.infer<typeof HttpDownloadConfig>;

export const MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024;

export const httpDownload: StepDefinition<HttpDownloadConfig> = {
  kind: 'http-download',
  config: HttpDownloadConfig,
  async run(ctx, config) {
    ctx.workspace.resolveForWrite(config.outPath);
    if (!config.allowOverwrite && (await existsInWorkspace(ctx.workspace, config.outPath))) {
      throw new DomainError('StepFailed', `file ${JSON.stringify(config.outPath)} already exists; set allowOverwrite: true to replace it`);
    }
    const res = await httpRequest({
      url: withQuery(config.url, config.queryParams),
      headers: headerMap(config.headers),
      timeoutMs: parseDuration(config.timeout ?? '5m'),
      maxBytes: MAX_DOWNLOAD_BYTES,
      ...(config.insecureSkipTLSVerify ? { insecureSkipTLSVerify: true } : {}),
      signal: ctx.signal,
    });
    if (res.status < 200 || res.status >= 300) {
      const message = `download of ${shownURL(config.url)} answered with status ${res.status}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new DomainError('StepFailed', message);
      throw new Error(message);
    }
    await writeWorkspaceBytes(ctx.workspace, config.outPath, res.body);
    return { status: 'Succeeded' };
  },
};
