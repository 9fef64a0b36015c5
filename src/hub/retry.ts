// Retry with exponential backoff and jitter, bounded by attempts and by an abort signal.
// Shared by the hub client and the actions; the caller decides what is worth retrying.

export interface RetryOptions {
  /** Total attempts, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubles each time, capped by maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Whether this error is worth another attempt. */
  retryable: (err: unknown) => boolean;
  signal?: AbortSignal;
  /** Called before each wait, for logs. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** For tests: a deterministic jitter in [0, 1). */
  random?: () => number;
}

/** The delay before attempt `attempt + 1` (attempt counts from 1): full jitter over the upper half. */
export function backoffDelay(
  attempt: number,
  base: number,
  max: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  let attempt = 1;
  for (;;) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.attempts || !opts.retryable(err) || opts.signal?.aborted) throw err;
      const delay = backoffDelay(attempt, opts.baseDelayMs, opts.maxDelayMs, opts.random);
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay, opts.signal);
      attempt++;
    }
  }
}
