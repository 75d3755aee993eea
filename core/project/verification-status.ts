/**
 * What a stage's and a freight's status say about verification, decided once here so the api,
 * the CLI and the page show the same thing: the stage's `Verified` condition (Kargo's rules in
 * `verifyStageFreight`: any successful verification of the current freight makes it True; else the
 * latest one decides, a failure carrying its message) and, per freight, its latest verification
 * in each stage. Pure.
 */
import type { ProjectState, StageState, VerificationPhase, VerificationRecord } from './state.js';

export interface StageCondition {
  type: 'Verified';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/** A verification as a freight's status shows it. */
export interface VerificationSummary {
  id: string;
  phase: VerificationPhase;
  message?: string;
  startTime?: string;
  finishTime?: string;
}

/** The current freight's latest verification in the stage: the running one, else the newest finished. */
export function latestOfCurrent(s: StageState): VerificationRecord | undefined {
  const entry = s.freightHistory[0];
  if (!entry) return undefined;
  if (s.currentVerification?.collection === entry.collection.id) return s.currentVerification;
  return entry.verificationHistory?.[0];
}

const at = (r: VerificationRecord): { lastTransitionTime: string } | Record<string, never> => {
  const t = r.finishTime ?? r.startTime;
  return t ? { lastTransitionTime: t } : {};
};

/** Why a verification that did not succeed ended as it did, never empty. */
function cause(r: VerificationRecord): string {
  return r.message ?? `verification ${r.id} ended ${r.phase} without a message`;
}

/**
 * Kargo's `Verified` condition of a stage; undefined while the stage holds no freight (Kargo says
 * `NoFreight` then; Shunt leaves the condition out).
 */
export function verifiedCondition(state: ProjectState, stageName: string): StageCondition | undefined {
  const s = state.stages[stageName];
  const entry = s?.freightHistory[0];
  if (!s || !entry) return undefined;
  const successful = entry.verificationHistory?.find((r) => r.phase === 'Successful');
  if (successful) {
    return {
      type: 'Verified',
      status: 'True',
      reason: 'Verified',
      message: successful.message ? `Freight has been verified (${successful.message})` : 'Freight has been verified',
      ...at(successful),
    };
  }
  const latest = latestOfCurrent(s);
  if (!latest) {
    const names = Object.values(entry.collection.items).map((f) => f.name);
    const verified = names.length > 0 && names.every((n) => state.freight[n]?.verifiedIn[stageName]);
    return verified
      ? { type: 'Verified', status: 'True', reason: 'Verified', message: 'Freight has been verified' }
      : {
          type: 'Verified',
          status: 'Unknown',
          reason: 'WaitingForVerification',
          message: 'Waiting for verification to be performed after successful promotion',
        };
  }
  switch (latest.phase) {
    case 'Pending':
      return { type: 'Verified', status: 'Unknown', reason: 'VerificationPending', message: latest.message ?? 'Freight is pending verification', ...at(latest) };
    case 'Running':
      return { type: 'Verified', status: 'Unknown', reason: 'VerificationRunning', message: latest.message ?? 'Freight is currently being verified', ...at(latest) };
    case 'Inconclusive':
      return { type: 'Verified', status: 'Unknown', reason: 'VerificationInconclusive', message: cause(latest), ...at(latest) };
    case 'Failed':
    case 'Error':
    case 'Aborted':
      return { type: 'Verified', status: 'False', reason: `Verification${latest.phase}`, message: cause(latest), ...at(latest) };
    default:
      return { type: 'Verified', status: 'Unknown', reason: 'UnknownVerificationPhase', message: `Freight verification is in an unknown phase: ${String(latest.phase)}` };
  }
}

/** A verification record's id, phase, message and times, as views show them. */
export function summary(r: VerificationRecord): VerificationSummary {
  return {
    id: r.id,
    phase: r.phase,
    ...(r.message !== undefined ? { message: r.message } : {}),
    ...(r.startTime !== undefined ? { startTime: r.startTime } : {}),
    ...(r.finishTime !== undefined ? { finishTime: r.finishTime } : {}),
  };
}

/** Stage name → the freight's latest verification there (running or finished); stages with none are left out. */
export function lastVerificationIn(state: ProjectState, freightName: string): Record<string, VerificationSummary> {
  const out: Record<string, VerificationSummary> = {};
  for (const [stage, s] of Object.entries(state.stages)) {
    const entry = s.freightHistory.find((h) => Object.values(h.collection.items).some((f) => f.name === freightName));
    if (!entry) continue;
    const latest = s.currentVerification?.collection === entry.collection.id ? s.currentVerification : entry.verificationHistory?.[0];
    if (latest) out[stage] = summary(latest);
  }
  return out;
}
