/**
 * followFile (launcher/follow-file.ts) hands on every line appended to a file, in order, once:
 * lines already there, lines written later, a character split across two reads, and an
 * unfinished last line when stopped.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followFile } from '../../../launcher/follow-file.js';
import { eventually } from '../../support/poll.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'follow-file-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('followFile', () => {
  it('hands on the lines already written, then those appended later, each once', async () => {
    const file = join(dir, 'log');
    writeFileSync(file, 'one\ntwo\n');
    const lines: string[] = [];
    const follower = followFile(file, (line) => lines.push(line), 10);
    await eventually(async () => (lines.length === 2 ? true : undefined), 'the lines already written');
    appendFileSync(file, 'three\nfo');
    await eventually(async () => (lines.length === 3 ? true : undefined), 'the appended line');
    appendFileSync(file, 'ur\n');
    await eventually(async () => (lines.length === 4 ? true : undefined), 'the line finished by a second write');
    follower.stop();
    expect(lines).toEqual(['one', 'two', 'three', 'four']);
  });

  it('keeps a character whose bytes straddle two reads whole', () => {
    const file = join(dir, 'log');
    // 64 KiB is one read: the three bytes of "€" sit across its end.
    writeFileSync(file, `${'a'.repeat(64 * 1024 - 1)}€\n`);
    const lines: string[] = [];
    followFile(file, (line) => lines.push(line), 10_000).stop();
    expect(lines).toEqual([`${'a'.repeat(64 * 1024 - 1)}€`]);
  });

  it('hands on an unfinished last line when stopped, and nothing after', () => {
    const file = join(dir, 'log');
    writeFileSync(file, 'done\nhalf a li');
    const lines: string[] = [];
    const follower = followFile(file, (line) => lines.push(line), 10_000);
    follower.stop();
    appendFileSync(file, 'ne\n');
    follower.stop();
    expect(lines).toEqual(['done', 'half a li']);
  });

  it('throws for a file that is not there', () => {
    expect(() => followFile(join(dir, 'missing'), () => undefined)).toThrow(/ENOENT/);
  });
});
