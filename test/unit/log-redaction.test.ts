import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { LOG_REDACT_PATHS } from '../../core/log-redaction.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 's3cr3t-value';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('LOG_REDACT_PATHS', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a password', { password: SECRET }],
    ['a token', { token: SECRET }],
    ['an authorization value', { authorization: `Bearer ${SECRET}` }],
    ['a nested password', { remote: { url: 'https://git.test/a.git', password: SECRET } }],
    ['a nested token', { credentials: { token: SECRET } }],
    ['a nested authorization', { request: { authorization: SECRET } }],
    ['an Authorization header', { headers: { authorization: `Bearer ${SECRET}` } }],
    ['a cookie header', { headers: { cookie: `session=${SECRET}` } }],
    ['a request’s Authorization header', { req: { headers: { authorization: `Bearer ${SECRET}` } } }],
    ['a request’s cookie', { req: { headers: { cookie: `session=${SECRET}` } } }],
  ])('blanks %s', (_what, fields) => {
    const { lines, stream } = capture();
    pino({ redact: [...LOG_REDACT_PATHS] }, stream).info(fields, 'logged');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).toContain('[Redacted]');
  });

  it('is the list every logger of the api and the worker is made with (no second list)', () => {
    const loggers = ['launcher/logger.ts', 'api/app.ts', 'api/request-context.ts'];
    for (const file of loggers) {
      const source = fs.readFileSync(path.join(root, file), 'utf8');
      expect(source).toContain('redact: [...LOG_REDACT_PATHS]');
      expect(source).not.toMatch(/redact: \[['"]/);
    }
    // The api and worker processes make theirs in launcher/logger.ts (JSON or pino-pretty).
    for (const file of ['api/server.ts', 'worker/main.ts']) {
      const source = fs.readFileSync(path.join(root, file), 'utf8');
      expect(source).toContain("from '../launcher/logger.js'");
      expect(source).not.toMatch(/\bpino\(/);
    }
  });
});
