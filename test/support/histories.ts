import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { resolveTemporalTool } from '../../launcher/temporal-binary.js';

export const HISTORIES_DIR = fileURLToPath(new URL('../histories', import.meta.url));

/**
 * Saves a workflow's history as test/histories/<workflow>/<scenario>.json, when
 * SHUNT_CAPTURE_HISTORIES=1 (npm run histories:capture). An existing file is kept: histories
 * recorded by older workflow code are what the replay suite must keep replaying. Set
 * SHUNT_CAPTURE_HISTORIES=overwrite to record them all again.
 */
export async function saveHistory(client: Client, workflowId: string, workflow: string, scenario: string): Promise<void> {
  await saveHistoryAt(process.env.TEMPORAL_ADDRESS ?? '', client.options.namespace, workflowId, workflow, scenario);
}

/** saveHistory for a server of the test's own (e.g. the embedded one a launched Shunt started). */
export async function saveHistoryAt(address: string, namespace: string, workflowId: string, workflow: string, scenario: string): Promise<void> {
  const mode = process.env.SHUNT_CAPTURE_HISTORIES;
  if (mode !== '1' && mode !== 'overwrite') return;
  if (mode === '1' && existsSync(join(HISTORIES_DIR, workflow, `${scenario}.json`))) return;
  // The CLI writes the proto3 JSON form replay reads, independent of jest's module registry.
  const { stdout } = await promisify(execFile)(
    process.env.TEMPORAL_CLI_PATH ?? resolveTemporalTool('temporal'),
    ['workflow', 'show', '--workflow-id', workflowId, '--namespace', namespace, '--address', address, '--output', 'json'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const dir = join(HISTORIES_DIR, workflow);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${scenario}.json`), `${JSON.stringify(JSON.parse(stdout), null, 2)}\n`);
}

export interface SavedHistory {
  workflow: string;
  scenario: string;
  path: string;
  history: unknown;
}

export async function loadHistories(): Promise<SavedHistory[]> {
  const found: SavedHistory[] = [];
  for (const workflow of (await readdir(HISTORIES_DIR, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const file of (await readdir(join(HISTORIES_DIR, workflow.name))).filter((f) => f.endsWith('.json')).sort()) {
      const path = join(HISTORIES_DIR, workflow.name, file);
      found.push({ workflow: workflow.name, scenario: file.replace(/\.json$/, ''), path, history: JSON.parse(await readFile(path, 'utf8')) });
    }
  }
  return found;
}

/**
 * A history as searchable text: its JSON, plus every byte field (payload data, metadata)
 * decoded as UTF-8, since JSON.stringify renders a Uint8Array as a list of numbers and would
 * hide a secret inside a payload.
 */
export function historyText(history: unknown): string {
  const decoded: string[] = [];
  const walk = (value: unknown): void => {
    if (value instanceof Uint8Array) decoded.push(Buffer.from(value).toString('utf8'));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
  };
  walk(history);
  return `${JSON.stringify(history)}\n${decoded.join('\n')}`;
}

/** A marker event's attributes, as a saved history (base64 payload text) or a live server (bytes) gives them. */
export type MarkerAttributes = { markerName?: string | null; details?: Record<string, { payloads?: { data?: string | Uint8Array | null }[] | null }> | null } | null | undefined;

/** The JSON of a marker's first payload under `key`: base64 text in a saved history, bytes from a live server. */
function markerJson<T>(marker: MarkerAttributes, key: string): T | undefined {
  const data = marker?.details?.[key]?.payloads?.[0]?.data;
  if (!data) return undefined;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data);
  return JSON.parse(bytes.toString('utf8')) as T;
}

/**
 * The activity type a local activity's marker records (`core_local_activity`), from the marker's
 * `details.data` payload; undefined for any other marker.
 */
export function localActivityType(marker: MarkerAttributes): string | undefined {
  if (marker?.markerName !== 'core_local_activity') return undefined;
  return markerJson<{ activity_type?: string }>(marker, 'data')?.activity_type;
}

/** The patch id a `patched()` marker (`core_patch`) records; undefined for any other marker. */
function patchId(marker: MarkerAttributes): string | undefined {
  if (marker?.markerName !== 'core_patch') return undefined;
  return markerJson<{ id?: string }>(marker, 'patch-data')?.id;
}

/** The patch ids of a history's `patched()` markers, in order. */
export function patchIds(events: readonly { markerRecordedEventAttributes?: MarkerAttributes }[]): string[] {
  return events.flatMap((e) => {
    const id = patchId(e.markerRecordedEventAttributes);
    return id ? [id] : [];
  });
}
