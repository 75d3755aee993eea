import type express from 'express';
import { API_PREFIX_PATH } from './paths.js';

export interface ListedRoute {
  method: string;
  /** Express pattern, e.g. `/api/v1/projects/:project`. */
  path: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  matchers?: ((path: string) => unknown)[];
}

/** Every route the app serves (the api router's under /api/v1), read from express itself. */
export function listRoutes(app: express.Express): ListedRoute[] {
  const out: ListedRoute[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: `${prefix}${layer.route.path}` });
        }
      } else if (layer.handle?.stack && layer.matchers?.some((m) => m(`${API_PREFIX_PATH}/x`))) {
        walk(layer.handle.stack, API_PREFIX_PATH);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}
