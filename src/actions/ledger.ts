// At most once, in this process: the one place that decides whether a stop of a pod UID runs. A
// second call while one runs joins it; after it finished, the earlier result is returned. A stop
// that failed may run again after a pause (it resumes from the stop record, never from scratch);
// a `not-ours` pod is never tried again. Across processes the stop record does the same
// (record.ts): the procedure reads it before anything else.
import type { StopResult } from './types.js';

export interface LedgerOptions {
  /** After a failed stop, how long until another call may run it again. */
  retryFailedMs?: number;
  /** How many finished stops are remembered (the oldest are forgotten first). */
  max?: number;
  now?: () => number;
}

export class StopLedger {
  private readonly running = new Map<string, Promise<StopResult>>();
  private readonly done = new Map<string, { result: StopResult; at: number }>();
  private readonly retryFailedMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(opts: LedgerOptions = {}) {
    this.retryFailedMs = opts.retryFailedMs ?? 15_000;
    this.max = opts.max ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  run(uid: string, stop: () => Promise<StopResult>): Promise<StopResult> {
    const running = this.running.get(uid);
    if (running) return running.then((r) => ({ ...r, run: 'joined' as const }));
    const done = this.done.get(uid);
    const again =
      done &&
      (done.result.unfinished ||
        (done.result.outcome === 'failed' && this.now() - done.at >= this.retryFailedMs));
    if (done && !again) {
      return Promise.resolve({ ...done.result, run: 'repeat' });
    }
    const p = stop()
      .then((result) => {
        this.remember(uid, result);
        return result;
      })
      .finally(() => this.running.delete(uid));
    this.running.set(uid, p);
    return p;
  }

  /** Whether a stop of this UID runs now (for the event informer's sweeper). */
  isRunning(uid: string): boolean {
    return this.running.has(uid);
  }

  private remember(uid: string, result: StopResult): void {
    this.done.delete(uid);
    this.done.set(uid, { result, at: this.now() });
    while (this.done.size > this.max) this.done.delete(this.done.keys().next().value as string);
  }
}
