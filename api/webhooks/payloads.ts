/**
 * What each provider's payload says was pushed, as WebhookEvents. Unknown or irrelevant events
 * give no events (the receiver answers 200 and triggers nothing).
 */
import type { WebhookEvent } from '../../core/warehouse/webhook-match.js';
import type { WebhookProvider } from '../../core/manifests/webhook-receiver.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strings = (...vs: unknown[]): string[] => vs.flatMap((v) => (str(v) ? [v as string] : []));

function refParts(ref: string | undefined): { branch?: string; tag?: string } {
  if (ref?.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length) };
  if (ref?.startsWith('refs/tags/')) return { tag: ref.slice('refs/tags/'.length) };
  return {};
}

function changedPaths(commits: unknown): string[] | undefined {
  if (!Array.isArray(commits) || commits.length === 0) return undefined;
  const out = new Set<string>();
  for (const c of commits) for (const k of ['added', 'modified', 'removed']) for (const p of (obj(c)[k] as unknown[] | undefined) ?? []) if (typeof p === 'string') out.add(p);
  return [...out];
}

export interface ParsedWebhook {
  events: WebhookEvent[];
  /** A provider's test event (GitHub ping). */
  ping?: boolean;
}

export function parsePayload(provider: WebhookProvider, headers: (name: string) => string | undefined, body: unknown): ParsedWebhook {
  const b = obj(body);
  switch (provider) {
    case 'github': {
      const event = headers('x-github-event');
      if (event === 'ping') return { events: [], ping: true };
      if (event === 'push') {
        const repo = obj(b['repository']);
        const commits = b['commits'];
        // GitHub lists at most 20 commits per push; with more, paths cannot be trusted.
        const paths = Array.isArray(commits) && commits.length < 20 ? changedPaths(commits) : undefined;
        return {
          events: [{ kind: 'git', repoURLs: strings(repo['clone_url'], repo['html_url'], repo['ssh_url'], repo['git_url']), ...refParts(str(b['ref'])), ...(paths ? { changedPaths: paths } : {}) }],
        };
      }
      if (event === 'package' || event === 'registry_package') {
        const pkg = obj(b['package'] ?? b['registry_package']);
        const version = obj(pkg['package_version']);
        const tag = str(obj(obj(version['container_metadata'])['tag'])['name']);
        const ns = str(pkg['namespace']) ?? str(obj(pkg['owner'])['login']);
        const name = str(pkg['name']);
        const url = str(version['package_url'])?.replace(/[:@][^/]*$/, '');
        const repos = strings(url, ns && name ? `ghcr.io/${ns.toLowerCase()}/${name.toLowerCase()}` : undefined);
        return { events: repos.length ? [{ kind: 'image', repoURLs: repos, ...(tag ? { tag } : {}) }] : [] };
      }
      return { events: [] };
    }
    case 'gitlab': {
      const kind = str(b['object_kind']);
      if (kind !== 'push' && kind !== 'tag_push') return { events: [] };
      const p = obj(b['project']);
      const r = obj(b['repository']);
      const paths = changedPaths(b['commits']);
      return {
        events: [{ kind: 'git', repoURLs: strings(p['git_http_url'], p['git_ssh_url'], p['web_url'], r['git_http_url'], r['homepage']), ...refParts(str(b['ref'])), ...(paths ? { changedPaths: paths } : {}) }],
      };
    }
    case 'dockerhub': {
      const repo = str(obj(b['repository'])['repo_name']);
      const tag = str(obj(b['push_data'])['tag']);
      return { events: repo ? [{ kind: 'image', repoURLs: [repo], ...(tag ? { tag } : {}) }] : [] };
    }
    case 'quay': {
      const repo = str(b['docker_url']) ?? (str(b['repository']) ? `quay.io/${String(b['repository'])}` : undefined);
      const tags = Array.isArray(b['updated_tags']) ? (b['updated_tags'] as unknown[]).filter((t): t is string => typeof t === 'string') : [];
      if (!repo) return { events: [] };
      return { events: tags.length ? tags.map((tag) => ({ kind: 'image' as const, repoURLs: [repo], tag })) : [{ kind: 'image', repoURLs: [repo] }] };
    }
    case 'generic': {
      const urls = strings(b['repoURL'], ...(Array.isArray(b['repoURLs']) ? (b['repoURLs'] as unknown[]) : []));
      return { events: [{ kind: 'any', repoURLs: urls }] };
    }
  }
}
