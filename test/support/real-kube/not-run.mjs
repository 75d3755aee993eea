// Whether the real-kube suites (test/realkube) can run here, decided once when jest loads its
// config: undefined when they can, else why not (printed as "real-kube suites NOT RUN: <why>").
// In CI (CI=true) they always run, so a missing build fails them loudly instead of hiding them.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../../scripts/build-kube-tools.sh', import.meta.url));

export function realKubeNotRun() {
  if (process.env.CI === 'true' || process.env.CI === '1') return undefined;
  try {
    execFileSync('bash', [script, '--check'], { stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (err) {
    const why = `${String(err.stderr ?? err.message).trim()}; build them with scripts/build-kube-tools.sh (needs Go and the Go module proxy)`;
    process.env.SHUNT_REALKUBE_NOT_RUN = why;
    process.stderr.write(`real-kube suites NOT RUN: ${why}\n`);
    return why;
  }
}
