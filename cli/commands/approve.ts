import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

interface ApproveOptions {
  project: string;
  freight?: string;
  stage?: string;
}

/**
 * `shunt approve --project P --freight F --stage S`: make freight available to a stage.
 * `shunt approve promotion NAME --project P`: release a promotion waiting for approval.
 */
export function registerApprove(program: Command, ctx: CommandContext): void {
  program
    .command('approve')
    .description('approve freight for a stage (--freight, --stage), or a promotion waiting for approval (promotion NAME)')
    .argument('[kind]', '"promotion" to approve a waiting promotion')
    .argument('[name]', 'the promotion to approve')
    .requiredOption('--project <name>', 'the project')
    .option('--freight <id|alias>', 'the freight to approve')
    .option('--stage <name>', 'the stage to approve it for')
    .action(async (kind: string | undefined, name: string | undefined, options: ApproveOptions, command: Command) => {
      const client = ctx.client(command);
      if (kind !== undefined) {
        if (kind !== 'promotion') throw new CliError(`cannot approve "${kind}": use \`approve promotion NAME\` or \`approve --freight F --stage S\``);
        if (name === undefined || name === '') throw new CliError('approve promotion needs the promotion name');
        const promotion = await client.promotionAction(options.project, name, 'approve');
        const approvals = (promotion.status as { approvals?: { approvedBy: string; gate: string }[] }).approvals ?? [];
        const last = approvals.at(-1);
        ctx.out(`promotion ${name} approved${last ? ` by ${last.approvedBy} (${last.gate})` : ''}`);
        return;
      }
      if (options.freight === undefined || options.stage === undefined) {
        throw new CliError('approve needs --freight and --stage (or `approve promotion NAME`)');
      }
      const approval = await client.approveFreight(options.project, options.freight, options.stage);
      const who = approval.approvedBy ? ` by ${approval.approvedBy}` : '';
      ctx.out(
        approval.alreadyApproved
          ? `freight ${approval.alias} was already approved for stage ${approval.stage}${who} at ${approval.approvedAt}`
          : `freight ${approval.alias} approved for stage ${approval.stage}${who}`,
      );
    });
}
