import type { Command } from 'commander';
import type { PromotionObject, ShuntClient } from '../client.js';
import type { CommandContext } from '../context.js';
import { parseDuration } from '../duration.js';
import { CliError } from '../errors.js';
import { describeFailure, isTerminalPhase } from '../promotion-outcome.js';
import { MAX_PROMOTION_WAIT_MS } from '../../core/api/requests.js';

interface PromoteOptions {
  project: string;
  freight: string;
  stage?: string;
  downstreamFrom?: string;
  wait: boolean;
  timeout: string;
}

/**
 * `shunt promote --project P --freight ID|ALIAS (--stage S | --downstream-from S) [--wait] [--timeout 10m]`.
 * `--downstream-from` promotes to every stage immediately downstream of S (Kargo's
 * `kargo promote --downstream-from`), all or none.
 */
export function registerPromote(program: Command, ctx: CommandContext): void {
  program
    .command('promote')
    .description('promote freight into a stage, or into every stage immediately downstream of one')
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--freight <id|alias>', 'the freight to promote, by id or alias')
    .option('--stage <name>', 'the stage to promote it into')
    .option('--downstream-from <stage>', 'promote it into every stage immediately downstream of this one instead')
    .option('--wait', 'wait until the promotion finishes; exit 1 unless it succeeds', false)
    .option('--timeout <duration>', 'how long --wait waits (e.g. 30s, 10m, 1h)', '10m')
    .action(async (options: PromoteOptions, command: Command) => {
      const stage = nonEmpty(options.stage);
      const downstreamFrom = nonEmpty(options.downstreamFrom);
      if ((stage === undefined) === (downstreamFrom === undefined)) throw new CliError('promote needs exactly one of --stage and --downstream-from');
      const timeoutMs = parseDuration(options.timeout, '--timeout');
      const client = ctx.client(command);
      let created: PromotionObject[];
      if (stage !== undefined) {
        created = [await client.promote(options.project, { stage, freight: options.freight })];
        ctx.out(`promotion ${created[0]!.metadata.name} created`);
      } else {
        const result = await client.promoteDownstream(options.project, downstreamFrom!, { freight: options.freight });
        created = result.promotions;
        for (const p of created) ctx.out(`promotion ${p.metadata.name} created (stage ${p.spec.stage})`);
        for (const s of result.controlFlowStages) ctx.out(`stage ${s} has no steps: the freight flows through it without a promotion`);
      }
      if (!options.wait) return;

      // One deadline for all of them: --timeout bounds the whole wait.
      const deadline = ctx.io.now().getTime() + timeoutMs;
      for (const promotion of created) {
        const name = promotion.metadata.name;
        const final = await waitForPromotion(ctx, client, options.project, promotion, deadline, options.timeout);
        if (final.status.phase === 'Succeeded') {
          ctx.out(`promotion ${name} succeeded: freight ${final.spec.freight} is in stage ${final.spec.stage}`);
          continue;
        }
        ctx.err(`error: ${describeFailure(final)}`);
        ctx.exitCode = 1;
      }
    });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

async function waitForPromotion(
  ctx: CommandContext,
  client: ShuntClient,
  project: string,
  created: PromotionObject,
  deadline: number,
  timeoutText: string,
): Promise<PromotionObject> {
  let current = created;
  let asked = false;
  while (!isTerminalPhase(current.status.phase)) {
    // The api waits for the end itself (up to a minute a request); the pause between requests
    // only matters against an api that answers at once.
    if (asked) await ctx.io.sleep(ctx.io.pollIntervalMs);
    const left = deadline - ctx.io.now().getTime();
    if (left <= 0) {
      throw new CliError(
        `timed out after ${timeoutText} waiting for promotion ${created.metadata.name} (phase ${current.status.phase})`,
      );
    }
    asked = true;
    current = await client.getPromotion(project, created.metadata.name, Math.min(left, MAX_PROMOTION_WAIT_MS));
  }
  return current;
}
