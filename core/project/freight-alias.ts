/**
 * Changing a freight's alias (Kargo's PatchFreightAlias, `kargo update freight --new-alias`, and
 * the `set-freight-alias` step): the alias must be a valid label value, as Kargo keeps it in the
 * `kargo.akuity.io/alias` label, and unique in the project.
 */
import { DomainError } from '../errors.js';
import { aliasProblem } from '../freight/alias.js';
import { findFreight } from './promotions.js';
import type { FreightRecord, ProjectState } from './state.js';

export interface FreightAliasRequest {
  /** Freight id or current alias. */
  freight: string;
  alias: string;
  actor?: string;
}

export interface FreightAliasChange {
  freight: string;
  alias: string;
  previousAlias: string;
}

/** The other freight that holds `alias` already, if any. */
export function aliasHolder(state: ProjectState, freight: FreightRecord, alias: string): FreightRecord | undefined {
  return Object.values(state.freight).find((f) => f.alias === alias && f.name !== freight.name);
}

/** Why the alias may not be given (undefined when it may). */
export function freightAliasIssue(state: ProjectState, request: FreightAliasRequest): DomainError | undefined {
  const problem = aliasProblem(request.alias);
  if (problem !== undefined) return new DomainError('BadRequest', `invalid alias: ${problem}`);
  const freight = findFreight(state, request.freight);
  if (!freight) return new DomainError('NotFound', `freight "${request.freight}" not found in project "${state.project}"`);
  const holder = aliasHolder(state, freight, request.alias);
  if (holder) {
    return new DomainError('Conflict', `alias "${request.alias}" is already used by freight ${holder.name} in project "${state.project}"`);
  }
  return undefined;
}

/** Gives the freight its new alias; callers checked freightAliasIssue. */
export function setFreightAlias(state: ProjectState, request: FreightAliasRequest, now: string): FreightAliasChange {
  const freight = findFreight(state, request.freight)!;
  const change = { freight: freight.name, alias: request.alias, previousAlias: freight.alias };
  freight.alias = request.alias;
  state.updatedAt = now;
  return change;
}
