/** The CLI against an api that requires tokens: --token / SHUNT_TOKEN, refusals, `shunt get events` (lifecycle events: test/api/events.test.ts). */
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

  it('refuses a name with `get events`', async () => {
    const result = await shunt(['get', 'events', 'x', '--project', 'demo'], { SHUNT_TOKEN: TOKENS.viewer });
    expect(result.stderr).toBe('error: events are listed, not fetched by name: drop the name\n');
  });
});
