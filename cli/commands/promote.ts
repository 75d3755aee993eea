import type { Command } from 'commander';
import type { PromotionObject, ShuntClient } from '../client.js';
import type { CommandContext } from '../context.js';
import { parseDuration } from '../duration.js';
import { CliError } from '../errors.js';
import { describeFailure, isTerminalPhase } from '../promotion-outcome.js';

interface PromoteOptions {
  project: string;
  freight: string;
  stage: string;
  wait: boolean;
  timeout: string;
}

/** `shunt promote --project P --freight ID|ALIAS --stage S [--wait] [--timeout 10m]` */
export function registerPromote(program: Command, ctx: CommandContext): void {
  program
    .command('promote')
    .description('promote freight into a stage')
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--freight <id|alias>', 'the freight to promote, by id or alias')
    .requiredOption('--stage <name>', 'the stage to promote it into')
    .option('--wait', 'wait until the promotion finishes; exit 1 unless it succeeds', false)
    .option('--timeout <duration>', 'how long --wait waits (e.g. 30s, 10m, 1h)', '10m')
    .action(async (options: PromoteOptions, command: Command) => {
      const timeoutMs = parseDuration(options.timeout, '--timeout');
      const client = ctx.client(command);
      const created = await client.promote(options.project, { stage: options.stage, freight: options.freight });
      const name = created.metadata.name;
      ctx.out(`promotion ${name} created`);
      if (!options.wait) return;

      const final = await waitForPromotion(ctx, client, options.project, created, timeoutMs, options.timeout);
      if (final.status.phase === 'Succeeded') {
        ctx.out(`promotion ${name} succeeded: freight ${final.spec.freight} is in stage ${final.spec.stage}`);
        return;
      }
      ctx.err(`error: ${describeFailure(final)}`);
      ctx.exitCode = 1;
    });
}

async function waitForPromotion(
  ctx: CommandContext,
  client: ShuntClient,
  project: string,
  created: PromotionObject,
  timeoutMs: number,
  timeoutText: string,
): Promise<PromotionObject> {
  const deadline = ctx.io.now().getTime() + timeoutMs;
  let current = created;
  while (!isTerminalPhase(current.status.phase)) {
    if (ctx.io.now().getTime() >= deadline) {
      throw new CliError(
        `timed out after ${timeoutText} waiting for promotion ${created.metadata.name} (phase ${current.status.phase})`,
      );
    }
    await ctx.io.sleep(ctx.io.pollIntervalMs);
    current = await client.getPromotion(project, created.metadata.name);
  }
  return current;
}
