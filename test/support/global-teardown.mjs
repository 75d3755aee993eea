export default async function globalTeardown() {
  await globalThis.__shuntTemporal?.stop();
  if (process.env.SHUNT_REALKUBE_NOT_RUN) process.stderr.write(`\nreal-kube suites NOT RUN: ${process.env.SHUNT_REALKUBE_NOT_RUN}\n`);
}
