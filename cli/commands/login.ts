import { spawn } from 'node:child_process';
import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';
import { parseDuration } from '../duration.js';
import { CliError } from '../errors.js';
import { login, logout } from '../login.js';

interface LoginOptions {
  browser: boolean;
  port?: string;
  timeout: string;
}

/**
 * `shunt login`: sign in to the api's OpenID provider in a browser (authorization code + PKCE,
 * loopback redirect) and store the tokens for this server. `shunt logout` forgets them.
 */
export function registerLogin(program: Command, ctx: CommandContext): void {
  program
    .command('login')
    .description("sign in with the api's OpenID provider in a browser; the token is stored for this server (shunt logout forgets it)")
    .option('--no-browser', 'print the address to open, open no browser (env SHUNT_NO_BROWSER=1)')
    .addOption(new Option('--port <port>', 'port of the loopback redirect on 127.0.0.1 (default: any free port)'))
    .option('--timeout <duration>', 'how long to wait for the browser', '5m')
    .action(async (options: LoginOptions, command: Command) => {
      const configPath = ctx.configPath();
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new CliError(`invalid --port ${JSON.stringify(options.port)}: expected a port number (1-65535)`);
      const printOnly = !options.browser || ctx.io.env['SHUNT_NO_BROWSER'] === '1' || ctx.io.env['SHUNT_NO_BROWSER'] === 'true';
      const api = ctx.client(command, { stored: false });
      const stored = await login({
        api,
        configPath,
        fetch: ctx.io.fetch,
        now: ctx.io.now,
        say: (line) => ctx.err(line),
        ...(printOnly ? {} : { openBrowser }),
        ...(port === undefined ? {} : { port }),
        timeoutMs: parseDuration(options.timeout, '--timeout'),
      });
      const who = await ctx.client(command, { token: stored.accessToken }).whoami();
      ctx.out(`Signed in to ${api.server} as ${who.name}${stored.expiresAt ? ` (the token expires at ${stored.expiresAt}${stored.refreshToken ? ', then is renewed' : ''})` : ''}; saved in ${configPath}`);
    });

  program
    .command('logout')
    .description('forget the sign-in stored for this server')
    .action(async (_options: object, command: Command) => {
      const configPath = ctx.configPath();
      const server = ctx.client(command, { stored: false }).server;
      if (!(await logout(configPath, server))) throw new CliError(`not signed in to ${server}: ${configPath} holds no sign-in for it`);
      ctx.out(`Signed out of ${server}`);
    });
}

/** The platform's "open this address" command, detached; a failure only leaves the printed address. */
function openBrowser(url: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
