/**
 * What a process's settings loader (api/config.ts, worker/config.ts) writes when a setting stops
 * it at start. A loader prints each problem and exits with the configuration error code; the exit
 * is stubbed to throw, and the code is checked here.
 */
import { expect, jest } from '@jest/globals';
import { EXIT_CONFIG } from '../../core/exit-codes.js';

export async function configRefusal(load: () => unknown): Promise<string> {
  const written: string[] = [];
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const exit = jest.spyOn(process, 'exit').mockImplementation((code?: string | number | null) => {
    throw new Error(`exit ${String(code)}`);
  });
  try {
    await expect(Promise.resolve().then(load)).rejects.toThrow(`exit ${EXIT_CONFIG}`);
    return written.join('');
  } finally {
    stderr.mockRestore();
    exit.mockRestore();
  }
}
