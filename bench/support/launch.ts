/** Shunt as `npm start` starts it, for a benchmark: stopped when `disposer` disposes. */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Disposer } from '../../test/support/git-repos.js';
import { LaunchedShunt } from '../../test/support/launched-shunt.js';
import { ShuntApi } from '../../test/support/shunt-api.js';

export async function launchShunt(
  disposer: Disposer,
  workDir: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ shunt: LaunchedShunt; api: ShuntApi }> {
  const shunt = new LaunchedShunt({ dataDir: join(workDir, 'data'), ...(env ? { env } : {}) });
  disposer.add(() => shunt.stop());
  await shunt.start();
  return { shunt, api: new ShuntApi(() => shunt.api) };
}

/** A Temporal client of the launched Shunt's server (to read histories): closed when `disposer` disposes. */
export async function temporalClientOf(disposer: Disposer, shunt: LaunchedShunt): Promise<Client> {
  const connection = await Connection.connect({ address: `127.0.0.1:${shunt.temporalPort}` });
  disposer.add(() => connection.close());
  return new Client({ connection, namespace: 'default' });
}
