import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

interface RefreshOptions {
  project?: string;
}

/** `shunt refresh warehouse NAME --project P`: scan the warehouse now. */
export function registerRefresh(program: Command, ctx: CommandContext): void {
  program
    .command('refresh')
    .description('scan a warehouse now instead of at its next interval')
    .argument('<kind>', 'warehouse')
    .argument('<name>', 'the warehouse')
    .option('--project <name>', 'the project holding the warehouse')
    .action(async (kind: string, name: string, options: RefreshOptions, command: Command) => {
      if (kind !== 'warehouse' && kind !== 'warehouses') throw new CliError(`cannot refresh "${kind}": only a warehouse can be refreshed`);
      if (options.project === undefined || options.project === '') throw new CliError('--project is required to refresh a warehouse');
      await ctx.client(command).refreshWarehouse(options.project, name);
      ctx.out(`warehouse/${name} refresh requested: a scan is starting; \`shunt get warehouse ${name} --project ${options.project} -o json\` shows what it finds`);
    });
}
