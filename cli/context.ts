import type { Command } from 'commander';
import { ShuntClient } from './client.js';
import type { ResolvedIo } from './io.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** The options every command inherits from the program. */
export interface GlobalOptions {
  server: string;
  token?: string;
}

/** What each command's action needs: the io, a client, and a way to set the exit status. */
export class CommandContext {
  /** The process's exit status once the command is done (errors thrown become 1). */
  exitCode = 0;

  constructor(readonly io: ResolvedIo) {}

  client(command: Command): ShuntClient {
    const { server, token } = command.optsWithGlobals<GlobalOptions>();
    return new ShuntClient({ server, fetch: this.io.fetch, ...(token === undefined ? {} : { token }) });
  }

  out(line: string): void {
    this.io.stdout(line.endsWith('\n') ? line : `${line}\n`);
  }

  err(line: string): void {
    this.io.stderr(line.endsWith('\n') ? line : `${line}\n`);
  }
}
