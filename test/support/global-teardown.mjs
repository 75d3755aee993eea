export default async function globalTeardown() {
  await globalThis.__shuntTemporal?.stop();
}
