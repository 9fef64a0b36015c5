// One stop's record, moved step by step (record.ts) by the steps of that stop, one write at a time.
// A conflict means another replica moved it: the keeper reads it again and says so.
import type { SpawnRef } from '../plugins/types.js';
import type { StopDeps } from './context.js';
import { advance, type StopPhase, withStarted } from './record.js';
import { type Recorded, readRecorded, writeRecord } from './record-store.js';

export type StepResult =
  | 'ok'
  /** Not a step from where the record is (e.g. already retired): nothing written. */
  | 'skipped'
  /** Another replica moved the record, or the Event is gone. */
  | 'conflict';

export class RecordKeeper {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly d: StopDeps,
    private readonly spawn: SpawnRef,
    private current: Recorded,
  ) {}

  get recorded(): Recorded {
    return this.current;
  }

  /** Moves the record to `to` (and with `retire`, unnames the pod in the same write). */
  step(to: StopPhase, opts: { started?: string; retire?: boolean } = {}): Promise<StepResult> {
    return this.serial(async () => {
      const next = advance(this.current.record, to, this.d.instance, this.d.now(), opts);
      if (!next.ok) return 'skipped';
      return this.write(next.record, opts.retire);
    });
  }

  /** Adds the hub's `started` of the spawn, once learnt. */
  learnStarted(started: string): Promise<StepResult> {
    return this.serial(async () => {
      const next = withStarted(this.current.record, started);
      if ('error' in next) return 'conflict';
      if (next === this.current.record) return 'ok';
      return this.write(next);
    });
  }

  private async write(record: Recorded['record'], retire?: boolean): Promise<StepResult> {
    const written = await writeRecord(this.d, this.spawn, this.current, record, retire ? { retire } : {});
    if (written !== 'conflict') {
      this.current = written;
      return 'ok';
    }
    const now = await readRecorded(this.d, this.spawn).catch(() => undefined);
    if (now) this.current = now;
    return 'conflict';
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }
}
