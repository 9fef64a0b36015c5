// The "start again with these values" request: its body, its URL and its retry while the hub
// is still stopping the failed spawn. fetch is a recording function; the real hub answers in
// test/browser (stage 2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchUserOptions, respawn, respawnOptions } from '../../../web/src/respawn.js';

const ref = { baseUrl: '/hub/', user: 'alice', server: '' };
const request = { cpu: 16, memory: 64, gpu: 'none', gpu_count: 0 };

function recorder(answers: Array<[number, unknown]>) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetch = (async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    const [status, body] = answers.shift() ?? [500, { message: 'no more answers' }];
    return new Response(body === undefined ? null : JSON.stringify(body), { status });
  }) as unknown as typeof globalThis.fetch;
  return { calls, fetch };
}

test('the new options keep the failed spawn’s fields and take exactly the suggested resources', () => {
  const prev = {
    image: 'cerit.io/x:1',
    cpu: 64,
    memory: 512,
    gpu: 'nvidia.com/gpu',
    gpu_count: 4,
    home: true,
  };
  assert.deepEqual(respawnOptions(prev, request), { image: 'cerit.io/x:1', home: true, ...request });
  assert.deepEqual(respawnOptions(undefined, request), request);
});

test('POSTs JSON with the XSRF token and returns the spawn-pending URL', async () => {
  const r = recorder([[202, undefined]]);
  const next = await respawn(
    ref,
    { image: 'i', ...request },
    { fetch: r.fetch, sleep: async () => {}, xsrf: 'tok|1' },
  );
  assert.equal(next, '/hub/spawn-pending/alice');
  assert.equal(r.calls.length, 1);
  const call = r.calls[0]!;
  assert.equal(call.url, '/hub/api/users/alice/server?_xsrf=tok%7C1');
  assert.equal(call.init?.method, 'POST');
  assert.equal(((call.init?.headers ?? {}) as Record<string, string>)['X-XSRFToken'], 'tok|1');
  assert.deepEqual(JSON.parse(String(call.init?.body)), { image: 'i', ...request });
});

test('retries while the previous spawn is still being stopped, then succeeds', async () => {
  const pending: [number, unknown] = [400, { status: 400, message: 'alice is pending stop' }];
  const stale: [number, unknown] = [400, { status: 400, message: 'alice is already running' }];
  const r = recorder([pending, stale, [201, undefined]]);
  const slept: number[] = [];
  await respawn(ref, {}, { fetch: r.fetch, sleep: async (ms) => void slept.push(ms), xsrf: undefined });
  assert.equal(r.calls.length, 3);
  assert.equal(slept.length, 2);
});

test('a real refusal is reported with the hub’s message, without retrying', async () => {
  const r = recorder([[403, { status: 403, message: 'Action is not authorized with current scopes' }]]);
  await assert.rejects(
    respawn(ref, {}, { fetch: r.fetch, sleep: async () => {}, xsrf: 'x' }),
    /403 Action is not authorized/,
  );
  assert.equal(r.calls.length, 1);
  const stuck = recorder(
    Array.from({ length: 3 }, () => [400, { message: 'pending spawn' }] as [number, unknown]),
  );
  await assert.rejects(
    respawn(ref, {}, { fetch: stuck.fetch, sleep: async () => {}, xsrf: 'x' }, 3),
    /pending spawn/,
  );
});

test('user options of the last spawn come from the user model (stopped servers included)', async () => {
  const r = recorder([[200, { name: 'alice', servers: { '': { user_options: { image: 'i', cpu: 2 } } } }]]);
  assert.deepEqual(await fetchUserOptions(ref, { fetch: r.fetch, xsrf: 't' }), { image: 'i', cpu: 2 });
  assert.equal(r.calls[0]!.url, '/hub/api/users/alice?include_stopped_servers=1&_xsrf=t');
  const none = recorder([[404, { message: 'no' }]]);
  assert.equal(await fetchUserOptions(ref, { fetch: none.fetch, xsrf: undefined }), undefined);
  const odd = recorder([[200, { servers: { '': { user_options: ['x'] } } }]]);
  assert.equal(await fetchUserOptions(ref, { fetch: odd.fetch, xsrf: undefined }), undefined);
});
