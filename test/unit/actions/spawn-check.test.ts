// The check before every action on a spawn (src/actions/spawn-check.ts): every way the hub's
// pending spawn can stop being this pod's, and the one way it is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judge, type Observation, serverViewOf } from '../../../src/actions/spawn-check.js';
import type { PodLike } from '../../../src/diagnosis/types.js';
import { parseSelector } from '../../../src/kube/selector.js';

const selector = parseSelector('component=singleuser-server');
const spawn = { namespace: 'jhub', pod: 'jupyter-u', uid: 'uid-a', user: 'u', server: '' };
const created = '2026-01-01T10:00:01Z';
const startedA = '2026-01-01T10:00:00.812345Z'; // before the pod (the hub sets it first)

function pod(md: Record<string, unknown> = {}): PodLike {
  return {
    metadata: {
      name: 'jupyter-u',
      namespace: 'jhub',
      uid: 'uid-a',
      creationTimestamp: created,
      labels: { component: 'singleuser-server' },
      annotations: { 'hub.jupyter.org/username': 'u', 'hub.jupyter.org/servername': '' },
      ...md,
    },
  } as PodLike;
}

const pending = (started = startedA) => ({
  kind: 'server' as const,
  server: { pending: 'spawn', ready: false, started },
});
const obs = (o: Partial<Observation> = {}): Observation => ({
  pod: pod(),
  hub: pending(),
  stream: 'live',
  ...o,
});

test('the pending spawn is this pod’s: same, with the spawn’s start time', () => {
  assert.deepEqual(judge(obs(), { spawn }, selector), { kind: 'same', uid: 'uid-a', started: startedA });
  assert.deepEqual(judge(obs(), { spawn, started: startedA }, selector), {
    kind: 'same',
    uid: 'uid-a',
    started: startedA,
  });
  // A stream that broke proves nothing, but the pod and the hub still do.
  assert.equal(judge(obs({ stream: 'lost' }), { spawn, started: startedA }, selector).kind, 'same');
  // No hub configured: the pod alone (the pod is deleted then, never a DELETE sent).
  assert.deepEqual(judge(obs({ hub: { kind: 'no-hub' }, stream: 'none' }), { spawn }, selector), {
    kind: 'same',
    uid: 'uid-a',
  });
});

test('our stream ended: that spawn is over, whatever the server model still says', () => {
  assert.equal(judge(obs({ stream: 'ended' }), { spawn, started: startedA }, selector).kind, 'ended');
});

test('a newer spawn is pending: never the same (issue #10: the retry at once)', () => {
  // Same pod still there, but the hub's pending spawn began later: another start time.
  const v = judge(
    obs({ hub: pending('2026-01-01T10:00:04.000001Z') }),
    { spawn, started: startedA },
    selector,
  );
  assert.equal(v.kind, 'other');
  // Without a recorded start time: a spawn that began well after this pod was created is newer.
  assert.equal(judge(obs({ hub: pending('2026-01-01T10:00:09.5Z') }), { spawn }, selector).kind, 'other');
  // …while one within the same second as the creation (creationTimestamp has whole seconds) is this pod's.
  assert.equal(judge(obs({ hub: pending('2026-01-01T10:00:01.9Z') }), { spawn }, selector).kind, 'same');
  // The name is another pod now.
  assert.equal(judge(obs({ pod: pod({ uid: 'uid-b' }) }), { spawn }, selector).kind, 'other');
});

test('the spawn is no longer pending, or the pod is going: ended', () => {
  const cases: Observation[] = [
    obs({ pod: undefined }),
    obs({ pod: pod({ deletionTimestamp: '2026-01-01T10:00:05Z' }) }),
    obs({ hub: { kind: 'server', server: null } }),
    obs({ hub: { kind: 'server', server: { pending: null, ready: true, started: startedA } } }),
    obs({ hub: { kind: 'server', server: { pending: 'stop', ready: false, started: startedA } } }),
  ];
  for (const o of cases)
    assert.equal(judge(o, { spawn, started: startedA }, selector).kind, 'ended', JSON.stringify(o));
});

test('not this hub’s, refused by the safety check, or cannot tell', () => {
  assert.equal(judge(obs({ hub: { kind: 'no-user' } }), { spawn }, selector).kind, 'not-ours');
  assert.equal(judge(obs({ pod: pod({ labels: { app: 'x' } }) }), { spawn }, selector).kind, 'refused');
  assert.equal(
    judge(obs({ pod: pod({ annotations: { 'hub.jupyter.org/username': 'mallory' } }) }), { spawn }, selector)
      .kind,
    'refused',
  );
  assert.equal(
    judge(obs({ hub: { kind: 'unreachable', why: 'timeout' } }), { spawn }, selector).kind,
    'unknown',
  );
  assert.equal(
    judge(
      obs({ hub: { kind: 'server', server: { pending: 'spawn', ready: false, started: null } } }),
      { spawn },
      selector,
    ).kind,
    'unknown',
  );
});

test('serverViewOf reads the user model of 4.x–6.x and says what is missing', () => {
  const user = {
    name: 'u',
    servers: { '': { pending: 'spawn', ready: false, started: startedA }, gpu: { ready: true } },
  };
  assert.deepEqual(serverViewOf(user, ''), { pending: 'spawn', ready: false, started: startedA });
  assert.deepEqual(serverViewOf(user, 'gpu'), { pending: null, ready: true, started: null });
  assert.equal(serverViewOf(user, 'other'), null);
  assert.match((serverViewOf({ name: 'u' }, '') as { error: string }).error, /read:servers/);
  assert.ok('error' in (serverViewOf('x', '') as object));
});
