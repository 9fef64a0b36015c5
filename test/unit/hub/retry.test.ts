import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, retry } from '../../../src/hub/retry.js';

test('backoff doubles up to the cap, with jitter in the upper half', () => {
  assert.equal(
    backoffDelay(1, 100, 1000, () => 0),
    50,
  );
  assert.equal(
    backoffDelay(1, 100, 1000, () => 0.999999),
    100,
  );
  assert.equal(
    backoffDelay(3, 100, 1000, () => 0),
    200,
  );
  assert.equal(
    backoffDelay(10, 100, 1000, () => 0.999999),
    1000,
  );
});

test('retries retryable errors up to the attempt limit, then rethrows the last', async () => {
  let calls = 0;
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw new Error(`fail ${calls}`);
      },
      { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, retryable: () => true },
    ),
    /fail 3/,
  );
  assert.equal(calls, 3);
});

test('stops at once on a non-retryable error and returns the first success', async () => {
  let calls = 0;
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw new Error('permanent');
      },
      {
        attempts: 5,
        baseDelayMs: 1,
        maxDelayMs: 2,
        retryable: (e) => !(e as Error).message.includes('permanent'),
      },
    ),
    /permanent/,
  );
  assert.equal(calls, 1);
  const seen: number[] = [];
  const v = await retry(
    async (attempt) => {
      seen.push(attempt);
      if (attempt < 2) throw new Error('transient');
      return 'ok';
    },
    { attempts: 5, baseDelayMs: 1, maxDelayMs: 2, retryable: () => true },
  );
  assert.equal(v, 'ok');
  assert.deepEqual(seen, [1, 2]);
});

test('an aborted signal ends the waiting (with its reason) and stops further attempts', async () => {
  const ac = new AbortController();
  let calls = 0;
  const p = retry(
    async () => {
      calls++;
      throw new Error('x');
    },
    {
      attempts: 5,
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      retryable: () => true,
      signal: ac.signal,
      onRetry: () => ac.abort(new Error('aborted')),
    },
  );
  await assert.rejects(p, /aborted/);
  assert.equal(calls, 1);
});
