import { Option, type Command } from 'commander';
import type { KargoList, KargoObject } from '../client.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import type { PromotionChanges } from '../../core/changes/git-reads.js';
import { formatDocument, formatTable, NONE, OUTPUT_FORMATS, shortId, type OutputFormat } from '../format.js';
import { GET_KINDS, parseGetKind } from '../kinds.js';
import { renderTable } from '../tables.js';
import { watch, watchable } from '../watch.js';
import { watchEvents } from '../watch-events.js';

interface GetOptions {
  project?: string;
  output: OutputFormat;
  watch?: boolean;
  stage?: string;
  actor?: string;
  action?: string;
  outcome?: string;
  limit?: string;
  changes?: boolean;
}

/** The audit trail's filters, passed to the api as they are (it says which one is wrong). */
const AUDIT_FILTERS = ['stage', 'actor', 'action', 'outcome', 'limit'] as const;

/** `shunt get projects|warehouses|stages|freight|promotions [NAME] [--project P] [-o json|yaml|table]` */
export function registerGet(program: Command, ctx: CommandContext): void {
  program
    .command('get')
    .description(`show resources: ${GET_KINDS.join(', ')} (singular names work too)`)
    .argument('<kind>', GET_KINDS.join('|'))
    .argument('[name]', 'one resource by name (freight: id or alias)')
    .option('--project <name>', 'the project (required for everything but projects)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('-w, --watch', 'stages, freight, promotions, events: print them, then each change as it happens (Ctrl-C ends)')
    .option('--changes', "promotion NAME: the commits it pushed and the diff of its files (patches with -o yaml|json)")
    .option('--stage <name>', 'audit: entries about this stage only')
    .option('--actor <name>', 'audit: entries of this actor only')
    .option('--action <action>', 'audit: apply, delete, promote, refresh, approve, retry, abort, verify, abort-verification, update or change')
    .option('--outcome <outcome>', 'audit: succeeded, denied, refused or failed')
    .option('--limit <n>', 'audit: at most this many entries (default 100)')
    .action(async (kindText: string, name: string | undefined, options: GetOptions, command: Command) => {
      const kind = parseGetKind(kindText);
      const client = ctx.client(command);
      const filters: Record<string, string> = {};
      for (const key of AUDIT_FILTERS) if (options[key] !== undefined) filters[key] = options[key];
      if (kind !== 'audit' && Object.keys(filters).length > 0) {
        throw new CliError(`--${Object.keys(filters).join(', --')} filter the audit trail only: shunt get audit --project P ...`);
      }
      if (options.changes) {
        if (kind !== 'promotions' || name === undefined) throw new CliError('--changes shows one promotion: shunt get promotion NAME --changes --project P');
        const project = options.project;
        if (project === undefined || project === '') throw new CliError('--project is required to get promotions');
        const changes = await client.promotionChanges(project, name);
        ctx.io.stdout(options.output === 'table' ? renderChanges(changes) : formatDocument(changes, options.output));
        return;
      }
      if (options.watch) {
        if (kind === 'events') {
          if (options.project === undefined || options.project === '') throw new CliError('--project is required to get events');
          if (name !== undefined) throw new CliError('events are listed, not fetched by name: drop the name');
          await watchEvents(ctx, client, { project: options.project, output: options.output, signal: ctx.io.signal });
          return;
        }
        if (!watchable(kind)) throw new CliError(`--watch follows stages, freight, promotions or events, not ${kind}`);
        const project = options.project;
        if (project === undefined || project === '') throw new CliError(`--project is required to get ${kind}`);
        await watch(ctx, client, { project, kind, output: options.output, signal: ctx.io.signal, ...(name === undefined ? {} : { name }) });
        return;
      }
      let document: KargoList | KargoObject;
      if (kind === 'projects') {
        document = name === undefined ? await client.listProjects() : await client.getProject(name);
      } else {
        const project = options.project;
        if (project === undefined || project === '') throw new CliError(`--project is required to get ${kind}`);
        if (kind === 'events' && name !== undefined) throw new CliError('events are listed, not fetched by name: drop the name');
        if (kind === 'audit' && name !== undefined) throw new CliError('audit entries are listed, not fetched by name: drop the name');
        document = kind === 'audit' ? await client.listAudit(project, filters) : name === undefined ? await client.list(project, kind) : await client.get(project, kind, name);
      }

      if (options.output !== 'table') {
        ctx.io.stdout(formatDocument(document, options.output));
        return;
      }
      const items = isList(document) ? document.items : [document];
      if (items.length === 0) {
        ctx.err(kind === 'projects' ? 'No projects found.' : `No ${kind} found in project ${options.project ?? ''}.`);
        return;
      }
      ctx.io.stdout(renderTable(kind, items, ctx.io.now()));
    });
}

/** A promotion's changes as two tables: its commits, then the files they changed with their line counts. */
function renderChanges(changes: PromotionChanges): string {
  if (changes.commits.length === 0) return 'The promotion pushed no commits of its own.\n';
  const commits = formatTable(
    ['COMMIT', 'BRANCH', 'AUTHOR', 'DATE', 'MESSAGE'],
    changes.commits.map((c) => [shortId(c.sha), c.branch ?? NONE, c.author, c.date, c.message.split('\n')[0] ?? '']),
  );
  const files = formatTable(
    ['FILE', 'CHANGE', '+', '-', 'REPOSITORY'],
    changes.files.map((f) => [f.previousPath === undefined ? f.path : `${f.previousPath} -> ${f.path}`, f.truncated ? `${f.change} (patch cut)` : f.change, String(f.additions), String(f.deletions), f.repoURL]),
  );
  return `${commits}\n${files}${changes.truncated ? '(more commits or files were left out)\n' : ''}`;
}

function isList(document: KargoList | KargoObject): document is KargoList {
  return document.kind === 'List' && Array.isArray((document as KargoList).items);
}
