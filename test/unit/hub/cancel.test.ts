// HubClient.cancelPendingSpawn, the only sender of the DELETE, with a scripted hub (an injected
// fetch) and a scripted check: the check runs before every attempt, an ambiguous answer is
// followed by the check and never by a blind resend, a proof for another pod or spawn is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CancelRequest, Recheck } from '../../../src/hub/cancel.js';
import { proofFits } from '../../../src/hub/cancel.js';
import { HubClient } from '../../../src/hub/client.js';

type Answer = { status: number; body?: string } | 'reset';

/** A hub that answers DELETEs from a script, and the calls it got. */
function scriptedHub(answers: Answer[]) {
  const calls: string[] = [];
  const fetchImpl = (async (url: string | URL, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`);
    const a = answers.shift();
    if (!a) throw new Error('no more answers scripted');
    if (a === 'reset') throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    return new Response(a.status === 204 ? null : (a.body ?? ''), { status: a.status });
  }) as typeof fetch;
  const client = new HubClient({
    name: 'test',
    apiUrl: 'http://hub.example/hub/api',
    token: () => 't',
    attempts: 3,
    baseDelayMs: 1,
    fetch: fetchImpl,
  });
  return { client, calls };
}

const SAME: Recheck = { same: true, uid: 'pod-1', started: '2026-01-01T10:00:00.123456Z' };
const ENDED: Recheck = { same: false, kind: 'ended', why: "the hub's progress stream of this spawn ended" };

function request(checks: Recheck[], log: string[]): CancelRequest {
  return {
    user: 'u',
    server: '',
    podUid: 'pod-1',
    started: '2026-01-01T10:00:00.123456Z',
    recheck: async () => {
      log.push('check');
      const c = checks.shift();
      if (!c) throw new Error('no more checks scripted');
      return c;
    },
  };
}

test('checked, sent once, accepted', async () => {
  const { client, calls } = scriptedHub([{ status: 204 }]);
  const log: string[] = [];
  const r = await client.cancelPendingSpawn(request([SAME], log));
  assert.deepEqual(r, { kind: 'accepted', status: 204, attempts: 1 });
  assert.deepEqual(calls, ['DELETE /hub/api/users/u/server']);
  assert.deepEqual(log, ['check']);
});

test('a 500 after which the spawn is over is not repeated: the first DELETE did its job', async () => {
  // JupyterHub >= 5.1 cancels, waits a second, and answers 500 "pending spawn" when the user
  // started a new spawn meanwhile. A resend would cancel that new spawn (issue #10).
  const { client, calls } = scriptedHub([
    { status: 500, body: '{"status":500,"message":"Internal Server Error"}' },
  ]);
  const log: string[] = [];
  const r = await client.cancelPendingSpawn(request([SAME, ENDED], log));
  assert.equal(r.kind, 'not-sent');
  assert.equal(r.kind === 'not-sent' && r.afterAttempts, 1);
  assert.equal(r.kind === 'not-sent' && r.check.kind, 'ended');
  assert.equal(calls.length, 1, 'exactly one DELETE');
});

test('a reset after which a newer spawn is pending is not repeated either', async () => {
  const { client, calls } = scriptedHub(['reset']);
  const r = await client.cancelPendingSpawn(
    request([SAME, { same: false, kind: 'other', why: 'the pending spawn started later' }], []),
  );
  assert.equal(r.kind, 'not-sent');
  assert.equal(calls.length, 1);
});

test('an ambiguous answer while the same spawn is still pending: checked again (twice), then sent again', async () => {
  const { client, calls } = scriptedHub([{ status: 502 }, { status: 202 }]);
  const log: string[] = [];
  const r = await client.cancelPendingSpawn(request([SAME, SAME, SAME], log));
  assert.deepEqual(r, { kind: 'accepted', status: 202, attempts: 2 });
  assert.equal(calls.length, 2);
  // check, DELETE (502), check (still pending), pause, check right before the second DELETE
  assert.deepEqual(log, ['check', 'check', 'check']);
});

test('every attempt ambiguous: gives up after the attempts, never more DELETEs than that', async () => {
  const { client, calls } = scriptedHub([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 204 }]);
  const r = await client.cancelPendingSpawn(request(Array(10).fill(SAME), []));
  assert.equal(r.kind, 'ambiguous');
  assert.equal(calls.length, 3);
});

test('the check refuses: nothing is sent; a check that cannot tell is asked again within its budget, never acted on', async () => {
  const { client, calls } = scriptedHub([]);
  const r1 = await client.cancelPendingSpawn(request([ENDED], []));
  assert.equal(r1.kind, 'not-sent');
  assert.equal(r1.kind === 'not-sent' && r1.afterAttempts, 0);
  const unknown: Recheck = { same: false, kind: 'unknown', why: 'hub timed out' };
  const r2 = await client.cancelPendingSpawn(
    request([unknown, unknown, unknown, unknown, unknown, unknown], []),
    {
      unknownBudgetMs: 5,
    },
  );
  assert.equal(r2.kind, 'unproven');
  assert.deepEqual(calls, []);
});

test('a proof for another pod or another spawn is a refusal (by construction, whatever the check says)', async () => {
  const { client, calls } = scriptedHub([{ status: 204 }]);
  const other = await client.cancelPendingSpawn(
    request([{ same: true, uid: 'pod-2', started: SAME.started }], []),
  );
  assert.equal(other.kind, 'not-sent');
  const newer = await client.cancelPendingSpawn(
    request([{ same: true, uid: 'pod-1', started: '2026-01-01T10:00:05.000001Z' }], []),
  );
  assert.equal(newer.kind, 'not-sent');
  assert.deepEqual(calls, []);
  assert.equal(
    proofFits({ podUid: 'pod-1', started: 'a' }, { same: true, uid: 'pod-1', started: undefined }).same,
    false,
  );
});

test('definite refusals are returned as they are', async () => {
  const pending = JSON.stringify({ status: 400, message: "u's server is pending spawn, please wait" });
  const { client } = scriptedHub([{ status: 400, body: pending }, { status: 403 }, { status: 404 }]);
  assert.equal((await client.cancelPendingSpawn(request([SAME], []))).kind, 'pending-refused');
  assert.equal((await client.cancelPendingSpawn(request([SAME], []))).kind, 'unauthorized');
  assert.equal((await client.cancelPendingSpawn(request([SAME], []))).kind, 'not-found');
});
