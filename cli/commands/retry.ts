import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

/** `shunt retry promotion NAME --project P`: re-run a failed, errored or aborted promotion. */
export function registerRetry(program: Command, ctx: CommandContext): void {
  program
    .command('retry')
    .description('re-run a failed promotion (resuming at the failed step when its workspace is still there)')
    .argument('<kind>', 'promotion')
    .argument('<name>', 'the promotion to retry')
    .requiredOption('--project <name>', 'the project')
    .action(async (kind: string, name: string, options: { project: string }, command: Command) => {
      if (kind !== 'promotion') throw new CliError(`cannot retry "${kind}": only promotions can be retried`);
      const created = await ctx.client(command).promotionAction(options.project, name, 'retry');
      ctx.out(`promotion ${created.metadata.name} created (retry of ${name})`);
    });
}
