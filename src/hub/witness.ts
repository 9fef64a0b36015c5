// Our own progress stream of a spawn, read in the background for the whole stop: it tells which
// Events the hub has forwarded, and it is the strongest witness that the spawn is still pending.
// JupyterHub binds a progress stream to the spawn that is pending when the stream is opened
// (`SpawnProgressAPIHandler.get`, `iterate_until(spawn_future, …)`) and sends its final
// `failed`/`ready` event as soon as that spawn resolves; so while this stream is open and has not
// ended, that spawn is pending (up to the time the final event takes to reach us).
import type { HubClient } from './client.js';
import { HubHttpError } from './errors.js';
import type { ProgressEvent } from './progress.js';

export type WitnessState =
  | { kind: 'live' }
  /** The hub sent the final event: the spawn this stream was opened for has resolved. */
  | { kind: 'ended'; at: number; how: 'failed' | 'ready'; message?: string }
  /** The stream broke or closed without a final event: it proves nothing any more. */
  | { kind: 'lost'; at: number; why: string };

export type OpenedWitness =
  | { kind: 'open'; witness: ProgressWitness }
  /** 404: the hub does not know this user or server. */
  | { kind: 'not-found'; message: string }
  /** Any other refusal or failure (400 "not starting", 401/403, 5xx, network, timeout). */
  | { kind: 'problem'; status?: number; message: string };

export class ProgressWitness {
  private current: WitnessState = { kind: 'live' };
  private readonly uids = new Set<string>();
  private readonly names = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private badEvents = 0;

  private constructor(private readonly abort: AbortController) {}

  /** Opens the stream; resolves once the hub answered (200, or why not), within `connectMs`. */
  static async open(
    hub: HubClient,
    user: string,
    server: string,
    opts: { connectMs: number; now?: () => number },
  ): Promise<OpenedWitness> {
    const abort = new AbortController();
    const witness = new ProgressWitness(abort);
    const now = opts.now ?? Date.now;
    const timer = setTimeout(
      () => abort.abort(new Error(`no answer within ${opts.connectMs} ms`)),
      opts.connectMs,
    );
    let events: AsyncGenerator<ProgressEvent>;
    try {
      events = await hub.openProgress(user, server, {
        signal: abort.signal,
        onBadEvent: () => void witness.badEvents++,
      });
    } catch (err) {
      const timedOut = abort.signal.aborted;
      abort.abort();
      if (err instanceof HubHttpError && err.status === 404)
        return { kind: 'not-found', message: err.message };
      if (err instanceof HubHttpError) return { kind: 'problem', status: err.status, message: err.message };
      const message = timedOut
        ? `${hub.name}: no answer to the progress stream within ${opts.connectMs} ms`
        : err instanceof Error
          ? err.message
          : String(err);
      return { kind: 'problem', message };
    } finally {
      clearTimeout(timer);
    }
    void witness.consume(events, now);
    return { kind: 'open', witness };
  }

  get state(): WitnessState {
    return this.current;
  }

  /** How many payloads were not valid progress events (for logs). */
  get bad(): number {
    return this.badEvents;
  }

  /** Whether the stream has forwarded this Kubernetes Event (by uid, or name). */
  carried(target: { uid?: string; name?: string }): boolean {
    return (!!target.uid && this.uids.has(target.uid)) || (!!target.name && this.names.has(target.name));
  }

  /** Resolves true once `test()` holds, false when the stream is no longer live or `ms` passed. */
  until(test: () => boolean, ms: number): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    if (this.current.kind !== 'live') return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(v);
      };
      const check = () => {
        if (test()) done(true);
        else if (this.current.kind !== 'live') done(false);
      };
      const timer = setTimeout(() => done(false), ms);
      this.listeners.add(check);
    });
  }

  /** Resolves when the stream is no longer live (ended or lost). */
  settled(): Promise<WitnessState> {
    return new Promise((resolve) => {
      if (this.current.kind !== 'live') return resolve(this.current);
      const check = () => {
        if (this.current.kind === 'live') return;
        this.listeners.delete(check);
        resolve(this.current);
      };
      this.listeners.add(check);
    });
  }

  close(): void {
    this.abort.abort();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private async consume(events: AsyncGenerator<ProgressEvent>, now: () => number): Promise<void> {
    try {
      for await (const ev of events) {
        const md = ev.raw_event?.metadata;
        if (md?.uid) this.uids.add(md.uid);
        if (md?.name) this.names.add(md.name);
        if (ev.failed || ev.ready) {
          this.current = {
            kind: 'ended',
            at: now(),
            how: ev.failed ? 'failed' : 'ready',
            ...(ev.message ? { message: ev.message } : {}),
          };
          this.notify();
          return;
        }
        this.notify();
      }
      this.current = { kind: 'lost', at: now(), why: 'the hub closed the stream without a final event' };
    } catch (err) {
      this.current = { kind: 'lost', at: now(), why: err instanceof Error ? err.message : String(err) };
    } finally {
      if (this.current.kind === 'live') this.current = { kind: 'lost', at: now(), why: 'closed by us' };
      this.notify();
      this.abort.abort();
    }
  }
}
