/**
 * The AnalysisRun activities verification calls in cluster mode (Argo Rollouts runs the
 * metrics); thin wrappers over kubernetes/analysis-run.ts that refuse clearly when the worker
 * has no Kubernetes connection. Inputs are template manifests and args (no credentials).
 */
import { DomainError } from '../core/errors.js';
import {
  createAnalysisRun,
  deleteAnalysisRun,
  readAnalysisRunPhase,
  type AnalysisRunPhase,
  type AnalysisRunRequest,
} from './adapters/kubernetes/analysis-run.js';
import type { KubeClients } from './adapters/kubernetes/client.js';
import type { ProjectCredentials } from './adapters/credentials.js';
import { ArgExpressionError, argsUseExpressions, evaluateVerificationArgs, type ArgExpressionEnv } from '../core/verification/arg-expressions.js';
import { ExpressionData, lookupsIn } from './expression-data.js';
import { SecretMask } from './secret-mask.js';

export type { AnalysisRunPhase, AnalysisRunRequest } from './adapters/kubernetes/analysis-run.js';

export interface AnalysisRunRef {
  namespace: string;
  name: string;
}

/** What createAnalysisRun takes: the run, and what `${{ }}` in its args may read (absent: args as written). */
export interface CreateAnalysisRunInput extends AnalysisRunRequest {
  argEnv?: ArgExpressionEnv;
}

export interface AnalysisRunActivities {
  createAnalysisRun(input: CreateAnalysisRunInput): Promise<void>;
  readAnalysisRunPhase(input: AnalysisRunRef): Promise<AnalysisRunPhase>;
  deleteAnalysisRun(input: AnalysisRunRef): Promise<void>;
}

/**
 * The args with their `${{ }}` expressions evaluated here, in the activity, as Kargo's controller
 * does when it builds the AnalysisRun: `secret()` and the other data functions read the project's
 * own data, and what they give goes only into the AnalysisRun, never into workflow history.
 */
async function evaluatedArgs(input: CreateAnalysisRunInput, credentials: ProjectCredentials | undefined): Promise<AnalysisRunRequest['args']> {
  const env = input.argEnv;
  if (env === undefined || !argsUseExpressions(input.args, env.vars)) return input.args;
  const store = credentials?.forProject(input.namespace);
  const none = async (): Promise<Record<string, string>> => ({});
  const data = new ExpressionData({
    secret: store ? (name) => store.secret(name) : none,
    sharedSecret: store ? (name) => (store.sharedSecret ? store.sharedSecret(name) : store.secret(name)) : none,
    configMap: async (name) => (await store?.configMap?.(name)) ?? {},
    sharedConfigMap: async (name) => (await store?.sharedConfigMap?.(name)) ?? {},
    freightStatus: async () => undefined,
  });
  await data.preload(lookupsIn([input.args.map((a) => a.value), (env.vars ?? []).map((v) => v.value)]));
  try {
    return await data.evaluate(() =>
      evaluateVerificationArgs(input.args, env, {
        secrets: data.dataLookup('secret'),
        sharedSecrets: data.dataLookup('sharedSecret'),
        configMaps: data.dataLookup('configMap'),
        sharedConfigMaps: data.dataLookup('sharedConfigMap'),
      }),
    );
  } catch (err) {
    if (err instanceof ArgExpressionError) throw new SecretMask(data.secretValues()).error(new DomainError('InvalidExpression', err.message));
    throw new SecretMask(data.secretValues()).error(err);
  }
}

export function analysisRunActivities(kube: KubeClients | undefined, credentials?: ProjectCredentials): AnalysisRunActivities {
  const cluster = (): KubeClients => {
    if (kube) return kube;
    throw new DomainError(
      'FailedPrecondition',
      'this verification needs Argo Rollouts in a cluster, and this worker has no Kubernetes connection: run it in the cluster or set KUBECONFIG (see README, "Argo CD")',
    );
  };
  return {
    createAnalysisRun: async (input) => {
      const clients = cluster();
      const { argEnv: _env, ...request } = input;
      await createAnalysisRun(clients, { ...request, args: await evaluatedArgs(input, credentials) });
    },
    readAnalysisRunPhase: (input) => readAnalysisRunPhase(cluster(), input.namespace, input.name),
    deleteAnalysisRun: (input) => deleteAnalysisRun(cluster(), input.namespace, input.name),
  };
}
