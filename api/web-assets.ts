import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';

/** The web page's files (web/ at the project root), from the sources or from dist/. */
export const WEB_DIR = ((): string => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(join('dist', 'api')) ? resolve(here, '..', '..', 'web') : resolve(here, '..', 'web');
})();

/**
 * Serves the page and its assets, open to everyone: they hold no data. The page reads the API
 * with the user's own token.
 */
export function webPage(): express.RequestHandler {
  return express.static(WEB_DIR, {
    index: 'index.html',
    fallthrough: true,
    setHeaders(res) {
      res.setHeader('cache-control', 'no-cache');
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    },
  });
}
