import type { RequestHandler } from 'express';
import { logOf } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/** GET /healthz: 200 when Temporal is reachable and a worker polls the task queue, else 503. */
export function getHealth({ backend }: RouteDeps): RequestHandler {
  return async (_req, res) => {
    let reason: string | undefined;
    try {
      const health = await backend.health();
      if (!health.temporal) reason = health.message ?? 'temporal is not reachable';
      else if (!health.worker) reason = health.message ?? 'no worker is polling the task queue';
    } catch (err) {
      logOf(res).warn({ err }, 'health check failed');
      reason = `health check failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (reason === undefined) {
      res.status(200).json({ status: 'ok' });
    } else {
      res.status(503).json({ status: 'unavailable', reason });
    }
  };
}
