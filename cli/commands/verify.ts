import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** `shunt verify --project P --stage S`: run the stage's verification again for its current freight. */
export function registerVerify(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description("re-run a stage's verification (analysis templates, then soak) for its current freight")
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--stage <name>', 'the stage')
    .action(async (options: { project: string; stage: string }, command: Command) => {
      const result = await ctx.client(command).verificationAction(options.project, options.stage, 'verify');
      ctx.out(`verification ${result.id} of stage ${options.stage} started`);
    });
}
