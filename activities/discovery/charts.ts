/**
 * Chart discovery: a classic repository's `index.yaml` (the versions listed under the chart's
 * name) or an OCI repository (its tags are the versions; Helm writes `+` as `_` in tags).
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ChartSubscription } from '../../core/model.js';
import { orderChartVersions } from '../../core/warehouse/chart-selection.js';
import type { RepoCredentials } from '../adapters/credentials.js';
import { egressFetch, egressRefusal } from '../adapters/egress/egress-connect.js';
import { parseResponse } from '../../core/external-response.js';
import { OciClient } from '../adapters/oci/client.js';
import { OciError } from '../adapters/oci/errors.js';
import { BadSubscription } from './errors.js';

/** A classic chart repository's `index.yaml`: each chart's entries, read only for the chart asked for. */
const ChartIndex = z.object({ entries: z.record(z.string(), z.unknown()) });
const ChartEntries = z.array(z.looseObject({ version: z.string() }));

export interface ChartDiscoveryDeps {
  credentials: RepoCredentials | undefined;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function discoverCharts(sub: ChartSubscription, deps: ChartDiscoveryDeps): Promise<string[]> {
  const versions = sub.repoURL.startsWith('oci://') ? await ociVersions(sub, deps) : await indexVersions(sub, deps);
  try {
    return orderChartVersions(sub, versions);
  } catch (e) {
    throw new BadSubscription((e as Error).message);
  }
}

async function ociVersions(sub: ChartSubscription, deps: ChartDiscoveryDeps): Promise<string[]> {
  let client: OciClient;
  try {
    client = new OciClient(sub.repoURL, { credentials: deps.credentials, ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}), signal: deps.signal });
  } catch (e) {
    throw new BadSubscription((e as Error).message);
  }
  return (await client.listTags()).map((t) => t.replace(/_/g, '+'));
}

async function indexVersions(sub: ChartSubscription, deps: ChartDiscoveryDeps): Promise<string[]> {
  let url: URL;
  try {
    url = new URL('index.yaml', sub.repoURL.endsWith('/') ? sub.repoURL : `${sub.repoURL}/`);
  } catch {
    throw new BadSubscription(`repoURL ${JSON.stringify(sub.repoURL)} is not an http(s) or oci:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadSubscription(`repoURL ${JSON.stringify(sub.repoURL)} is not an http(s) or oci:// URL`);
  }
  const headers: Record<string, string> = {};
  if (deps.credentials?.username !== undefined || deps.credentials?.password !== undefined) {
    headers['authorization'] = `Basic ${Buffer.from(`${deps.credentials.username ?? ''}:${deps.credentials.password ?? ''}`).toString('base64')}`;
  }
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await egressFetch(url, { headers, signal: deps.signal ? AbortSignal.any([timeout, deps.signal]) : timeout });
  } catch (err) {
    if (egressRefusal(err)) throw err;
    if (timeout.aborted) throw new OciError('Unavailable', `chart repository ${url.host} did not answer within ${timeoutMs / 1000}s`);
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new OciError('Unavailable', `cannot reach chart repository ${url.host}: ${cause?.code === 'ECONNREFUSED' ? 'connection refused' : (cause?.code ?? (err as Error).message)}`);
  }
  if (res.status === 401 || res.status === 403) {
    throw new OciError('Unauthorized', `chart repository ${url.host} denied access (${res.status}): ${deps.credentials ? 'the configured credentials were rejected' : 'no credentials are configured for it'}`, res.status);
  }
  if (!res.ok) {
    const kind = res.status >= 500 || res.status === 429 ? 'Unavailable' : res.status === 404 ? 'NotFound' : 'BadResponse';
    throw new OciError(kind, `chart repository ${url.host} answered ${res.status} for ${url.pathname}`, res.status);
  }
  let index: unknown;
  try {
    index = parseYaml(await res.text());
  } catch {
    throw new OciError('BadResponse', `chart repository ${url.host}: ${url.pathname} is not YAML`);
  }
  const where = `chart repository ${url.host}: ${url.pathname}`;
  const badResponse = (message: string): OciError => new OciError('BadResponse', message);
  const { entries } = parseResponse(ChartIndex, index, where, badResponse);
  const list = entries[sub.name ?? ''];
  if (list === undefined || list === null) throw new BadSubscription(`chart ${JSON.stringify(sub.name)} is not in ${url.toString()}`);
  return parseResponse(ChartEntries, list, `${where}, chart ${JSON.stringify(sub.name)}`, badResponse).map((e) => e.version);
}
