/**
 * What each provider's payload says was pushed, as WebhookEvents, read as Kargo's receivers
 * (pkg/webhook/external/*.go) read them. An event Kargo refuses is a WebhookRefusal with Kargo's
 * status (400, or 501 for events Kargo does not implement); an event Kargo acknowledges without
 * acting (a GitHub ping, an unmerged pull request) gives no events.
 *
 * Pull-request events (Gitea, Bitbucket, Azure DevOps) name the pull request whose running
 * promotions Kargo would wake (`pullRequest`); Shunt's git-wait-for-pr polls on its own, so they
 * refresh nothing here.
 */
import type { WebhookEvent } from '../../core/warehouse/webhook-match.js';
import type { WebhookProvider, WebhookReceiver } from '../../core/manifests/webhook-receiver.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strings = (...vs: unknown[]): string[] => vs.flatMap((v) => (str(v) ? [v as string] : []));

/** A payload the receiver refuses: answered with `status` and the message, nothing triggered. */
export class WebhookRefusal extends Error {
  constructor(
    readonly status: 400 | 501,
    message: string,
  ) {
    super(message);
  }
}

function refParts(ref: string | undefined): { branch?: string; tag?: string } {
  if (ref?.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length) };
  if (ref?.startsWith('refs/tags/')) return { tag: ref.slice('refs/tags/'.length) };
  return {};
}

/** One git event per pushed ref (refs that are neither a branch nor a tag are left out, as Kargo's MatchesRef does). */
function gitEvents(repoURLs: string[], refs: (string | undefined)[], changedPaths?: string[]): WebhookEvent[] {
  const paths = changedPaths ? { changedPaths } : {};
  const parts = [...new Set(refs.filter((r): r is string => r !== undefined && r !== ''))].map(refParts).filter((p) => p.branch !== undefined || p.tag !== undefined);
  // No ref at all: every subscription to the repository (Kargo refreshes without qualifiers).
  if (refs.every((r) => !r)) return [{ kind: 'git', repoURLs, ...paths }];
  return parts.map((p) => ({ kind: 'git' as const, repoURLs, ...p, ...paths }));
}

function changedPaths(commits: unknown): string[] | undefined {
  if (!Array.isArray(commits) || commits.length === 0) return undefined;
  const out = new Set<string>();
  for (const c of commits) for (const k of ['added', 'modified', 'removed']) for (const p of arr(obj(c)[k])) if (typeof p === 'string') out.add(p);
  return [...out].sort();
}

/** One image event per tag (an image push without a tag: every subscription to the repository). */
function imageEvents(repoURLs: string[], tags: (string | undefined)[]): WebhookEvent[] {
  if (repoURLs.length === 0) return [];
  const distinct = [...new Set(tags.filter((t): t is string => t !== undefined && t !== ''))];
  return distinct.length ? distinct.map((tag) => ({ kind: 'image' as const, repoURLs, tag })) : [{ kind: 'image', repoURLs }];
}

export interface ParsedWebhook {
  events: WebhookEvent[];
  /** A provider's test event (GitHub ping, ACR ping). */
  ping?: boolean;
  /** A merged or closed pull request (Kargo refreshes the promotions waiting on it). */
  pullRequest?: string;
}

type Headers = (name: string) => string | undefined;
type Parser = (b: Json, headers: Headers, receiver: WebhookReceiver) => ParsedWebhook;

const PARSERS: Record<Exclude<WebhookProvider, 'generic'>, Parser> = {
  github(b, headers) {
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
  },

  gitlab(b) {
    const kind = str(b['object_kind']);
    if (kind !== 'push' && kind !== 'tag_push') return { events: [] };
    const p = obj(b['project']);
    const r = obj(b['repository']);
    const paths = changedPaths(b['commits']);
    return {
      events: [{ kind: 'git', repoURLs: strings(p['git_http_url'], p['git_ssh_url'], p['web_url'], r['git_http_url'], r['homepage']), ...refParts(str(b['ref'])), ...(paths ? { changedPaths: paths } : {}) }],
    };
  },

  /** Kargo's gitea.go: `push` (clone_url, ref, changed paths unless truncated) and `pull_request` (closed). */
  gitea(b, headers) {
    const event = headers('x-gitea-event');
    if (event === 'pull_request') {
      if (b['action'] !== 'closed') return { events: [] };
      const url = str(obj(b['pull_request'])['html_url']);
      return { events: [], ...(url ? { pullRequest: url } : {}) };
    }
    if (event !== 'push') throw new WebhookRefusal(501, `event type ${event ?? ''} is not supported`);
    const commits = arr(b['commits']);
    const total = typeof b['total_commits'] === 'number' ? b['total_commits'] : 0;
    // Gitea truncates long pushes' commit lists: then paths cannot be trusted.
    const paths = total > commits.length ? undefined : (changedPaths(commits) ?? []);
    const url = str(obj(b['repository'])['clone_url']);
    return { events: url ? gitEvents([url], [str(b['ref'])], paths && paths.length ? paths : undefined) : [] };
  },

  /**
   * Kargo's bitbucket.go: Cloud `repo:push` (repository.links.html.href, bare branch / tag names
   * in push.changes[].new), Data Center `repo:refs_changed` (every clone link, changes[].ref.id),
   * and pull requests merged or declined (Cloud `pullrequest:fulfilled|rejected`, Data Center
   * `pr:merged|declined`).
   */
  bitbucket(b, headers) {
    const event = headers('x-event-key');
    switch (event) {
      case 'repo:push': {
        const url = str(obj(obj(obj(b['repository'])['links'])['html'])['href']);
        const refs = arr(obj(b['push'])['changes']).flatMap((c) => {
          const next = obj(obj(c)['new']);
          const name = str(next['name']);
          if (!name) return []; // a deleted branch or tag
          return [next['type'] === 'tag' ? `refs/tags/${name}` : `refs/heads/${name}`];
        });
        return { events: url && refs.length ? gitEvents([url], refs) : url ? [{ kind: 'git', repoURLs: [url] }] : [] };
      }
      case 'repo:refs_changed': {
        const urls = arr(obj(obj(b['repository'])['links'])['clone']).flatMap((l) => strings(obj(l)['href']));
        const refs = arr(b['changes']).map((c) => str(obj(obj(c)['ref'])['id']));
        return { events: urls.length ? gitEvents(urls, refs) : [] };
      }
      case 'pullrequest:fulfilled':
      case 'pullrequest:rejected': {
        const url = str(obj(obj(obj(b['pullrequest'])['links'])['html'])['href']);
        return { events: [], ...(url ? { pullRequest: url } : {}) };
      }
      case 'pr:merged':
      case 'pr:declined': {
        const url = str(obj(arr(obj(obj(b['pullRequest'])['links'])['self'])[0])['href']);
        return { events: [], ...(url ? { pullRequest: url } : {}) };
      }
      default:
        throw new WebhookRefusal(400, `event type ${event ?? ''} is not supported`);
    }
  },

  dockerhub(b) {
    const repo = str(obj(b['repository'])['repo_name']);
    const tag = str(obj(b['push_data'])['tag']);
    return { events: repo ? [{ kind: 'image', repoURLs: [repo], ...(tag ? { tag } : {}) }] : [] };
  },

  quay(b) {
    const repo = str(b['docker_url']) ?? (str(b['repository']) ? `quay.io/${String(b['repository'])}` : undefined);
    const tags = arr(b['updated_tags']).filter((t): t is string => typeof t === 'string');
    if (!repo) return { events: [] };
    return { events: imageEvents([repo], tags) };
  },

  /** Kargo's harbor.go: the Default payload format's PUSH_ARTIFACT (the CloudEvents format is not supported). */
  harbor(b) {
    if (b['type'] !== 'PUSH_ARTIFACT') throw new WebhookRefusal(400, 'unsupported event type');
    const resources = arr(obj(b['event_data'])['resources']).map(obj);
    const url = str(resources[0]?.['resource_url']);
    return { events: url ? imageEvents([url], resources.map((r) => str(r['tag']))) : [] };
  },

  /**
   * Kargo's artifactory.go: a `docker` domain `pushed` event of a `docker` or `oci` image; the
   * repository is jpd_origin's host, the repository key (or the receiver's `virtualRepoName`) and
   * data.path without its last two parts (`<tag>/manifest.json`).
   */
  artifactory(b, _headers, receiver) {
    const data = obj(b['data']);
    if (b['event_type'] !== 'pushed' || b['domain'] !== 'docker') throw new WebhookRefusal(501, "event type must be 'pushed' and domain must be 'docker'");
    const imageType = typeof data['image_type'] === 'string' ? data['image_type'] : '';
    if (imageType !== 'docker' && imageType !== 'oci') throw new WebhookRefusal(501, `unsupported image type ${JSON.stringify(imageType)}`);
    const origin = typeof b['jpd_origin'] === 'string' ? b['jpd_origin'] : '';
    let host: string;
    try {
      host = origin === '' ? '' : new URL(origin).host;
    } catch {
      throw new WebhookRefusal(400, `invalid value ${JSON.stringify(origin)} in payload's jpd_origin field`);
    }
    const path = typeof data['path'] === 'string' ? data['path'] : '';
    const sections = path.split('/');
    if (sections.length < 2) throw new WebhookRefusal(400, `invalid value ${JSON.stringify(path)} in payload's data.path field`);
    const repoKey = receiver.virtualRepoName ?? (typeof data['repo_key'] === 'string' ? data['repo_key'] : '');
    const url = [host, repoKey, ...sections.slice(0, -2)].join('/');
    return { events: imageEvents([url], [str(data['tag'])]) };
  },

  /** Kargo's azure.go: told apart by User-Agent, Azure Container Registry or Azure DevOps (Repos). */
  azure(b, headers) {
    const agent = headers('user-agent') ?? '';
    if (agent.startsWith('AzureContainerRegistry')) {
      const action = typeof b['action'] === 'string' ? b['action'] : '';
      if (action === 'ping') return { events: [], ping: true };
      if (action !== 'push') throw new WebhookRefusal(400, `event type ${action} is not supported`);
      const target = obj(b['target']);
      const host = typeof obj(b['request'])['host'] === 'string' ? (obj(b['request'])['host'] as string) : '';
      const repo = typeof target['repository'] === 'string' ? target['repository'] : '';
      return { events: imageEvents([`${host}/${repo}`], [str(target['tag'])]) };
    }
    if (agent.startsWith('VSServices')) {
      const event = typeof b['eventType'] === 'string' ? b['eventType'] : '';
      const resource = obj(b['resource']);
      const prURL = str(obj(obj(resource['_links'])['web'])['href']);
      switch (event) {
        case 'git.push': {
          const url = str(obj(resource['repository'])['remoteUrl']);
          const refs = arr(resource['refUpdates']).map((r) => str(obj(r)['name']));
          return { events: url ? gitEvents([url], refs) : [] };
        }
        case 'git.pullrequest.merged':
          return { events: [], ...(prURL ? { pullRequest: prURL } : {}) };
        case 'git.pullrequest.updated':
          return { events: [], ...(resource['status'] === 'abandoned' && prURL ? { pullRequest: prURL } : {}) };
        default:
          throw new WebhookRefusal(400, `event type ${event} is not supported`);
      }
    }
    throw new WebhookRefusal(400, 'request does not appear to have originated from a supported service');
  },
};

const GITEA_EVENTS = ['push', 'pull_request'];
const BITBUCKET_EVENTS = ['repo:push', 'repo:refs_changed', 'pullrequest:fulfilled', 'pullrequest:rejected', 'pr:merged', 'pr:declined'];

/**
 * The event header check Kargo makes before the signature (Gitea 501, Bitbucket 400): an event
 * the receiver never handles is refused as such, signed or not.
 */
export function unsupportedEvent(provider: WebhookProvider, headers: Headers): WebhookRefusal | undefined {
  if (provider === 'gitea') {
    const event = headers('x-gitea-event') ?? '';
    return GITEA_EVENTS.includes(event) ? undefined : new WebhookRefusal(501, `event type ${event} is not supported`);
  }
  if (provider === 'bitbucket') {
    const event = headers('x-event-key') ?? '';
    return BITBUCKET_EVENTS.includes(event) ? undefined : new WebhookRefusal(400, `event type ${event} is not supported`);
  }
  return undefined;
}

/** Parses a JSON body; a body that is not JSON is refused with 400. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new WebhookRefusal(400, 'the webhook body is not JSON');
  }
}

/** Shunt's generic receiver without actions: `{repoURL}` / `{repoURLs: […]}` (none: everything). */
function genericWithoutActions(b: Json): ParsedWebhook {
  const urls = strings(b['repoURL'], ...arr(b['repoURLs']));
  return { events: [{ kind: 'any', repoURLs: urls }] };
}

export function parsePayload(receiver: WebhookReceiver, headers: Headers, body: unknown): ParsedWebhook {
  const b = obj(body);
  if (receiver.provider === 'generic') return genericWithoutActions(b);
  return PARSERS[receiver.provider](b, headers, receiver);
}
