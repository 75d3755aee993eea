/**
 * Kubernetes label selectors (`matchLabels` + `matchExpressions`), with the API machinery's rules
 * (k8s.io/apimachinery labels.NewRequirement): In and NotIn need at least one value, Exists and
 * DoesNotExist take none, keys are qualified names and values label values. Requirements are
 * ANDed; `In` needs the label with one of the values, `NotIn` is also true without the label.
 *
 * Used where Kargo takes a label selector: ProjectConfig `stageSelector` (matched here) and
 * argocd-update / argocd-wait `selector` (rendered for the API server, which matches it).
 */

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  key: string;
  operator: string;
  values?: readonly string[] | undefined;
}

export interface LabelSelector {
  matchLabels?: Readonly<Record<string, string>> | undefined;
  matchExpressions?: readonly SelectorRequirement[] | undefined;
}

export interface SelectorIssue {
  /** Relative to the selector, e.g. `['matchExpressions', 0, 'values']`. */
  path: (string | number)[];
  message: string;
}

const OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** The longest label value, and the longest name part of a label key. */
export const MAX_LABEL_NAME_LENGTH = 63;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a qualified name (`[prefix/]name`: label and annotation keys), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix === '' || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `invalid label key ${JSON.stringify(key)}: the prefix must be a DNS subdomain (lower case, at most 253 characters)`;
  }
  if (!isLabelName(name)) {
    return `invalid label key ${JSON.stringify(key)}: a name of at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Whether `name` is a non-empty label value (the name part of a key is one too). */
export function isLabelName(name: string): boolean {
  return name.length <= MAX_LABEL_NAME_LENGTH && NAME.test(name);
}

/** Why `value` is not a label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '' || isLabelName(value)) return undefined;
  return `invalid label value ${JSON.stringify(value)}: at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
}

/** Everything the API server would refuse in `selector` (an empty list when it is valid). */
export function labelSelectorIssues(selector: LabelSelector): SelectorIssue[] {
  const issues: SelectorIssue[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem !== undefined) issues.push({ path: ['matchLabels', key], message: problem });
  }
  (selector.matchExpressions ?? []).forEach((e, i) => {
    const at = ['matchExpressions', i];
    const kp = labelKeyProblem(e.key);
    if (kp !== undefined) issues.push({ path: [...at, 'key'], message: kp });
    const values = e.values ?? [];
    if (!OPERATORS.includes(e.operator)) {
      issues.push({ path: [...at, 'operator'], message: `${JSON.stringify(e.operator)} is not a valid operator: expected In, NotIn, Exists or DoesNotExist` });
    } else if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
      issues.push({ path: [...at, 'values'], message: `for operator ${e.operator}, values must not be empty` });
    } else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) {
      issues.push({ path: [...at, 'values'], message: `for operator ${e.operator}, values must be empty` });
    }
    values.forEach((v, j) => {
      const vp = labelValueProblem(v);
      if (vp !== undefined) issues.push({ path: [...at, 'values', j], message: vp });
    });
  });
  return issues;
}

/** Whether labels satisfy every requirement of the (valid) selector; an empty selector selects everything. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(l, k);
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (!has(k) || l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const values = e.values ?? [];
    const ok =
      e.operator === 'In' ? has(e.key) && values.includes(l[e.key]!)
      : e.operator === 'NotIn' ? !has(e.key) || !values.includes(l[e.key]!)
      : e.operator === 'Exists' ? has(e.key)
      : e.operator === 'DoesNotExist' ? !has(e.key)
      : false;
    if (!ok) return false;
  }
  return true;
}

/**
 * The selector in the API's string syntax (`team=web,tier in (a,b),!legacy`), requirements
 * sorted by key and values sorted, as labels.Selector's String() writes them.
 * @throws Error naming the first issue, for a selector labelSelectorIssues refuses.
 */
export function renderLabelSelector(selector: LabelSelector): string {
  const issue = labelSelectorIssues(selector)[0];
  if (issue !== undefined) throw new Error(`invalid label selector: ${issue.path.join('.')}: ${issue.message}`);
  const terms: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) terms.push({ key: k, text: `${k}=${v}` });
  for (const e of selector.matchExpressions ?? []) {
    const values = [...new Set(e.values ?? [])].sort();
    const text =
      e.operator === 'In' ? `${e.key} in (${values.join(',')})`
      : e.operator === 'NotIn' ? `${e.key} notin (${values.join(',')})`
      : e.operator === 'Exists' ? e.key
      : `!${e.key}`;
    terms.push({ key: e.key, text });
  }
  // A stable sort by key keeps the given order within one key.
  return terms
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((t) => t.text)
    .join(',');
}
