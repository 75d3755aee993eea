/**
 * Every saved history (test/histories/<workflow>/<scenario>.json) replays against the current
 * workflow bundle: a change to workflow code that would break running executions fails here.
 * Needs no server. `npm run histories:capture` refreshes the corpus.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHistories, type SavedHistory } from '../support/histories.js';

const replayScript = fileURLToPath(new URL('../../scripts/replay-histories.mjs', import.meta.url));

interface ReplayResult {
  file: string;
  ok: boolean;
  errorName?: string;
  error?: string;
}

function replay(files: string[]): Promise<ReplayResult[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [replayScript, ...files], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
      if (lines.length === 0) reject(new Error(`replay produced nothing: ${String(err)} ${stderr}`));
      else resolve(lines.map((l) => JSON.parse(l) as ReplayResult));
    });
  });
}

let histories: SavedHistory[];
beforeAll(async () => {
  histories = await loadHistories();
});

describe('replay of saved histories', () => {
  it('has histories of every workflow type', () => {
    const workflows = new Set(histories.map((h) => h.workflow));
    expect([...workflows].sort()).toEqual(['audit', 'cluster', 'notification', 'project', 'promotion', 'verification', 'warehouse-scan']);
  });

  it('replays every saved history without a determinism violation', async () => {
    const results = await replay(histories.map((h) => h.path));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results).toHaveLength(histories.length);
  });

  it('detects a history that the code does not match', async () => {
    const saved = histories.find((h) => h.workflow === 'promotion')!;
    const history = JSON.parse(await readFile(saved.path, 'utf8')) as {
      events: { activityTaskScheduledEventAttributes?: { activityType?: { name: string } } }[];
    };
    const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType);
    scheduled!.activityTaskScheduledEventAttributes!.activityType!.name = 'someOtherActivity';
    const dir = await mkdtemp(join(tmpdir(), 'shunt-replay-'));
    try {
      const tampered = join(dir, 'tampered.json');
      await writeFile(tampered, JSON.stringify(history));
      const [result] = await replay([tampered]);
      expect(result).toMatchObject({ ok: false, errorName: 'DeterminismViolationError' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
