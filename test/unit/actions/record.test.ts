// The stop record's state machine (src/actions/record.ts): the allowed steps, what is left to do
// from each phase, and a round trip through the annotation that refuses another pod's record.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  advance,
  canAdvance,
  newRecord,
  parseRecord,
  pendingWork,
  recordedSpawn,
  renderRecord,
  STOP_ANNOTATION,
  STOP_PHASES,
  withStarted,
} from '../../../src/actions/record.js';

const spawn = { uid: 'uid-a', pod: 'jupyter-u', user: 'u', server: '' };
const at = new Date('2026-01-01T10:00:00Z');

test('a stop goes forward only, and ends retired', () => {
  const r = newRecord(spawn, 'replica-a', at);
  assert.equal(r.phase, 'announced');
  assert.equal(pendingWork(r), 'cancel');
  const claimed = advance(r, 'cancelling', 'replica-a', at);
  assert.ok(claimed.ok);
  // A replica that took over re-claims the cancel of one that died.
  const again = advance(claimed.record, 'cancelling', 'replica-b', at);
  assert.ok(again.ok && again.record.by === 'replica-b');
  const cancelled = advance(claimed.record, 'cancelled', 'replica-a', at);
  assert.ok(cancelled.ok && pendingWork(cancelled.record) === 'retire');
  const retired = advance(cancelled.record, 'retired', 'replica-a', at);
  assert.ok(retired.ok && pendingWork(retired.record) === 'finish');
  // Never back: no second announcement, no second cancel after the spawn was ended.
  for (const to of STOP_PHASES) assert.equal(canAdvance('retired', to), false, `retired → ${to}`);
  for (const to of ['announced', 'cancelling'] as const) {
    assert.equal(canAdvance('cancelled', to), false);
    assert.equal(canAdvance('ended', to), false);
    assert.equal(canAdvance('pod-deleted', to), false);
  }
  assert.equal(advance(cancelled.record, 'cancelling', 'replica-a', at).ok, false);
  // The spawn may end before we cancel (the user stops it), from either open phase.
  assert.ok(advance(r, 'ended', 'replica-a', at).ok);
  assert.ok(advance(claimed.record, 'ended', 'replica-a', at).ok);
  assert.ok(advance(r, 'retired', 'replica-a', at).ok);
});

test('the spawn’s start time is learnt once and never changed', () => {
  const r = newRecord(spawn, 'replica-a', at);
  const s = withStarted(r, '2026-01-01T09:59:59.5Z');
  assert.ok(!('error' in s) && s.started === '2026-01-01T09:59:59.5Z');
  assert.ok('error' in withStarted(s as typeof r, '2026-01-01T10:00:03Z'));
  const step = advance(s as typeof r, 'cancelling', 'replica-a', at, { started: '2026-01-01T10:00:03Z' });
  assert.equal(step.ok, false, 'a step for another spawn is refused');
});

test('round trip through the annotation; another pod’s or a broken record is refused', () => {
  const r = { ...newRecord(spawn, 'replica-a', at, '2026-01-01T09:59:59.5Z') };
  const text = renderRecord(r);
  assert.deepEqual(parseRecord(text, 'uid-a'), r);
  assert.equal(
    renderRecord(parseRecord(text, 'uid-a') as typeof r),
    text,
    'stable (a JSON Patch test compares it)',
  );
  assert.match((parseRecord(text, 'uid-b') as { error: string }).error, /UID/);
  for (const bad of [
    undefined,
    'x',
    '[]',
    '{"v":2}',
    JSON.stringify({ ...r, phase: 'done' }),
    JSON.stringify({ ...r, pod: 1 }),
  ]) {
    assert.ok('error' in parseRecord(bad, 'uid-a'), String(bad));
  }
  const event = {
    metadata: { namespace: 'jhub', annotations: { [STOP_ANNOTATION]: text } },
    involvedObject: { uid: 'uid-a' },
  };
  assert.deepEqual(recordedSpawn(event), { namespace: 'jhub', ...spawn });
  assert.equal(recordedSpawn({ ...event, involvedObject: { uid: 'uid-b' } }), undefined);
});
