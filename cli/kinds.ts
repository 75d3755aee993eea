import { CliError } from './errors.js';
import type { ProjectResourceKind } from './client.js';

/** What `shunt get` lists: projects, or one kind of a project's resources. */
export type GetKind = 'projects' | ProjectResourceKind;

const GET_KIND_ALIASES: Record<string, GetKind> = {
  projects: 'projects',
  project: 'projects',
  warehouses: 'warehouses',
  warehouse: 'warehouses',
  stages: 'stages',
  stage: 'stages',
  freight: 'freight',
  freights: 'freight',
  promotions: 'promotions',
  promotion: 'promotions',
  events: 'events',
  event: 'events',
  audit: 'audit',
};

export const GET_KINDS: readonly GetKind[] = ['projects', 'warehouses', 'stages', 'freight', 'promotions', 'events', 'audit'];

/** Accepts plural and singular spellings, any case. */
export function parseGetKind(text: string): GetKind {
  const kind = GET_KIND_ALIASES[text.toLowerCase()];
  if (kind === undefined) {
    throw new CliError(`unknown resource kind "${text}" (expected one of: ${GET_KINDS.join(', ')})`);
  }
  return kind;
}

/** What `shunt delete` removes. */
export type DeleteKind = 'project' | 'stage' | 'warehouse' | 'freight';

const DELETE_KIND_ALIASES: Record<string, DeleteKind> = {
  freight: 'freight',
  freights: 'freight',
  project: 'project',
  projects: 'project',
  stage: 'stage',
  stages: 'stage',
  warehouse: 'warehouse',
  warehouses: 'warehouse',
};

export function parseDeleteKind(text: string): DeleteKind {
  const kind = DELETE_KIND_ALIASES[text.toLowerCase()];
  if (kind === undefined) {
    throw new CliError(`cannot delete "${text}" (expected one of: stage, warehouse, freight, project)`);
  }
  return kind;
}
