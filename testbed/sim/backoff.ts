// The kubelet's exponential back-off (client-go flowcontrol.Backoff): 10 s doubling to 300 s,
// forgotten when nothing happened for twice the maximum. Used for image pulls and restarts.

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();
  constructor(
    private readonly initialMs = 10_000,
    private readonly maxMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one more failure at `at` and returns the new back-off. */
  next(key: string, at = this.now()): number {
    const e = this.entries.get(key);
    if (!e || at - e.lastUpdate > 2 * this.maxMs) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: at });
      return this.initialMs;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = at;
    return e.backoffMs;
  }

  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** True while less than the back-off has passed since `since` (crash loops). */
  inBackoffSince(key: string, since: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.now() - e.lastUpdate > 2 * this.maxMs) return false;
    return this.now() - since < e.backoffMs;
  }

  /** True while less than the back-off has passed since the last failure (image pulls). */
  inBackoffSinceUpdate(key: string): boolean {
    const e = this.entries.get(key);
    if (!e || this.now() - e.lastUpdate > 2 * this.maxMs) return false;
    return this.now() - e.lastUpdate < e.backoffMs;
  }

  /** Milliseconds until the back-off measured from `since` ends (0 when over). */
  remaining(key: string, since: number): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, since + e.backoffMs - this.now()) : 0;
  }

  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
