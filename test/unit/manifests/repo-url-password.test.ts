/**
 * Issue 13: a password or token in a repoURL's userinfo would be shown to every viewer of the
 * spec, reach workflow history and the worker's mirror config. Apply refuses it, naming the field.
 */
import { stringify } from 'yaml';
import { formatIssue, parseManifests } from '../../../core/manifests/index.js';
import { urlHasPassword } from '../../../core/freight/url-userinfo.js';

type Raw = Record<string, any>;
const API = 'kargo.akuity.io/v1alpha1';
const SECRET_URL = 'https://deploy:s3cr3t-token@git.example.com/org/repo.git';
const MESSAGE =
  'must not carry a password or token in its userinfo (user:password@host); put the credential in a credential Secret instead';

function issues(doc: Raw): string[] {
  return parseManifests(stringify(doc), 'pipeline.yaml').issues.map(formatIssue);
}

const warehouse = (sub: Raw): Raw => ({
  apiVersion: API,
  kind: 'Warehouse',
  metadata: { name: 'app', namespace: 'demo' },
  spec: { subscriptions: [sub] },
});

const stage = (steps: Raw[], vars?: Raw[]): Raw => ({
  apiVersion: API,
  kind: 'Stage',
  metadata: { name: 'dev', namespace: 'demo' },
  spec: {
    requestedFreight: [{ origin: { kind: 'Warehouse', name: 'app' }, sources: { direct: true } }],
    promotionTemplate: { spec: { ...(vars ? { vars } : {}), steps } },
  },
});

describe('a repoURL with a password is refused at apply', () => {
  it.each([
    ['git subscription', warehouse({ git: { repoURL: SECRET_URL } }), 'spec.subscriptions[0].git.repoURL'],
    ['chart subscription', warehouse({ chart: { repoURL: 'https://u:p@charts.example.com', name: 'c' } }), 'spec.subscriptions[0].chart.repoURL'],
    ['oci chart subscription', warehouse({ chart: { repoURL: 'oci://u:p@ghcr.io/org/chart' } }), 'spec.subscriptions[0].chart.repoURL'],
    ['git-clone config', stage([{ uses: 'git-clone', config: { repoURL: SECRET_URL, checkout: [{ path: 'src' }] } }]), 'spec.promotionTemplate.spec.steps[0].config.repoURL'],
    [
      'argocd-update sources',
      stage([{ uses: 'argocd-update', config: { apps: [{ name: 'a', sources: [{ repoURL: SECRET_URL }] }] } }]),
      'spec.promotionTemplate.spec.steps[0].config.apps[0].sources[0].repoURL',
    ],
    ['a promotion template var', stage([{ uses: 'git-clone', config: { repoURL: '${{ vars.repo }}' } }], [{ name: 'repo', value: SECRET_URL }]), 'spec.promotionTemplate.spec.vars[0].value'],
  ])('%s', (_what, doc, field) => {
    const found = issues(doc);
    expect(found.some((i) => i.includes(`${field}: ${MESSAGE}`))).toBe(true);
    expect(found.join('\n')).not.toContain('s3cr3t-token');
  });

  it('a refused task step names its field too', () => {
    const doc = {
      apiVersion: API,
      kind: 'PromotionTask',
      metadata: { name: 't', namespace: 'demo' },
      spec: { steps: [{ uses: 'git-clone', config: { repoURL: SECRET_URL } }] },
    };
    expect(issues(doc).some((i) => i.includes(`spec.steps[0].config.repoURL: ${MESSAGE}`))).toBe(true);
  });

  it('a user name alone, scp-like and plain URLs are fine', () => {
    for (const url of ['https://git@github.com/o/r.git', 'git@github.com:o/r.git', 'ssh://git@host/o/r', 'https://github.com/o/r', 'file:///tmp/x.git']) {
      expect(urlHasPassword(url)).toBe(false);
      expect(issues(warehouse({ git: { repoURL: url } }))).toEqual([]);
    }
    expect(urlHasPassword('https://user:@host/x')).toBe(true);
    expect(urlHasPassword('oci://a:b@reg/x')).toBe(true);
  });
});
