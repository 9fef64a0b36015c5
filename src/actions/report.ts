// The result of one stop as it is put together step by step, and its log lines.
import type { Logger } from 'pino';
import type { SpawnRef } from '../plugins/types.js';
import { spawnFields } from './context.js';
import type { StopPhase } from './record.js';
import type { StopOutcome, StopResult } from './types.js';

export class StopReport {
  readonly result: StopResult = { outcome: 'failed', run: 'new', eventsDeleted: 0, notes: [] };
  private readonly log: Logger;

  constructor(log: Logger, spawn: SpawnRef) {
    this.log = log.child(spawnFields(spawn));
  }

  note(text: string | undefined): void {
    if (text) this.result.notes.push(text);
  }

  resumed(from: StopPhase, category: string | undefined): void {
    this.result.run = 'resumed';
    this.result.resumedFrom = from;
    if (category) this.result.category = category;
    this.log.info({ phase: from }, 'finishing a stop recorded earlier (a restart or another replica)');
  }

  announced(at: Date, created: boolean, category: string | undefined): void {
    this.result.announcedAt = at;
    if (category) this.result.category = category;
    if (!created) this.note('diagnosis event already existed (an earlier attempt)');
  }

  ended(outcome: StopOutcome, at: Date | undefined, note?: string): void {
    this.result.outcome = outcome;
    if (at) this.result.endedAt = at;
    this.note(note);
  }

  deleted(n: number): void {
    this.result.eventsDeleted += n;
  }

  /** The final result, logged: `not-ours` at info (a pod of another hub is nothing to worry about). */
  done(outcome?: StopOutcome, note?: string): StopResult {
    if (outcome) this.result.outcome = outcome;
    this.note(note);
    const r = this.result;
    const fields = { outcome: r.outcome, run: r.run, eventsDeleted: r.eventsDeleted, notes: r.notes };
    if (r.outcome === 'failed') this.log.warn(fields, 'stop did not complete');
    else this.log.info(fields, r.outcome === 'not-ours' ? 'not this hub’s pod: left alone' : 'stop done');
    return r;
  }
}
