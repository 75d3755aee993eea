import type { Command } from 'commander';
import { formatBytes } from '../../core/expressions/budget.js';
import type { PruneProjectBody } from '../../core/api/requests.js';
import type { CommandContext } from '../context.js';
import { parseDuration } from '../duration.js';
import { CliError } from '../errors.js';

interface PruneOptions {
  keepFreight?: string;
  minAge?: string;
}

/**
 * `shunt project prune NAME [--keep-freight N] [--min-age D]`: set the project's freight retention
 * (Kargo's MAX_RETAINED_FREIGHT and MIN_FREIGHT_DELETION_AGE, per project) and apply it now; the
 * way back for a project whose state is over its size budget (core/project/prune.ts).
 */
export function registerProject(program: Command, ctx: CommandContext): void {
  const project = program.command('project').description('project-wide maintenance');
  project
    .command('prune')
    .description("drop freight no stage uses past the project's retention, trim promotion records, and bring the state under its size budget")
    .argument('<name>', 'the project')
    .option('--keep-freight <n>', 'freight kept per warehouse beyond the oldest a stage uses (the project keeps this setting; default 20)')
    .option('--min-age <duration>', 'freight younger than this is kept, e.g. 24h or 0s (the project keeps this setting; default 336h)')
    .action(async (name: string, options: PruneOptions, command: Command) => {
      const body: PruneProjectBody = {};
      if (options.keepFreight !== undefined) {
        const n = Number(options.keepFreight);
        if (!/^\d+$/.test(options.keepFreight) || !Number.isSafeInteger(n)) {
          throw new CliError(`invalid --keep-freight "${options.keepFreight}": expected a whole number such as 5`);
        }
        body.maxRetainedFreight = n;
      }
      if (options.minAge !== undefined) body.minFreightDeletionAgeMs = parseDuration(options.minAge, '--min-age');
      const outcome = await ctx.client(command).pruneProject(name, body);
      const hours = outcome.retention.minFreightDeletionAgeMs / 3_600_000;
      ctx.out(
        [
          `project/${name} pruned: keeps ${outcome.retention.maxRetainedFreight} freight per warehouse beyond the oldest in use, none dropped younger than ${Number(hours.toFixed(3))}h`,
          `  freight dropped: ${outcome.droppedFreight.length}`,
          `  promotion records dropped: ${outcome.droppedPromotions}`,
          `  state: ${formatBytes(outcome.bytesBefore)} -> ${formatBytes(outcome.bytesAfter)}`,
        ].join('\n'),
      );
    });
}
