/**
 * The Kubernetes clients an activity uses, built once per worker from one of three sources:
 * the pod's service account (in-cluster), a kubeconfig file (KUBECONFIG, optionally a context),
 * or explicit settings (server URL and token; tests and unusual set-ups). The token stays in the
 * KubeConfig inside the worker process: it is never part of an activity's input or output.
 */
import * as fs from 'node:fs';
import { CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { DomainError } from '../../../core/errors.js';

export type KubeConnection =
  | { mode: 'in-cluster' }
  | { mode: 'kubeconfig'; path: string; context?: string }
  | { mode: 'explicit'; server: string; token?: string; caData?: string; insecureSkipTLSVerify?: boolean };

export interface KubeClients {
  kc: KubeConfig;
  custom: CustomObjectsApi;
  core: CoreV1Api;
  watch: Watch;
  /** The API server's URL, for messages (never a credential). */
  server: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function bad(message: string): DomainError {
  return new DomainError('BadRequest', message);
}

function loadKubeConfig(conn: KubeConnection): KubeConfig {
  const kc = new KubeConfig();
  switch (conn.mode) {
    case 'in-cluster': {
      if (!fs.existsSync(`${SA_DIR}/token`)) {
        throw bad(`in-cluster Kubernetes connection requested, but ${SA_DIR}/token is missing: this process is not in a pod with a service account`);
      }
      kc.loadFromCluster();
      if (/^https?:\/\/(:|\[?undefined)/.test(kc.getCurrentCluster()?.server ?? '')) {
        throw bad('in-cluster Kubernetes connection requested, but KUBERNETES_SERVICE_HOST is not set');
      }
      break;
    }
    case 'kubeconfig': {
      let text: string;
      try {
        text = fs.readFileSync(conn.path, 'utf8');
      } catch (err) {
        throw bad(`kubeconfig ${conn.path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      try {
        kc.loadFromString(text);
      } catch (err) {
        throw bad(`kubeconfig ${conn.path} is not a valid kubeconfig: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (conn.context !== undefined) {
        if (!kc.getContextObject(conn.context)) {
          throw bad(`kubeconfig ${conn.path} has no context ${JSON.stringify(conn.context)}`);
        }
        kc.setCurrentContext(conn.context);
      }
      if (!kc.getCurrentCluster()) {
        throw bad(`kubeconfig ${conn.path} names no current context with a cluster (set current-context or SHUNT_KUBE_CONTEXT)`);
      }
      break;
    }
    case 'explicit': {
      let url: URL;
      try {
        url = new URL(conn.server);
      } catch {
        throw bad(`Kubernetes API server ${JSON.stringify(conn.server)} is not a URL`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw bad(`Kubernetes API server ${conn.server} must be an http(s) URL`);
      }
      kc.loadFromOptions({
        clusters: [
          {
            name: 'shunt',
            server: conn.server.replace(/\/+$/, ''),
            // client-node refuses plain http unless TLS checks are off; there is no TLS to check.
            skipTLSVerify: conn.insecureSkipTLSVerify === true || url.protocol === 'http:',
            ...(conn.caData ? { caData: conn.caData } : {}),
          },
        ],
        users: [{ name: 'shunt', ...(conn.token ? { token: conn.token } : {}) }],
        contexts: [{ name: 'shunt', cluster: 'shunt', user: 'shunt' }],
        currentContext: 'shunt',
      });
      break;
    }
  }
  return kc;
}

/** @throws DomainError('BadRequest') with what is wrong with the connection settings. */
export function createKubeClients(conn: KubeConnection): KubeClients {
  const kc = loadKubeConfig(conn);
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  return {
    kc,
    custom: kc.makeApiClient(CustomObjectsApi),
    core: kc.makeApiClient(CoreV1Api),
    watch: new Watch(kc),
    server,
  };
}
