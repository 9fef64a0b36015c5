import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { carriesEvent, parseProgressData } from '../../../src/hub/progress.js';

test('keeps the fields of KubeSpawner progress events, including raw_event', () => {
  const data = JSON.stringify({
    progress: 50,
    message: '2026-11-25T10:00:00Z [Warning] Failed to pull image "nope:1"',
    raw_event: { metadata: { name: 'jupyter-a.1', uid: 'u-1' }, reason: 'Failed', type: 'Warning' },
  });
  const r = parseProgressData(data);
  assert.ok(r.ok);
  assert.equal(r.event.progress, 50);
  assert.equal(r.event.raw_event?.reason, 'Failed');
  assert.equal(r.event.failed, undefined);
});

test('ready and failed final events; html_message is never kept', () => {
  const ready = parseProgressData(
    '{"progress":100,"ready":true,"message":"Server ready at /user/a/","html_message":"<a>x</a>","url":"/user/a/"}',
  );
  assert.ok(ready.ok);
  assert.deepEqual(ready.event, {
    progress: 100,
    ready: true,
    message: 'Server ready at /user/a/',
    url: '/user/a/',
  });
  const failed = parseProgressData('{"progress":100,"failed":true,"message":"Spawn cancelled"}');
  assert.ok(failed.ok);
  assert.equal(failed.event.failed, true);
});

test('bad payloads are reported, not thrown', () => {
  for (const bad of ['', 'not json', '[1,2]', 'null', '"text"', '{"progress": ']) {
    const r = parseProgressData(bad);
    assert.equal(r.ok, false, bad);
  }
});

test('odd field types are dropped; progress is clamped to 0..100', () => {
  const r = parseProgressData(
    '{"progress": 250, "message": 7, "raw_event": "x", "failed": "yes", "ready": 1}',
  );
  assert.ok(r.ok);
  assert.deepEqual(r.event, { progress: 100 });
  const neg = parseProgressData('{"progress": -3}');
  assert.ok(neg.ok);
  assert.equal(neg.event.progress, 0);
});

test('carriesEvent matches the forwarded Event by uid, else by name', () => {
  const ev = { raw_event: { metadata: { name: 'jupyter-a.diag', uid: 'e-1' } } };
  assert.equal(carriesEvent(ev, { uid: 'e-1' }), true);
  assert.equal(carriesEvent(ev, { uid: 'e-2' }), false);
  assert.equal(carriesEvent(ev, { uid: 'e-2', name: 'jupyter-a.diag' }), true);
  assert.equal(carriesEvent({ message: 'x' }, { uid: 'e-1', name: 'jupyter-a.diag' }), false);
  assert.equal(carriesEvent(ev, {}), false);
});

test('property: any string is handled without throwing', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (s) => {
      const r = parseProgressData(s);
      if (r.ok && r.event.progress !== undefined) assert.ok(r.event.progress >= 0 && r.event.progress <= 100);
    }),
  );
});
