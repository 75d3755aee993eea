// Starts one real Temporal dev server (in memory, Shunt's search attributes registered) for the
// whole jest run and publishes its address in TEMPORAL_ADDRESS. With TEMPORAL_ADDRESS already
// set, that server is used and none is started. It fails loudly, never skips, when no binary
// can be found: scripts/install-tools.mjs says what to do. Runs from dist/ (npm test builds
// first); SHUNT_NO_TEMPORAL=1 (npm run test:unit) starts nothing, for the pure unit tests.
import { existsSync } from 'node:fs';

export default async function globalSetup() {
  // The suites' git servers, registries and http endpoints listen on loopback: allowed here
  // explicitly (the egress policy refuses loopback by default); Temporal's port stays refused.
  process.env.SHUNT_EGRESS_ALLOW ??= '127.0.0.0/8,::1';
  // The tests' git remotes are local repositories (file://); Shunt's own default allows only
  // http, https and ssh (activities/adapters/git/hermetic-env.ts).
  process.env.GIT_ALLOW_PROTOCOL ??= 'file:http:https:ssh';
  if (process.env.SHUNT_NO_TEMPORAL === '1' || process.env.TEMPORAL_ADDRESS) return;
  const dist = new URL('../../dist/launcher/', import.meta.url);
  if (!existsSync(dist)) throw new Error('dist/ is missing: run `npm run build` first (npm test does it for you)');
  const { startEmbeddedTemporal } = await import(new URL('embedded-temporal.js', dist).href);
  const { freePort } = await import(new URL('free-port.js', dist).href);
  const { resolveTemporalTool } = await import(new URL('temporal-binary.js', dist).href);
  const binary = resolveTemporalTool('temporal');
  process.env.TEMPORAL_TEST_SERVER_PATH ??= resolveTemporalTool('temporal-test-server');
  process.env.TEMPORAL_CLI_PATH ??= binary;
  const { TEST_NAMESPACES } = await import(new URL('../../test/support/namespaces.mjs', import.meta.url).href);
  const server = await startEmbeddedTemporal({
    binary,
    port: await freePort(),
    extraNamespaces: TEST_NAMESPACES,
    readyTimeoutMs: 90_000,
  });
  process.env.TEMPORAL_ADDRESS = server.address;
  globalThis.__shuntTemporal = server;
}
