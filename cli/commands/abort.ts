import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

/**
 * `shunt abort promotion NAME --project P`: stop a pending or running promotion.
 * `shunt abort verification --project P --stage S`: stop the stage's running verification.
 */
export function registerAbort(program: Command, ctx: CommandContext): void {
  program
    .command('abort')
    .description('stop a pending or running promotion, or a stage\'s running verification')
    .argument('<kind>', 'promotion|verification')
    .argument('[name]', 'the promotion to abort')
    .requiredOption('--project <name>', 'the project')
    .option('--stage <name>', 'the stage whose verification to abort')
    .action(async (kind: string, name: string | undefined, options: { project: string; stage?: string }, command: Command) => {
      const client = ctx.client(command);
      if (kind === 'promotion') {
        if (name === undefined || name === '') throw new CliError('abort promotion needs the promotion name');
        const promotion = await client.promotionAction(options.project, name, 'abort');
        ctx.out(
          promotion.status.phase === 'Aborted'
            ? `promotion ${name} aborted`
            : `promotion ${name}: abort requested; it stops at its current step`,
        );
        return;
      }
      if (kind === 'verification') {
        if (options.stage === undefined) throw new CliError('abort verification needs --stage');
        const result = await client.verificationAction(options.project, options.stage, 'abort');
        ctx.out(`verification ${result.id} of stage ${options.stage}: abort requested`);
        return;
      }
      throw new CliError(`cannot abort "${kind}": expected promotion or verification`);
    });
}
