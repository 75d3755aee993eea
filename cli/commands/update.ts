import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

interface UpdateOptions {
  project?: string;
  alias?: string;
}

/**
 * `shunt update freight ID|ALIAS --alias NEW --project P`: give a freight a new alias, unique in
 * the project (Kargo's `kargo update freight (--name N | --old-alias A) --new-alias NEW`).
 */
export function registerUpdate(program: Command, ctx: CommandContext): void {
  program
    .command('update')
    .description("change a freight's alias")
    .argument('<kind>', 'freight')
    .argument('<name>', 'the freight, by id or current alias')
    .option('--project <name>', 'the project holding the freight')
    .option('--alias <alias>', 'the new alias (letters, digits, "-", "_" and ".", at most 63; unique in the project)')
    .action(async (kind: string, name: string, options: UpdateOptions, command: Command) => {
      if (kind.toLowerCase() !== 'freight' && kind.toLowerCase() !== 'freights') {
        throw new CliError(`cannot update "${kind}": only a freight's alias can be updated`);
      }
      if (options.project === undefined || options.project === '') throw new CliError('--project is required to update a freight');
      if (options.alias === undefined) throw new CliError('update freight needs --alias NEW');
      const change = await ctx.client(command).updateFreightAlias(options.project, name, { alias: options.alias });
      ctx.out(
        change.previousAlias === change.alias
          ? `freight ${change.freight} already has alias ${change.alias}`
          : `freight ${change.freight} alias changed from ${change.previousAlias} to ${change.alias}`,
      );
    });
}
