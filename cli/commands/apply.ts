import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { resourceRef } from '../format.js';
import { readManifestFiles } from '../manifest-files.js';

interface ApplyOptions {
  filename: string[];
  dryRun: boolean;
}

/** `shunt apply -f FILE|DIR [-f ...] [--dry-run]` */
export function registerApply(program: Command, ctx: CommandContext): void {
  program
    .command('apply')
    .description('apply Kargo manifests from files or directories (every *.yaml / *.yml inside, recursively)')
    .requiredOption('-f, --filename <path>', 'a manifest file or a directory; repeat for more', collect)
    .option('--dry-run', 'validate and show what would change, without changing anything', false)
    .action(async (options: ApplyOptions, command: Command) => {
      const files = await readManifestFiles(options.filename, ctx.io.cwd);
      const result = await ctx.client(command).apply(files, options.dryRun);
      const suffix = result.dryRun ? ' (dry run)' : '';
      for (const r of result.results) ctx.out(`${resourceRef(r.kind, r.name)} ${r.action}${suffix}`);
      for (const hint of result.hints) ctx.out(`hint: ${hint}`);
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
