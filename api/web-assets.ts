import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';

/** The web page's files (web/ at the project root), from the sources or from dist/. */
export const WEB_DIR = ((): string => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(join('dist', 'api')) ? resolve(here, '..', '..', 'web') : resolve(here, '..', 'web');
})();

/** The page's headers: no caching without asking, no sniffing, a strict CSP (no inline script or style). */
function pageHeaders(res: express.Response): void {
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
}

/**
 * Serves the page and its assets, open to everyone: they hold no data. The page reads the API
 * with the user's own token.
 */
export function webPage(): express.RequestHandler {
  return express.static(WEB_DIR, { index: 'index.html', fallthrough: true, setHeaders: pageHeaders });
}

/** The browser modules the page imports from /vendor/, by file name, each from node_modules. */
const VENDOR_FILES: Record<string, string> = {
  'preact.mjs': 'preact/dist/preact.mjs',
  'hooks.mjs': 'preact/hooks/dist/hooks.mjs',
  'htm.mjs': 'htm/dist/htm.mjs',
};

/**
 * A browser resolves no bare specifier without an import map, and an inline import map is an
 * inline script the CSP refuses. So preact's hooks, which import `"preact"`, get that import
 * pointed at /vendor/preact.mjs (the same instance the page renders with).
 */
export function vendorModule(file: string, source: string): string {
  if (file !== 'hooks.mjs') return source;
  const rewritten = source.replace(/from\s*(["'])preact\1/g, 'from"/vendor/preact.mjs"');
  if (rewritten === source) throw new Error(`preact's hooks.mjs no longer imports "preact": check /vendor/ in api/web-assets.ts`);
  return rewritten;
}

/**
 * GET /vendor/<file> (mounted with app.use, so not an api route in /openapi.json): preact, its hooks and htm, read once from node_modules; only those files
 * (no directory listing), with the page's headers. 404 for any other name.
 */
export function vendorModules(): express.RequestHandler {
  const modules = resolve(WEB_DIR, '..', 'node_modules');
  const cache = new Map<string, string>();
  const load = (file: string): string | undefined => {
    const path = VENDOR_FILES[file];
    if (path === undefined) return undefined;
    let text = cache.get(file);
    if (text === undefined) {
      text = vendorModule(file, readFileSync(join(modules, path), 'utf8'));
      cache.set(file, text);
    }
    return text;
  };
  return (req, res, next) => {
    const file = req.path.slice(1);
    const text = req.method === 'GET' && Object.hasOwn(VENDOR_FILES, file) ? load(file) : undefined;
    if (text === undefined) {
      next();
      return;
    }
    pageHeaders(res);
    res.type('text/javascript').send(text);
  };
}
