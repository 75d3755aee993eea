import type { Command } from 'commander';
import { normalizeServer, ShuntClient } from './client.js';
import { CliError } from './errors.js';
import type { ResolvedIo } from './io.js';
import { storedToken } from './login.js';
import { userConfigPath } from './user-config.js';

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

  /**
   * A client of the api: with `--token` / SHUNT_TOKEN (or `token`), that token; otherwise the one
   * `shunt login` stored for the server, if any (`stored: false`: none).
   */
  client(command: Command, options: { token?: string; stored?: false } = {}): ShuntClient {
    const globals = command.optsWithGlobals<GlobalOptions>();
    const token = options.token ?? globals.token;
    if (token !== undefined) return new ShuntClient({ server: globals.server, fetch: this.io.fetch, token });
    const path = userConfigPath(this.io.env);
    if (options.stored === false || path === undefined) return new ShuntClient({ server: globals.server, fetch: this.io.fetch });
    const server = normalizeServer(globals.server);
    return new ShuntClient({ server, fetch: this.io.fetch, tokenSource: () => storedToken(path, server, this.io.fetch, this.io.now()) });
  }

  /** The user's config file (cli/user-config.ts). */
  configPath(): string {
    const path = userConfigPath(this.io.env);
    if (path === undefined) throw new CliError('no place for the CLI config: set SHUNT_CLI_CONFIG (a file path) or HOME');
    return path;
  }

  out(line: string): void {
    this.io.stdout(line.endsWith('\n') ? line : `${line}\n`);
  }

  err(line: string): void {
    this.io.stderr(line.endsWith('\n') ? line : `${line}\n`);
  }
}
