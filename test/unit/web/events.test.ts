// Reading the hub's progress stream, on streams in the shape KubeSpawner sends them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { eventTime, interpret, interpretData, podOf } from '../../../web/src/events.js';

const stream = (name: string) =>
  readFileSync(new URL(`../../browser/fixtures/${name}.jsonl`, import.meta.url), 'utf8')
    .trim()
    .split('\n');

test('a failed spawn: pod events are "other", the diagnosis is recognised, then "failed"', () => {
  const kinds = stream('image-not-found').map((l) => interpretData(l).kind);
  assert.deepEqual(kinds, ['other', 'other', 'other', 'other', 'diagnosis', 'failed']);
  const d = interpretData(stream('image-not-found')[4]!);
  assert.equal(d.kind, 'diagnosis');
  if (d.kind !== 'diagnosis') return;
  assert.equal(d.annotation.category, 'image.not_found');
  assert.match(d.annotation.title.cs, /neexistuje/);
  assert.equal(podOf(d.event).name, 'jupyter-alice');
  assert.equal(eventTime(d.event, new Date(0)).toISOString(), '2026-11-25T19:40:04.000Z');
  const failed = interpretData(stream('image-not-found')[5]!);
  assert.deepEqual(failed, { kind: 'failed', message: 'Spawn cancelled' });
});

test('a slow pull gives a progress note with size and ETA', () => {
  const p = interpretData(stream('slow-pull')[2]!);
  assert.equal(p.kind, 'progress');
  if (p.kind === 'progress') assert.deepEqual(p.annotation.progress, { imageSize: 4.2e9, etaSeconds: 125 });
});

test('only spawn-doctor’s own events count: same reason from another component is ignored', () => {
  const line = JSON.parse(stream('image-not-found')[4]!);
  line.raw_event.source.component = 'kubelet';
  line.raw_event.reportingComponent = 'kubelet';
  assert.equal(interpret(line).kind, 'other');
  // reportingComponent alone is enough (events.k8s.io writers leave source empty)
  line.raw_event.source = {};
  line.raw_event.reportingComponent = 'spawn-doctor';
  assert.equal(interpret(line).kind, 'diagnosis');
});

test('a broken or missing annotation is "invalid" with a reason, never a crash', () => {
  const line = JSON.parse(stream('image-not-found')[4]!);
  line.raw_event.metadata.annotations['spawn-doctor/diagnosis'] = '{"version":1,';
  const r = interpret(line);
  assert.equal(r.kind, 'invalid');
  if (r.kind === 'invalid') assert.match(r.reason, /not JSON/);
  line.raw_event.metadata.annotations['spawn-doctor/diagnosis'] = JSON.stringify({
    version: 1,
    category: 'x',
  });
  const r2 = interpret(line);
  assert.equal(r2.kind, 'invalid');
  if (r2.kind === 'invalid') assert.match(r2.reason, /category/);
  delete line.raw_event.metadata.annotations;
  assert.equal(interpret(line).kind, 'invalid');
});

test('garbage on the stream is "other"', () => {
  for (const x of ['', 'not json', 'null', '[]', '42', '{"raw_event": "x"}', '{"raw_event": null}']) {
    assert.equal(interpretData(x).kind, 'other', x);
  }
  assert.equal(interpretData('{"ready": true, "progress": 100}').kind, 'ready');
});

test('eventTime falls back through the event’s timestamps, then to the given time', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  assert.equal(eventTime(undefined, now), now);
  assert.equal(eventTime({ lastTimestamp: 'garbage' }, now), now);
  assert.equal(
    eventTime({ lastTimestamp: null, eventTime: '2026-01-02T03:04:05.123456Z' }, now).getUTCFullYear(),
    2026,
  );
});
