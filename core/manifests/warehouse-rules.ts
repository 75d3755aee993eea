/**
 * The rules across a Warehouse spec's subscriptions (warehouse.ts is the schema): a plain
 * function, which core/pipeline and the project workflow apply without it.
 */
import type { LocalIssue } from './issues.js';

/** A subscription as the rules read it: its name, and which of image, git or chart it sets. */
export interface SubscriptionFields {
  name?: string | undefined;
}

/** Rules across a Warehouse spec's subscriptions; paths relative to `spec`. */
export function warehouseSpecIssues(spec: { subscriptions: readonly SubscriptionFields[] }): LocalIssue[] {
  const issues: LocalIssue[] = [];
  const names = new Map<string, number>();
  spec.subscriptions.forEach((sub, i) => {
    // Any other key is a generic subscription's type (refused by RepoSubscription, as by Kargo).
    const kinds = Object.keys(sub).filter((k) => k !== 'name' && (sub as Record<string, unknown>)[k] !== undefined);
    if (kinds.length !== 1) {
      issues.push({
        path: ['subscriptions', i],
        message: `expected exactly one of image, git or chart${kinds.length > 1 ? `, got ${kinds.join(' and ')}` : ''}`,
      });
    }
    if (sub.name !== undefined) {
      const first = names.get(sub.name);
      if (first !== undefined) {
        issues.push({
          path: ['subscriptions', i, 'name'],
          message: `subscription name ${JSON.stringify(sub.name)} is already used by subscriptions[${first}]`,
        });
      } else names.set(sub.name, i);
    }
  });
  return issues;
}
