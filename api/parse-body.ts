import type { z } from 'zod';
import { DomainError } from '../core/errors.js';

/**
 * Validates a request body against a zod schema; a mismatch is a BadRequest whose details name
 * each field (`files[0].content: expected string, received undefined`).
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  if (body === undefined) {
    throw new DomainError('BadRequest', `${what}: expected a JSON body (Content-Type: application/json)`);
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => {
    const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  throw new DomainError('BadRequest', `${what}: ${details.join('; ')}`, details);
}
