/**
 * Where the real Kubernetes and Argo CD servers are: the cache scripts/build-kube-tools.sh builds
 * once per machine (keyed by version). `kubeToolsOrReason()` never builds: it answers the paths,
 * or why the real-kube suites cannot run on this machine (no Go, not built yet).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../../scripts/build-kube-tools.sh', import.meta.url));

export interface KubeTools {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
  kwokStages: string;
  redis: string;
  /** Holds argocd-application-controller, argocd-repo-server, the askpass helper and kustomize. */
  argocdBin: string;
  crds: { application: string; appProject: string; analysisRun: string; analysisTemplate: string };
}

function versionOf(name: string): string {
  const text = execFileSync('sed', ['-n', `s/^${name}=\\(.*\\)$/\\1/p`, script], { encoding: 'utf8' }).trim();
  if (!text) throw new Error(`${script} has no ${name}`);
  return text;
}

/** The built tools, or a sentence saying why they are not there. */
export function kubeToolsOrReason(): KubeTools | string {
  let cache: string;
  try {
    cache = execFileSync('bash', [script, '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? err).trim();
    return `${stderr || 'scripts/build-kube-tools.sh --check failed'} (run scripts/build-kube-tools.sh; it needs Go and the Go module proxy)`;
  }
  const kube = join(cache, `kubernetes-${versionOf('KUBE_VERSION')}`, 'bin');
  const argocd = join(cache, `argocd-${versionOf('ARGOCD_VERSION')}`);
  const kwok = join(cache, `kwok-${versionOf('KWOK_VERSION')}`);
  const rollouts = join(cache, `argo-rollouts-crds-${versionOf('ROLLOUTS_VERSION')}`, 'crds');
  const tools: KubeTools = {
    etcd: execFileSync('bash', ['-c', 'command -v etcd'], { encoding: 'utf8' }).trim(),
    kubeApiserver: join(kube, 'kube-apiserver'),
    kubeControllerManager: join(kube, 'kube-controller-manager'),
    kubeScheduler: join(kube, 'kube-scheduler'),
    kwok: join(kwok, 'bin', 'kwok'),
    kwokStages: join(kwok, 'stages-fast.yaml'),
    redis: execFileSync('bash', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim(),
    argocdBin: join(argocd, 'bin'),
    crds: {
      application: join(argocd, 'crds', 'application-crd.yaml'),
      appProject: join(argocd, 'crds', 'appproject-crd.yaml'),
      analysisRun: join(rollouts, 'analysis-run-crd.yaml'),
      analysisTemplate: join(rollouts, 'analysis-template-crd.yaml'),
    },
  };
  const missing = [tools.kubeApiserver, tools.kwok, join(tools.argocdBin, 'argocd'), ...Object.values(tools.crds)].filter((p) => !existsSync(p));
  return missing.length ? `built tools are incomplete, missing ${missing.join(', ')}` : tools;
}

/** The tools; throws (the suite fails) with why they are missing. */
export function requireKubeTools(): KubeTools {
  const tools = kubeToolsOrReason();
  if (typeof tools === 'string') throw new Error(`real-kube suites NOT RUN: ${tools}`);
  return tools;
}
