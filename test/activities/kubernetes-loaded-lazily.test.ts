/**
 * A worker without a cluster never loads @kubernetes/client-node (~35 MB resident): the worker
 * and its activities load, and the library would throw if anything imported it on the way.
 */
import { jest } from '@jest/globals';

jest.unstable_mockModule('@kubernetes/client-node', () => {
  throw new Error('@kubernetes/client-node was loaded by a worker without a cluster');
});

describe('a worker without a cluster', () => {
  it('loads its activities and workers without @kubernetes/client-node', async () => {
    await expect(import('../../worker/create-workers.js')).resolves.toBeDefined();
    await expect(import('../../activities/index.js')).resolves.toBeDefined();
  });

  it('loads it when a cluster connection is made (the check above would see a static import)', async () => {
    await expect(import('../../activities/adapters/kubernetes/client.js')).rejects.toThrow('was loaded by a worker without a cluster');
  });
});
