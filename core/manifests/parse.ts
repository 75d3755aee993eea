/**
 * Multi-document YAML → typed manifests, with every problem reported in plain words and
 * located by file, document number (1-based, counting every `---` document) and field path.
 *
 * Accepted: the kinds in {@link MANIFEST_KINDS}, each with `apiVersion: kargo.akuity.io/v1alpha1`,
 * and kubectl-style `kind: List` documents whose `items` are such manifests. Empty documents
 * are skipped. A document with any issue is left out of `manifests`.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import type { Manifest, ManifestKind } from '../model.js';
import { asRecord, describeType, plainErrors, toPathIssues } from './common.js';
import { formatPath } from './issues.js';
import { AnalysisTemplate, ClusterAnalysisTemplate } from './analysis-template.js';
import { ClusterConfig, clusterConfigHints } from './cluster-config.js';
import { credentialSecretIssues } from './credential-secret.js';
import { FreightManifest, freightHints } from './freight.js';
import { ProjectConfig, projectConfigHints } from './project-config.js';
import { Project, projectHints } from './project.js';
import { ClusterPromotionTask, PromotionTask } from './promotion-task.js';
import { Stage, stageHints } from './stage.js';
import { stageStepHints, taskStepHints } from './steps.js';
import { Warehouse, warehouseHints } from './warehouse.js';
import { yamlNestingProblem } from './yaml-limits.js';

export interface ManifestIssue {
  file: string;
  /** 1-based position of the YAML document in the file. */
  document: number;
  kind?: string;
  name?: string;
  /** Dotted field path, e.g. `spec.requestedFreight[0].origin.name`; empty for the whole document. */
  path: string;
  message: string;
}

export interface ParsedManifests {
  manifests: Manifest[];
  issues: ManifestIssue[];
  /** Advice that does not stop the apply (old spellings, ignored fields), one line each. */
  hints: string[];
}

/** The kinds Shunt reads, in the order error messages list them. */
export const MANIFEST_KINDS: readonly ManifestKind[] = [
  'Project',
  'ProjectConfig',
  'Warehouse',
  'Stage',
  'PromotionTask',
  'ClusterPromotionTask',
  'ClusterConfig',
  'Freight',
  'AnalysisTemplate',
  'ClusterAnalysisTemplate',
];

const SCHEMAS: Record<ManifestKind, z.ZodType<Manifest>> = {
  Project,
  ProjectConfig,
  Warehouse,
  Stage,
  PromotionTask,
  ClusterPromotionTask,
  ClusterConfig,
  Freight: FreightManifest,
  AnalysisTemplate,
  ClusterAnalysisTemplate,
};

const HINTS: Partial<Record<ManifestKind, (raw: unknown, parsed: Manifest | undefined) => string[]>> = {
  Project: projectHints,
  ProjectConfig: projectConfigHints,
  Warehouse: warehouseHints,
  Stage: (raw) => [...stageHints(raw), ...stageStepHints(raw)],
  PromotionTask: taskStepHints,
  ClusterPromotionTask: taskStepHints,
  ClusterConfig: clusterConfigHints,
  Freight: (raw, parsed) => freightHints(raw, parsed?.kind === 'Freight' ? parsed : undefined),
};

/** Kinds people put next to Kargo manifests that Shunt does not take (yet), with why. */
const UNSUPPORTED_KINDS: Record<string, string> = {
  Promotion: 'Promotion is not applied from manifests: promote freight into a stage instead',
};

/** `pipeline.yaml: document 2 (Stage prod): spec.requestedFreight[0].sources: <message>` */
export function formatIssue(i: ManifestIssue): string {
  const what = i.kind !== undefined ? ` (${i.kind}${i.name !== undefined ? ` ${i.name}` : ''})` : '';
  return `${i.file}: document ${i.document}${what}: ${i.path !== '' ? `${i.path}: ` : ''}${i.message}`;
}

interface Sink {
  file: string;
  document: number;
  out: ParsedManifests;
}

/**
 * The Kubernetes API server prunes `null` from the fields of a CRD's schema before it validates
 * (so `spec:` with nothing under it means no spec): null is absent here too. Inside fields the
 * CRDs keep as free-form JSON, null is data and stays: a promotion step's `config`. Null list
 * items stay as well (the API server refuses them, and so do the schemas).
 */
export function dropNulls(value: unknown, path: readonly (string | number)[] = []): unknown {
  const n = path.length;
  if (n >= 3 && path[n - 1] === 'config' && typeof path[n - 2] === 'number' && path[n - 3] === 'steps') return value;
  if (Array.isArray(value)) return value.map((item, i) => (item === null ? item : dropNulls(item, [...path, i])));
  const obj = asRecord(value);
  if (obj === undefined) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    // defineProperty: a `__proto__` key stays an ordinary key.
    if (v !== null) Object.defineProperty(out, key, { value: dropNulls(v, [...path, key]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function checkDocument(raw: unknown, prefix: readonly (string | number)[], sink: Sink, allowList: boolean): void {
  const base = { file: sink.file, document: sink.document };
  const issue = (path: readonly (string | number)[], message: string, kind?: string, name?: string): void => {
    sink.out.issues.push({
      ...base,
      ...(kind !== undefined ? { kind } : {}),
      ...(name !== undefined ? { name } : {}),
      path: formatPath([...prefix, ...path]),
      message,
    });
  };
  const doc = asRecord(dropNulls(raw));
  if (doc === undefined) {
    issue([], `expected a mapping with apiVersion, kind and metadata, got ${describeType(raw)}`);
    return;
  }
  const kind = doc['kind'];
  if (kind === undefined) return issue(['kind'], 'required');
  if (typeof kind !== 'string') return issue(['kind'], `expected string, got ${describeType(kind)}`);
  const metaName = asRecord(doc['metadata'])?.['name'];
  const name = typeof metaName === 'string' ? metaName : undefined;

  if (kind === 'List') {
    if (!allowList) return issue(['kind'], 'a List cannot contain another List', kind);
    const items = doc['items'];
    if (items === undefined) return issue(['items'], 'required', kind);
    if (!Array.isArray(items)) return issue(['items'], `expected array, got ${describeType(items)}`, kind);
    items.forEach((item, i) => checkDocument(item, [...prefix, 'items', i], sink, false));
    return;
  }
  if (kind === 'Secret') {
    const problems = credentialSecretIssues(doc);
    for (const p of problems) issue(p.path, p.message, kind, name);
    if (problems.length === 0) {
      const line = `${sink.file}: document ${sink.document} (Secret${name !== undefined ? ` ${name}` : ''}): checked, not applied: workers read Secrets from SHUNT_CREDENTIALS or the cluster`;
      if (!sink.out.hints.includes(line)) sink.out.hints.push(line);
    }
    return;
  }
  const unsupported = UNSUPPORTED_KINDS[kind];
  if (unsupported !== undefined) return issue(['kind'], unsupported, kind, name);
  if (!(MANIFEST_KINDS as readonly string[]).includes(kind)) {
    return issue(['kind'], `unknown kind ${kind}; expected one of ${MANIFEST_KINDS.join(', ')}`, kind, name);
  }
  const k = kind as ManifestKind;
  const result = SCHEMAS[k].safeParse(doc, { error: plainErrors });
  if (result.success) sink.out.manifests.push(result.data);
  else {
    for (const p of toPathIssues(result.error.issues, prefix)) {
      sink.out.issues.push({ ...base, kind: k, ...(name !== undefined ? { name } : {}), path: p.path, message: p.message });
    }
  }
  const label = `${sink.file}: document ${sink.document} (${k}${name !== undefined ? ` ${name}` : ''})`;
  for (const hint of HINTS[k]?.(doc, result.success ? result.data : undefined) ?? []) {
    const line = `${label}: ${hint}`;
    if (!sink.out.hints.includes(line)) sink.out.hints.push(line);
  }
}

/** Parses every YAML document in `text`; `file` only labels the issues and hints. */
export function parseManifests(text: string, file: string): ParsedManifests {
  const out: ParsedManifests = { manifests: [], issues: [], hints: [] };
  // Before parsing: a deeply nested text costs far more memory to parse than its size says.
  const tooDeep = yamlNestingProblem(text);
  if (tooDeep !== undefined) {
    out.issues.push({ file, document: tooDeep.document, path: '', message: tooDeep.message });
    return out;
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, index) => {
    const document = index + 1;
    const err = doc.errors[0];
    if (err !== undefined) {
      // Only the first: later errors in a broken document are mostly its echoes.
      const { line, col } = lineCounter.linePos(err.pos[0]);
      const message = err.message.split('\n')[0] ?? err.message;
      out.issues.push({ file, document, path: '', message: `YAML syntax error at line ${line}, column ${col}: ${message}` });
      return;
    }
    if (doc.contents === null) return;
    let raw: unknown;
    try {
      raw = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      out.issues.push({ file, document, path: '', message: `YAML error: ${(e as Error).message}` });
      return;
    }
    if (raw === null || raw === undefined) return;
    checkDocument(raw, [], { file, document, out }, true);
  });
  return out;
}
