/** The CLI against an api that requires tokens: --token / SHUNT_TOKEN, refusals, `shunt get events`. */
import { enforcedAccess } from '../../api/auth/index.js';
import { authConfig, TOKENS } from './auth-fixtures.js';
import { demoBackend, startApi, type RunningApi } from './support.js';
import { shunt as runShunt, type CliResult } from '../support/cli.js';

const NOW = new Date('2026-01-03T00:00:00.000Z');
let api: RunningApi;

beforeEach(async () => {
  api = await startApi({ backend: demoBackend(), access: enforcedAccess(authConfig()) });
});
afterEach(() => api.close());

const shunt = (argv: string[], env: Record<string, string> = {}): Promise<CliResult> => runShunt(argv, { server: api.url, env, now: () => NOW, pollIntervalMs: 5 });

describe('shunt with access control', () => {
  it('says the api needs a token when none is given', async () => {
    const result = await shunt(['get', 'stages', '--project', 'demo']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: this api requires a bearer token: send "Authorization: Bearer <token>" \(shunt --token or SHUNT_TOKEN\)/);
  });

  it('sends --token, and SHUNT_TOKEN from the environment', async () => {
    expect((await shunt(['--token', TOKENS.viewer, 'get', 'stages', '--project', 'demo'])).code).toBe(0);
    expect((await shunt(['get', 'stages', '--project', 'demo'], { SHUNT_TOKEN: TOKENS.viewer })).code).toBe(0);
  });

  it('prints the reason of a refusal', async () => {
    const result = await shunt(['promote', '--project', 'demo', '--freight', 'tidy-otter', '--stage', 'prod'], { SHUNT_TOKEN: TOKENS.developer });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: dev-dana .* may not promote to stage "prod" of project "demo": that needs the promoter role there/);
  });

  it('lists the audit trail with `shunt get events`, newest first', async () => {
    await shunt(['promote', '--project', 'demo', '--freight', 'tidy-otter', '--stage', 'staging'], { SHUNT_TOKEN: TOKENS.developer });
    await shunt(['promote', '--project', 'demo', '--freight', 'tidy-otter', '--stage', 'prod'], { SHUNT_TOKEN: TOKENS.developer });
    const table = await shunt(['get', 'events', '--project', 'demo'], { SHUNT_TOKEN: TOKENS.viewer });
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^AGE\s+ACTOR\s+ACTION\s+TARGET\s+OUTCOME\s+MESSAGE$/);
    expect(lines[1]).toMatch(/dev-dana\s+promote\s+stage=prod freight=tidy-otter\s+denied \(403\)\s+dev-dana .*needs the promoter role there/);
    expect(lines[2]).toMatch(/dev-dana\s+promote\s+stage=staging freight=tidy-otter promotion=staging\.\S+\s+succeeded \(201\)/);

    const json = JSON.parse((await shunt(['get', 'events', '--project', 'demo', '-o', 'json'], { SHUNT_TOKEN: TOKENS.viewer })).stdout);
    expect(json.items.map((e: { outcome: string }) => e.outcome)).toEqual(['denied', 'succeeded']);
  });

  it('refuses a name with `get events`', async () => {
    const result = await shunt(['get', 'events', 'x', '--project', 'demo'], { SHUNT_TOKEN: TOKENS.viewer });
    expect(result.stderr).toBe('error: events are listed, not fetched by name: drop the name\n');
  });
});
