/**
 * Issue 19: notification subscriptions in a ProjectConfig (`spec.notifications`) are checked at
 * apply; each bad input gets an error naming its field and what is expected.
 */
import { formatIssue, parseManifests } from '../../../core/manifests/index.js';

const projectConfig = (notifications: string): string => `apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata: {name: p, namespace: p}
spec:
  notifications:
${notifications}`;

const issuesOf = (notifications: string): string => parseManifests(projectConfig(notifications), 'pc.yaml').issues.map(formatIssue).join('\n');

describe('notification subscriptions', () => {
  it('accepts Slack, a webhook URL, a webhook Secret with headers, stages and retry', () => {
    expect(
      issuesOf(`  - {name: slack, events: [PromotionFailed, PromotionErrored], slack: {webhookSecretRef: {name: slack}}}
  - {name: sink, events: [PromotionSucceeded], stages: [prod], webhook: {url: "https://example.com/hook"}}
  - name: secret-sink
    events: [FreightApproved, PromotionApprovalNeeded, FreightVerificationFailed]
    webhook: {urlSecretRef: {name: sink, key: endpoint}, headersSecretRef: {name: sink-headers}}
    retry: {maxAttempts: 3, initialInterval: 5s, maxInterval: 1m}
`),
    ).toBe('');
  });

  it.each([
    ['no endpoint', '{name: a, events: [PromotionFailed]}', 'spec.notifications[0]: set exactly one of slack or webhook'],
    ['two endpoints', '{name: a, events: [PromotionFailed], slack: {webhookSecretRef: {name: s}}, webhook: {url: "https://x.example"}}', 'set exactly one of slack or webhook'],
    ['a webhook with neither url nor Secret', '{name: a, events: [PromotionFailed], webhook: {}}', 'spec.notifications[0].webhook: set exactly one of url or urlSecretRef'],
    ['a webhook with both', '{name: a, events: [PromotionFailed], webhook: {url: "https://x.example", urlSecretRef: {name: s}}}', 'set exactly one of url or urlSecretRef'],
    ['a URL with a token in its query', '{name: a, events: [PromotionFailed], webhook: {url: "https://x.example/h?token=t"}}', 'spec.notifications[0].webhook.url: carries credentials (user info or a query): put the URL in a Secret and name it with urlSecretRef'],
    ['a URL with user info', '{name: a, events: [PromotionFailed], webhook: {url: "https://u:p@x.example/h"}}', 'carries credentials'],
    ['a URL that is not http', '{name: a, events: [PromotionFailed], webhook: {url: "ftp://x.example/h"}}', 'scheme ftp: is not supported; use http or https'],
    ['no URL at all', '{name: a, events: [PromotionFailed], webhook: {url: "not a url"}}', 'spec.notifications[0].webhook.url: is not a URL'],
    ['an unknown reason', '{name: a, events: [PromotionExploded], slack: {webhookSecretRef: {name: s}}}', 'spec.notifications[0].events[0]: unknown event reason "PromotionExploded"; expected one of PromotionCreated,'],
    ['no reasons', '{name: a, events: [], slack: {webhookSecretRef: {name: s}}}', 'spec.notifications[0].events: name at least one event reason'],
    ['NotificationFailed', '{name: a, events: [NotificationFailed], slack: {webhookSecretRef: {name: s}}}', 'spec.notifications[0].events[0]: NotificationFailed is not notified (a failing endpoint would notify itself); read it at /events'],
    ['a Secret without a name', '{name: a, events: [PromotionFailed], slack: {webhookSecretRef: {name: ""}}}', 'spec.notifications[0].slack.webhookSecretRef.name: must name a Secret'],
    ['a Slack URL written in the manifest', '{name: a, events: [PromotionFailed], slack: {webhookURL: "https://hooks.slack.com/services/x"}}', 'spec.notifications[0].slack'],
    ['a bad name', '{name: Bad_Name, events: [PromotionFailed], slack: {webhookSecretRef: {name: s}}}', 'spec.notifications[0].name: "Bad_Name" is not a valid name'],
    ['too many attempts', '{name: a, events: [PromotionFailed], slack: {webhookSecretRef: {name: s}}, retry: {maxAttempts: 50}}', 'spec.notifications[0].retry.maxAttempts'],
    ['a bad interval', '{name: a, events: [PromotionFailed], slack: {webhookSecretRef: {name: s}}, retry: {initialInterval: soon}}', '"soon" is not a duration'],
  ])('refuses %s', (_, entry, message) => {
    expect(issuesOf(`  - ${entry}\n`)).toContain(message);
  });

  it('refuses two subscriptions of one name', () => {
    expect(issuesOf(`  - {name: a, events: [PromotionFailed], slack: {webhookSecretRef: {name: s}}}
  - {name: a, events: [PromotionFailed], slack: {webhookSecretRef: {name: s}}}
`)).toContain('spec.notifications[1].name: "a" is used by an earlier subscription');
  });
});
