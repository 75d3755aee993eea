/**
 * Batches that form while their first job waits for something (a lock): a job added under a key
 * whose batch has not started yet joins it; the batch closes when it starts, and later jobs
 * form the next one.
 */
export class FormingBatches<J> {
  private readonly forming = new Map<string, J[]>();

  constructor(private readonly maxSize: number) {}

  /**
   * Adds `job` to the batch forming under `key`. The job that starts a batch calls `start`
   * with `close`, which ends the forming and returns the batch's jobs.
   */
  add(key: string, job: J, start: (close: () => J[]) => void): void {
    const batch = this.forming.get(key);
    if (batch && batch.length < this.maxSize) {
      batch.push(job);
      return;
    }
    const mine = [job];
    this.forming.set(key, mine);
    start(() => {
      if (this.forming.get(key) === mine) this.forming.delete(key);
      return mine;
    });
  }

  /** Jobs in batches that have not started. */
  waiting(): number {
    let count = 0;
    for (const batch of this.forming.values()) count += batch.length;
    return count;
  }

  /** Takes `job` out of the batch forming under `key`; false when its batch has already started. */
  withdraw(key: string, job: J): boolean {
    const batch = this.forming.get(key);
    const at = batch?.indexOf(job) ?? -1;
    if (!batch || at < 0) return false;
    batch.splice(at, 1);
    return true;
  }
}
