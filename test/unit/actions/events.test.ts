import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import {
  clip,
  diagnosisEvent,
  diagnosisEventName,
  isOwnDiagnosis,
  isOwnEvent,
  progressEvent,
  progressPatch,
  validAnnotation,
} from '../../../src/actions/events.js';
import { isRetryableKube, kubeErrorText, statusOf } from '../../../src/actions/kube-errors.js';
import {
  ANNOTATION_KEY,
  type DiagnosisAnnotation,
  diagnosisAnnotationSchema,
} from '../../../src/diagnosis/annotation.js';

const spawn = {
  namespace: 'jhub',
  pod: 'jupyter-alice',
  uid: '5a3c2a0e-1111-4222-8333-944445555666',
  user: 'alice',
  server: '',
};
const annotation: DiagnosisAnnotation = {
  version: 1,
  category: 'image.not_found',
  action: 'stop',
  severity: 'error',
  title: { en: 'The image does not exist', cs: 'Obraz neexistuje' },
  detail: { en: 'Image "nope:1" was not found.', cs: 'Obraz "nope:1" nebyl nalezen.' },
  advice: [{ en: 'Pick another image.', cs: 'Vyberte jiný obraz.' }],
};
const now = new Date('2026-11-25T20:00:00.123Z');

test('the diagnosis Event is DESIGN section 4: involvedObject with uid, Warning, reason, component, annotation', () => {
  const v = validAnnotation(annotation);
  assert.ok(v.ok);
  const e = diagnosisEvent({
    spawn,
    annotationJson: v.json,
    sentence: 'The image does not exist.',
    now,
    instance: 'sd-0',
  });
  assert.deepEqual(e.involvedObject, {
    apiVersion: 'v1',
    kind: 'Pod',
    name: 'jupyter-alice',
    namespace: 'jhub',
    uid: spawn.uid,
  });
  assert.equal(e.type, 'Warning');
  assert.equal(e.reason, 'SpawnDiagnosis');
  assert.equal(e.source?.component, 'spawn-doctor');
  assert.equal(e.reportingComponent, 'spawn-doctor');
  assert.equal(e.reportingInstance, 'sd-0');
  assert.equal(e.action, 'Stop');
  assert.equal(e.metadata?.namespace, 'jhub');
  assert.ok(
    e.lastTimestamp && e.eventTime && e.firstTimestamp,
    'KubeSpawner sorts by lastTimestamp or eventTime',
  );
  const parsed = diagnosisAnnotationSchema.parse(JSON.parse(e.metadata!.annotations![ANNOTATION_KEY]!));
  assert.equal(parsed.category, 'image.not_found');
  assert.equal(isOwnDiagnosis(e, spawn.uid), true);
  assert.equal(isOwnDiagnosis(e, 'other-uid'), false);
  assert.equal(isOwnEvent(e), true);
});

test('event names are deterministic per UID, valid, and at most 253 characters', () => {
  assert.equal(diagnosisEventName(spawn), `jupyter-alice.spawn-doctor-diagnosis.${spawn.uid}`);
  assert.equal(diagnosisEventName(spawn), diagnosisEventName({ ...spawn }));
  assert.notEqual(diagnosisEventName(spawn), diagnosisEventName({ ...spawn, uid: 'b' }));
  const long = diagnosisEventName({ ...spawn, pod: `${'a'.repeat(250)}-` });
  assert.ok(long.length <= 253);
  assert.match(long, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
  const p = progressEvent({ spawn, annotationJson: '{}', sentence: 'Pulling.', now, instance: 'x' });
  assert.equal(p.type, 'Normal');
  assert.equal(p.reason, 'SpawnProgress');
  assert.notEqual(p.metadata?.name, diagnosisEventName(spawn));
});

test('messages are one line and clipped to 1024 characters', () => {
  const e = diagnosisEvent({
    spawn,
    annotationJson: '{}',
    sentence: `a\nb ${'x'.repeat(3000)}`,
    now,
    instance: 'i',
  });
  assert.equal(e.message!.length, 1024);
  assert.ok(!e.message!.includes('\n'));
  assert.equal(clip('  short  ', 10), 'short');
});

test('an annotation invalid only in its advice is announced without the advice; otherwise refused', () => {
  const tooMuch = { ...annotation, advice: Array.from({ length: 11 }, () => ({ en: 'x', cs: 'y' })) };
  const v = validAnnotation(tooMuch);
  assert.ok(v.ok);
  assert.deepEqual(v.annotation.advice, []);
  assert.match(v.note!, /advice dropped/);
  const bad = validAnnotation({ ...annotation, category: 'no.such' as never });
  assert.equal(bad.ok, false);
  assert.match((bad as { error: string }).error, /category/);
});

test('progress updates are a JSON patch of message, annotation, count and lastTimestamp', () => {
  const ops = progressPatch(
    { spawn, annotationJson: '{"a":1}', sentence: 'Pulling 2 GB, about 1 min left.', now },
    3,
  );
  assert.deepEqual(
    ops.map((o) => o.path),
    ['/message', '/metadata/annotations/spawn-doctor~1diagnosis', '/count', '/lastTimestamp'],
  );
  assert.equal(ops[2]!.value, 4);
  assert.equal(ops[3]!.value, '2026-11-25T20:00:00Z');
});

test('events from others are not ours, even with our reason', () => {
  const forged = {
    reason: 'SpawnDiagnosis',
    involvedObject: { uid: spawn.uid },
    source: { component: 'kubelet' },
  };
  assert.equal(isOwnDiagnosis(forged, spawn.uid), false);
  assert.equal(isOwnEvent(forged), false);
  assert.equal(isOwnEvent({ reason: 'Failed', reportingComponent: 'spawn-doctor' }), false);
});

test('Kubernetes errors: status, retryability, short text', () => {
  const notFound = new ApiException(404, 'nf', JSON.stringify({ message: 'pods "x" not found' }), {});
  assert.equal(statusOf(notFound), 404);
  assert.equal(isRetryableKube(notFound), false);
  assert.equal(kubeErrorText(notFound), 'HTTP 404: pods "x" not found');
  assert.equal(isRetryableKube(new ApiException(503, 'x', '', {})), true);
  assert.equal(isRetryableKube(new ApiException(429, 'x', '', {})), true);
  assert.equal(isRetryableKube(new ApiException(403, 'x', '', {})), false);
  const net = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  assert.equal(statusOf(net), undefined);
  assert.equal(isRetryableKube(net), true);
});
