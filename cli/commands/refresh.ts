import type { Command } from 'commander';
import type { StageRefreshResponse } from '../client.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

interface RefreshOptions {
  project?: string;
}

/**
 * `shunt refresh warehouse NAME --project P`: scan the warehouse now.
 * `shunt refresh stage NAME --project P`: re-evaluate the stage now (core/project/refresh-stage.ts).
 */
export function registerRefresh(program: Command, ctx: CommandContext): void {
  program
    .command('refresh')
    .description('scan a warehouse now instead of at its next interval, or re-evaluate a stage now')
    .argument('<kind>', 'warehouse|stage')
    .argument('<name>', 'the warehouse or stage')
    .option('--project <name>', 'the project holding the warehouse or stage')
    .action(async (kindText: string, name: string, options: RefreshOptions, command: Command) => {
      const kind = kindText.toLowerCase().replace(/s$/, '');
      if (kind !== 'warehouse' && kind !== 'stage') throw new CliError(`cannot refresh "${kindText}": only a warehouse or a stage can be refreshed`);
      if (options.project === undefined || options.project === '') throw new CliError(`--project is required to refresh a ${kind}`);
      if (kind === 'stage') {
        const refresh = await ctx.client(command).refreshStage(options.project, name);
        ctx.out(describeRefresh(refresh));
        return;
      }
      await ctx.client(command).refreshWarehouse(options.project, name);
      ctx.out(`warehouse/${name} refresh requested: a scan is starting; \`shunt get warehouse ${name} --project ${options.project} -o json\` shows what it finds`);
    });
}

function describeRefresh(r: StageRefreshResponse): string {
  const lines = [`stage/${r.stage} refreshed at ${r.refreshedAt}`];
  for (const p of r.autoPromotions) lines.push(`  auto-promotion queued: promotion ${p}`);
  if (r.currentPromotion) lines.push(`  promotion ${r.currentPromotion.name}: ${r.currentPromotion.phase}${r.currentPromotion.message ? ` (${r.currentPromotion.message})` : ''}`);
  if (r.currentVerification) {
    lines.push(`  verification ${r.currentVerification.id}: ${r.currentVerification.phase}${r.currentVerification.message ? ` (${r.currentVerification.message})` : ''}`);
  }
  return lines.join('\n');
}
