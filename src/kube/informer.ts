// A small list+watch informer with the behaviour the service needs and can observe: a full list
// (which also yields deletes missed while away), a watch from its resourceVersion, a relist on
// `410 Gone`, a backoff on errors, a periodic resync, and a `synced` flag for /readyz.
// The transport is injected (ListWatchSource), so tests drive it with recorded objects.

export interface KubeObject {
  metadata?: { uid?: string; name?: string; namespace?: string; resourceVersion?: string };
}

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ListWatchSource<T> {
  list(): Promise<{ items: T[]; resourceVersion: string }>;
  /** Starts a watch; `onDone` is called once when it ends (err undefined on a clean close). */
  watch(
    resourceVersion: string,
    onEvent: (type: WatchType, obj: unknown) => void,
    onDone: (err?: unknown) => void,
  ): Promise<{ abort(): void }>;
}

export interface InformerHandlers<T> {
  upsert(obj: T): void;
  delete(obj: T): void;
  /** Every (re)start of the watch loop, with why: 'gone' (410), 'error', 'closed', 'resync'. */
  restart?(reason: 'gone' | 'error' | 'closed' | 'resync', err?: unknown): void;
  synced?(): void;
}

export interface InformerOptions {
  resyncMs: number;
  /** First backoff after an error; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  statusOf?: (err: unknown) => number | undefined;
}

export class GoneError extends Error {
  constructor() {
    super('resourceVersion too old (410 Gone)');
  }
}

function keyOf(obj: KubeObject): string {
  const md = obj.metadata ?? {};
  return md.uid || `${md.namespace ?? ''}/${md.name ?? ''}`;
}

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private current?: { abort(): void };
  private stopped = true;
  private resyncTimer?: NodeJS.Timeout;
  private backoffTimer?: NodeJS.Timeout;
  private backoff: number;
  private isSynced = false;
  private generation = 0;

  constructor(
    readonly name: string,
    private readonly source: ListWatchSource<T>,
    private readonly handlers: InformerHandlers<T>,
    private readonly opts: InformerOptions,
  ) {
    this.backoff = opts.backoffMs ?? 500;
  }

  get synced(): boolean {
    return this.isSynced;
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncMs);
    this.resyncTimer.unref();
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    clearInterval(this.resyncTimer);
    clearTimeout(this.backoffTimer);
    this.current?.abort();
    this.current = undefined;
  }

  private resync(): void {
    if (this.stopped) return;
    this.handlers.restart?.('resync');
    this.generation++;
    this.current?.abort();
    this.current = undefined;
    void this.relist();
  }

  private async relist(): Promise<void> {
    const gen = this.generation;
    let listed: { items: T[]; resourceVersion: string };
    try {
      listed = await this.source.list();
    } catch (err) {
      if (gen === this.generation) this.retryLater('error', err, () => this.relist());
      return;
    }
    if (this.stopped || gen !== this.generation) return;
    const seen = new Set<string>();
    for (const item of listed.items) {
      const key = keyOf(item);
      seen.add(key);
      this.apply('upsert', key, item);
    }
    for (const [key, old] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.safe(() => this.handlers.delete(old));
      }
    }
    this.resourceVersion = listed.resourceVersion;
    this.backoff = this.opts.backoffMs ?? 500;
    if (!this.isSynced) {
      this.isSynced = true;
      this.safe(() => this.handlers.synced?.());
    }
    await this.watch(gen);
  }

  private async watch(gen: number): Promise<void> {
    let gone = false;
    const onEvent = (type: WatchType, raw: unknown) => {
      if (gen !== this.generation) return;
      const obj = raw as T & { code?: number };
      if (type === 'ERROR') {
        if (obj?.code === 410) gone = true;
        return;
      }
      const rv = obj?.metadata?.resourceVersion;
      if (type === 'BOOKMARK') {
        if (rv) this.resourceVersion = rv;
        return;
      }
      if (!obj?.metadata) return;
      const key = keyOf(obj);
      if (type === 'DELETED') {
        this.cache.delete(key);
        this.safe(() => this.handlers.delete(obj));
      } else {
        this.apply('upsert', key, obj);
      }
      if (rv) this.resourceVersion = rv;
    };
    const onDone = (err?: unknown) => {
      if (gen !== this.generation || this.stopped) return;
      this.current = undefined;
      const status = err === undefined ? undefined : (this.opts.statusOf?.(err) ?? undefined);
      if (gone || status === 410 || err instanceof GoneError) {
        this.handlers.restart?.('gone', err);
        this.resourceVersion = '';
        void this.relist();
      } else if (err !== undefined && err !== null) {
        this.retryLater('error', err, () => this.watchOrRelist(gen));
      } else {
        this.handlers.restart?.('closed');
        void this.watchOrRelist(gen);
      }
    };
    try {
      this.current = await this.source.watch(this.resourceVersion, onEvent, onDone);
    } catch (err) {
      onDone(err ?? new Error('watch failed'));
    }
  }

  private watchOrRelist(gen: number): Promise<void> {
    if (gen !== this.generation || this.stopped) return Promise.resolve();
    return this.resourceVersion ? this.watch(gen) : this.relist();
  }

  private retryLater(reason: 'error', err: unknown, again: () => Promise<void>): void {
    if (this.stopped) return;
    this.handlers.restart?.(reason, err);
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 30_000);
    this.backoffTimer = setTimeout(() => void again(), delay);
    this.backoffTimer.unref();
  }

  private apply(_kind: 'upsert', key: string, obj: T): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    const same =
      old?.metadata?.resourceVersion !== undefined &&
      old.metadata.resourceVersion === obj.metadata?.resourceVersion;
    if (!same) this.safe(() => this.handlers.upsert(obj));
  }

  /** A handler's bug must not stop the watch. */
  private safe(fn: () => void): void {
    try {
      fn();
    } catch {
      // handlers log their own errors; the informer keeps going
    }
  }
}
