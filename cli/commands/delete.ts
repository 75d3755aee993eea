import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { resourceRef } from '../format.js';
import { parseDeleteKind } from '../kinds.js';

interface DeleteOptions {
  project?: string;
}

/** `shunt delete stage|warehouse|freight|project NAME [--project P]` (freight: id or alias) */
export function registerDelete(program: Command, ctx: CommandContext): void {
  program
    .command('delete')
    .description('delete a stage, a warehouse, a freight no stage holds, or a whole project')
    .argument('<kind>', 'stage|warehouse|freight|project')
    .argument('<name>', 'the name of the resource (freight: its id or alias; for a project: the project)')
    .option('--project <name>', 'the project holding the stage, warehouse or freight')
    .action(async (kindText: string, name: string, options: DeleteOptions, command: Command) => {
      const kind = parseDeleteKind(kindText);
      const client = ctx.client(command);
      if (kind === 'project') {
        await client.deleteProject(name);
      } else if (kind === 'freight') {
        const project = options.project;
        if (project === undefined || project === '') throw new CliError('--project is required to delete a freight');
        const deleted = await client.deleteFreight(project, name);
        ctx.out(`freight ${deleted.details.name} (${deleted.alias}) deleted`);
        for (const p of deleted.abortedPromotions) ctx.out(`promotion ${p} aborted: it was queued with that freight`);
        return;
      } else {
        const project = options.project;
        if (project === undefined || project === '') throw new CliError(`--project is required to delete a ${kind}`);
        await client.deleteResource(project, kind === 'stage' ? 'stages' : 'warehouses', name);
      }
      ctx.out(`${resourceRef(kind, name)} deleted`);
    });
}
