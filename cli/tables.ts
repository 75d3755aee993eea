import type { KargoObject } from './client.js';
import { formatAge, formatTable, NONE, orNone, shortId } from './format.js';
import type { GetKind } from './kinds.js';
import { isRecord } from '../core/record.js';

/**
 * The default (`-o table`) view of each kind. Pure: objects in, text out. Fields are read
 * defensively: the objects come from the api as plain JSON.
 */
export function renderTable(kind: GetKind, items: readonly KargoObject[], now: Date): string {
  const table = TABLES[kind];
  return formatTable(table.headers, items.map((item) => table.row(item, now)));
}

interface TableSpec {
  headers: string[];
  row(item: KargoObject, now: Date): string[];
}

const TABLES: Record<GetKind, TableSpec> = {
  projects: {
    headers: ['NAME', 'WAREHOUSES', 'STAGES', 'FREIGHT'],
    row: (p) => [
      p.metadata.name,
      num(at(p, 'status', 'stats', 'warehouses', 'count')),
      num(at(p, 'status', 'stats', 'stages', 'count')),
      num(at(p, 'status', 'stats', 'freight', 'count')),
    ],
  },
  warehouses: {
    headers: ['NAME', 'SUBSCRIPTIONS', 'LAST-FREIGHT'],
    row: (w) => {
      const subscriptions = at(w, 'spec', 'subscriptions');
      return [
        w.metadata.name,
        Array.isArray(subscriptions) ? String(subscriptions.length) : '0',
        orNone(str(at(w, 'status', 'lastFreightID'))),
      ];
    },
  },
  stages: {
    headers: ['NAME', 'CURRENT-FREIGHT', 'LAST-PROMOTION', 'PHASE', 'VERIFICATION', 'MESSAGE'],
    row: (s) => {
      const current = str(at(s, 'status', 'currentPromotion', 'name'));
      const last = str(at(s, 'status', 'lastPromotion', 'name'));
      const summary = str(at(s, 'status', 'freightSummary'));
      // The api's Verified condition (core/project/verification-status.ts): its reason and why.
      const conditions = at(s, 'status', 'conditions');
      const verified = Array.isArray(conditions) ? conditions.find((c) => isRecord(c) && c['type'] === 'Verified') : undefined;
      return [
        s.metadata.name,
        summary === undefined || summary.startsWith('0/') ? NONE : summary,
        orNone(current ?? last),
        current !== undefined ? 'Running' : orNone(str(at(s, 'status', 'lastPromotion', 'status', 'phase'))),
        orNone(str(at(verified, 'reason'))),
        orNone(str(at(verified, 'message'))?.split('\n')[0]),
      ];
    },
  },
  freight: {
    headers: ['NAME', 'ALIAS', 'ORIGIN', 'CURRENTLY-IN', 'AGE'],
    row: (f, now) => {
      const currentlyIn = at(f, 'status', 'currentlyIn');
      const stages = isRecord(currentlyIn) ? Object.keys(currentlyIn).sort() : [];
      return [
        f.metadata.name,
        orNone(str(at(f, 'alias'))),
        orNone(str(at(f, 'origin', 'name'))),
        stages.length === 0 ? NONE : stages.join(','),
        formatAge(f.metadata.creationTimestamp, now),
      ];
    },
  },
  promotions: {
    headers: ['NAME', 'STAGE', 'FREIGHT', 'PHASE', 'AGE'],
    row: (p, now) => {
      const freight = str(at(p, 'spec', 'freight'));
      return [
        p.metadata.name,
        orNone(str(at(p, 'spec', 'stage'))),
        freight === undefined ? NONE : shortId(freight),
        at(p, 'status', 'waitingForApproval') === undefined
          ? orNone(str(at(p, 'status', 'phase')))
          : `${orNone(str(at(p, 'status', 'phase')))} (waiting for approval)`,
        formatAge(p.metadata.creationTimestamp, now),
      ];
    },
  },
  audit: {
    headers: ['AGE', 'ACTOR', 'ACTION', 'TARGET', 'OUTCOME', 'MESSAGE'],
    row: (e, now) => auditRow(e, now),
  },
  events: {
    // As `kubectl get events`.
    headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    row: (e, now) => [
      formatAge(str(at(e, 'lastTimestamp')) ?? e.metadata.creationTimestamp, now),
      orNone(str(at(e, 'type'))),
      orNone(str(at(e, 'reason'))),
      `${(str(at(e, 'involvedObject', 'kind')) ?? NONE).toLowerCase()}/${str(at(e, 'involvedObject', 'name')) ?? NONE}`,
      orNone(str(at(e, 'message'))?.split('\n')[0]),
    ],
  },
};

/** One audit entry: who did what to which target, and how it ended. */
function auditRow(e: KargoObject, now: Date): string[] {
  const target = at(e, 'target');
  const parts = isRecord(target)
    ? ['stage', 'freight', 'promotion', 'warehouse'].flatMap((k) => (typeof target[k] === 'string' ? [`${k}=${String(target[k])}`] : []))
    : [];
  return [
    formatAge(e.metadata.creationTimestamp, now),
    orNone(str(at(e, 'actor'))),
    orNone(str(at(e, 'action'))),
    parts.length === 0 ? NONE : parts.join(' '),
    `${str(at(e, 'outcome')) ?? NONE} (${num(at(e, 'status'))})`,
    orNone(str(at(e, 'message'))?.split('\n')[0]),
  ];
}

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): string {
  return typeof value === 'number' ? String(value) : NONE;
}
