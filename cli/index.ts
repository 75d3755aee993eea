import { Command, Option } from 'commander';
import { registerAbort } from './commands/abort.js';
import { registerApply } from './commands/apply.js';
import { registerApprove } from './commands/approve.js';
import { registerDelete } from './commands/delete.js';
import { registerGet } from './commands/get.js';
import { registerLogin } from './commands/login.js';
import { registerPromote } from './commands/promote.js';
import { registerRetry } from './commands/retry.js';
import { registerVerify } from './commands/verify.js';
import { registerRefresh } from './commands/refresh.js';
import { registerUpdate } from './commands/update.js';
import { registerProject } from './commands/project.js';
import { CommandContext, DEFAULT_SERVER } from './context.js';
import { resolveIo, type CliIo } from './io.js';

export type { CliIo } from './io.js';

/** Builds the `shunt` program; commands write through `ctx` and never exit the process. */
export function buildProgram(ctx: CommandContext): Command {
  const env = ctx.io.env;
  const server = nonEmpty(env['SHUNT_SERVER']) ?? DEFAULT_SERVER;
  const token = nonEmpty(env['SHUNT_TOKEN']);

  const program = new Command('shunt')
    .description('Shunt: GitOps promotion pipelines (Kargo manifests) on Temporal')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout(text),
      writeErr: (text) => ctx.io.stderr(text),
    })
    .addOption(new Option('--server <url>', 'address of the Shunt api (env SHUNT_SERVER)').default(server))
    .addOption(
      new Option('--token <token>', 'bearer token for the api (env SHUNT_TOKEN); without it, the one `shunt login` stored').default(
        token,
        token === undefined ? undefined : 'from SHUNT_TOKEN',
      ),
    );

  // Subcommands inherit exitOverride and the output settings, so they are added after them.
  registerApply(program, ctx);
  registerGet(program, ctx);
  registerPromote(program, ctx);
  registerDelete(program, ctx);
  registerApprove(program, ctx);
  registerRetry(program, ctx);
  registerAbort(program, ctx);
  registerVerify(program, ctx);
  registerRefresh(program, ctx);
  registerUpdate(program, ctx);
  registerProject(program, ctx);
  registerLogin(program, ctx);
  return program;
}

/**
 * Runs the CLI in-process: `argv` is the user's arguments (no `node`, no script path). Resolves
 * to the exit status; every failure is one `error: …` line on `io.stderr`.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx = new CommandContext(resolveIo(io));
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (isCommanderError(err)) return err.exitCode; // commander has already said why
    const message = err instanceof Error ? err.message : String(err);
    ctx.err(`error: ${message}`);
    const details = (err as { details?: unknown }).details;
    if (Array.isArray(details)) {
      for (const detail of details) {
        if (typeof detail === 'string' && !message.includes(detail)) ctx.err(`  ${detail}`);
      }
    }
    return 1;
  }
}

/** The entry point of bin/shunt.js. */
export async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  });
}

function isCommanderError(err: unknown): err is { exitCode: number; code: string } {
  const e = err as { code?: unknown; exitCode?: unknown } | null;
  return (
    e !== null &&
    typeof e === 'object' &&
    typeof e.code === 'string' &&
    e.code.startsWith('commander.') &&
    typeof e.exitCode === 'number'
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
