import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { resourceRef } from '../format.js';
import { parseDeleteKind } from '../kinds.js';

interface DeleteOptions {
  project?: string;
}

/** `shunt delete stage|warehouse|project NAME [--project P]` */
export function registerDelete(program: Command, ctx: CommandContext): void {
  program
    .command('delete')
    .description('delete a stage, a warehouse, or a whole project')
    .argument('<kind>', 'stage|warehouse|project')
    .argument('<name>', 'the name of the resource (for a project: the project)')
    .option('--project <name>', 'the project holding the stage or warehouse')
    .action(async (kindText: string, name: string, options: DeleteOptions, command: Command) => {
      const kind = parseDeleteKind(kindText);
      const client = ctx.client(command);
      if (kind === 'project') {
        await client.deleteProject(name);
      } else {
        const project = options.project;
        if (project === undefined || project === '') throw new CliError(`--project is required to delete a ${kind}`);
        await client.deleteResource(project, kind === 'stage' ? 'stages' : 'warehouses', name);
      }
      ctx.out(`${resourceRef(kind, name)} deleted`);
    });
}
