/**
 * When the worker and the api count as orphans of their launcher (launcher/orphan-guard.ts):
 * the IPC channel closed, or re-parented away from SHUNT_LAUNCHER_PID; never when started
 * without a launcher. A malformed SHUNT_LAUNCHER_PID is a clear error.
 */
import { launcherPidFrom, orphanedBecause } from '../../../launcher/orphan-guard.js';

const alive = { hasChannel: true, connected: true, launcherPid: 4242, ppid: 4242 };

describe('orphanedBecause', () => {
  it('is undefined while the launcher is the parent and the channel is open', () => {
    expect(orphanedBecause(alive)).toBeUndefined();
  });

  it("names the launcher's closed IPC channel", () => {
    expect(orphanedBecause({ ...alive, connected: false })).toBe("the launcher's IPC channel closed");
  });

  it('names the new parent once the process was re-parented, even with the channel still open', () => {
    expect(orphanedBecause({ ...alive, ppid: 1 })).toBe('the parent is now pid 1, not the launcher (pid 4242)');
  });

  it('watches the parent pid alone when there is no channel, and nothing when there is neither', () => {
    expect(orphanedBecause({ hasChannel: false, connected: false, launcherPid: 4242, ppid: 4242 })).toBeUndefined();
    expect(orphanedBecause({ hasChannel: false, connected: false, launcherPid: 4242, ppid: 77 })).toContain('pid 77');
    expect(orphanedBecause({ hasChannel: false, connected: false, launcherPid: undefined, ppid: 1 })).toBeUndefined();
  });
});

describe('launcherPidFrom', () => {
  it('reads SHUNT_LAUNCHER_PID, absent or empty meaning no launcher', () => {
    expect(launcherPidFrom({ SHUNT_LAUNCHER_PID: '4242' })).toBe(4242);
    expect(launcherPidFrom({})).toBeUndefined();
    expect(launcherPidFrom({ SHUNT_LAUNCHER_PID: '' })).toBeUndefined();
  });

  it.each(['0', '-1', '12abc', '1.5', ' 42'])('rejects %j with a clear error', (raw) => {
    expect(() => launcherPidFrom({ SHUNT_LAUNCHER_PID: raw })).toThrow(
      `SHUNT_LAUNCHER_PID must be a process id (a positive integer), got "${raw}"`,
    );
  });
});
