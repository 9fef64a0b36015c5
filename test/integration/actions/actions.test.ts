// The actions on the real API server, run with spawn-doctor's service-account token (deploy/rbac):
// the SpawnDiagnosis Event and its stop record as the API server stores them, a stop finished by a
// fresh instance (a restart) without announcing again, the fallback pod deletion without a hub,
// cleanup by pod UID only (a retired diagnosis, late Events swept, the diagnosis last), progress
// notes updated in place and removed once the pod goes, and the refusals of the safety check.
// Pods carry a scheduling gate: they stay Pending without events, so no other spawn-doctor
// running against the shared testbed has reason to act on them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CoreV1Api, type CoreV1Event, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import { createActions } from '../../../src/actions/index.js';
import { parseRecord, STOP_ANNOTATION } from '../../../src/actions/record.js';
import type { ActionObserver, StopInput } from '../../../src/actions/types.js';
import {
  ANNOTATION_KEY,
  type DiagnosisAnnotation,
  diagnosisAnnotationSchema,
} from '../../../src/diagnosis/annotation.js';
import { createHubRegistry } from '../../../src/hub/registry.js';
import type { SpawnRef } from '../../../src/plugins/types.js';
import { adminKubeConfig, applyRbac, removeRbac, type ServiceAccountAccess } from '../../support/rbac.js';

const id = randomBytes(3).toString('hex');
const serviceNs = `sd-act-${id}`;
const ns = `sd-act-user-${id}`;
let admin: KubeConfig;
let adminCore: CoreV1Api;
let access: ServiceAccountAccess;
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const observed: Array<[string, string]> = [];
const observe: ActionObserver = (action, result) => void observed.push([action, result]);

const annotation: DiagnosisAnnotation = {
  version: 1,
  category: 'volume.pvc_not_found',
  action: 'stop',
  severity: 'error',
  title: { en: 'Your volume does not exist', cs: 'Váš svazek neexistuje' },
  detail: { en: 'The volume "data-x" was not found.', cs: 'Svazek "data-x" nebyl nalezen.' },
  advice: [{ en: 'Choose an existing volume.', cs: 'Vyberte existující svazek.' }],
};

/** A new stop's input: the announcement as the service would build it. */
const input = (spawn: SpawnRef, sentence = 'Your volume "data-x" does not exist.'): StopInput => ({
  spawn,
  announcement: async () => ({ annotation, sentence }),
});

type PodOpts = { user?: string; server?: string; label?: boolean; finalizer?: boolean };

function podBody(name: string, opts: PodOpts = {}): V1Pod {
  const annotations: Record<string, string> = {};
  if (opts.user !== undefined) annotations['hub.jupyter.org/username'] = opts.user;
  if (opts.server !== undefined) annotations['hub.jupyter.org/servername'] = opts.server;
  return {
    metadata: {
      name,
      labels: opts.label === false ? { app: 'other' } : { component: 'singleuser-server', app: 'jupyterhub' },
      annotations,
      // A pod whose deletion hangs until the test lets go: the stop has to wait for it.
      ...(opts.finalizer ? { finalizers: ['spawn-doctor.test/hold'] } : {}),
    },
    spec: {
      schedulingGates: [{ name: 'spawn-doctor.test/hold' }],
      containers: [{ name: 'notebook', image: 'quay.io/jupyter/base-notebook:latest' }],
    },
  };
}

async function makePod(name: string, opts: PodOpts = {}): Promise<SpawnRef> {
  const pod = await adminCore.createNamespacedPod({ namespace: ns, body: podBody(name, opts) });
  return {
    namespace: ns,
    pod: name,
    uid: pod.metadata!.uid!,
    user: opts.user ?? '',
    server: opts.server ?? '',
  };
}

/** An Event as the scheduler or kubelet would write it (admin credentials). */
async function kubeletEvent(spawn: SpawnRef, reason: string, suffix: string): Promise<void> {
  await adminCore.createNamespacedEvent({
    namespace: ns,
    body: {
      metadata: { name: `${spawn.pod}.${suffix}` },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: spawn.pod, namespace: ns, uid: spawn.uid },
      type: 'Warning',
      reason,
      message: 'persistentvolumeclaim "data-x" not found',
      source: { component: 'default-scheduler' },
      firstTimestamp: new Date(),
      lastTimestamp: new Date(),
      count: 1,
    },
  });
}

async function eventsOf(uid: string): Promise<CoreV1Event[]> {
  return (await adminCore.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.uid=${uid}` }))
    .items;
}

async function exists(name: string, uid: string): Promise<boolean> {
  try {
    return (await adminCore.readNamespacedPod({ namespace: ns, name })).metadata?.uid === uid;
  } catch {
    return false;
  }
}

function actions(cleanupEvents: boolean, podGoneWaitSeconds = 20) {
  return createActions({
    kubeConfig: access.kubeConfig,
    hubs: createHubRegistry([]),
    config: { cleanupEvents, progressStreamWaitSeconds: 1, podGoneWaitSeconds },
    log,
    observe,
    instance: 'test-replica-0',
    retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 500 },
  });
}

before(async () => {
  admin = adminKubeConfig();
  adminCore = admin.makeApiClient(CoreV1Api);
  access = await applyRbac({ namespace: serviceNs, admissionPolicy: true });
  await adminCore.createNamespace({ body: { metadata: { name: ns } } });
});

after(async () => {
  await adminCore.deleteNamespace({ name: ns }).catch(() => undefined);
  await adminCore.deleteNamespace({ name: serviceNs }).catch(() => undefined);
  if (access) await removeRbac(access);
});

test('without a hub: announces the diagnosis Event, deletes the pod, keeps events when cleanup is off', async () => {
  const spawn = await makePod('jupyter-alice', { user: 'alice', server: '' });
  await kubeletEvent(spawn, 'FailedScheduling', 'sched');
  const a = actions(false);
  const r = await a.stop(input(spawn));
  assert.equal(r.outcome, 'pod-deleted', r.notes.join('; '));
  assert.equal(r.run, 'new');
  assert.ok(
    r.notes.some((n) => /no hub configured.*start_timeout/.test(n)),
    r.notes.join('; '),
  );
  assert.equal(r.eventsDeleted, 0);
  assert.equal(await exists('jupyter-alice', spawn.uid), false);

  const ours = (await eventsOf(spawn.uid)).filter((e) => e.reason === 'SpawnDiagnosis');
  assert.equal(ours.length, 1);
  const e = ours[0]!;
  assert.equal(e.type, 'Warning');
  assert.deepEqual(
    { ...e.involvedObject, resourceVersion: undefined, fieldPath: undefined },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'jupyter-alice',
      namespace: ns,
      uid: spawn.uid,
      resourceVersion: undefined,
      fieldPath: undefined,
    },
  );
  assert.equal(e.source?.component, 'spawn-doctor');
  assert.equal(e.reportingComponent, 'spawn-doctor');
  assert.equal(e.reportingInstance, 'test-replica-0');
  assert.equal(e.action, 'Stop');
  assert.equal(e.message, 'Your volume "data-x" does not exist.');
  assert.ok(e.eventTime && e.lastTimestamp && e.firstTimestamp);
  const wire = diagnosisAnnotationSchema.parse(JSON.parse(e.metadata!.annotations![ANNOTATION_KEY]!));
  assert.equal(wire.category, 'volume.pvc_not_found');
  assert.equal(wire.title.cs, 'Váš svazek neexistuje');

  // The stop record on it: how far the stop came, for the pod's UID.
  const record = parseRecord(e.metadata!.annotations![STOP_ANNOTATION], spawn.uid);
  assert.ok(!('error' in record), JSON.stringify(record));
  assert.equal(record.phase, 'pod-deleted');
  assert.deepEqual([record.pod, record.user, record.server], ['jupyter-alice', 'alice', '']);

  // A fresh instance (a restart, another replica) finishes the recorded stop: no second
  // announcement (its announcement is never even built), and with cleanup on, every Event of the
  // UID goes, the diagnosis last.
  const announced = observed.filter(([act]) => act === 'announce').length;
  const fresh = await actions(true).stop({
    spawn,
    announcement: async () => assert.fail('a recorded stop must not be announced again'),
  });
  assert.equal(fresh.run, 'resumed', fresh.notes.join('; '));
  assert.equal(fresh.resumedFrom, 'pod-deleted');
  assert.equal(fresh.category, 'volume.pvc_not_found');
  assert.equal(fresh.eventsDeleted, 2);
  assert.equal(observed.filter(([act]) => act === 'announce').length, announced);
  assert.deepEqual(await eventsOf(spawn.uid), []);
  assert.ok(observed.some(([act, res]) => act === 'delete-pod' && res === 'ok'));
  assert.ok(observed.some(([act, res]) => act === 'announce' && res === 'ok'));
});

test('with cleanup on: the whole stop leaves no Event of the UID, and an old pod of the same name keeps its own', async () => {
  const old = await makePod('jupyter-bob', { user: 'bob', server: '' });
  await kubeletEvent(old, 'FailedScheduling', 'old');
  await adminCore.deleteNamespacedPod({ namespace: ns, name: 'jupyter-bob' });
  const spawn = await makePod('jupyter-bob', { user: 'bob', server: '' });
  assert.notEqual(spawn.uid, old.uid);
  await kubeletEvent(spawn, 'FailedScheduling', 'new');
  const r = await actions(true).stop(input(spawn));
  assert.equal(r.outcome, 'pod-deleted', r.notes.join('; '));
  assert.equal(r.eventsDeleted, 2);
  assert.deepEqual(await eventsOf(spawn.uid), []);
  assert.equal((await eventsOf(old.uid)).length, 1, 'events of another UID are never touched');
  // Idempotent: a second stop of the same spawn finds nothing to do and does not throw.
  const again = await actions(true).stop(input(spawn, 'x.'));
  assert.equal(again.outcome, 'ended');
  assert.ok(
    again.notes.some((n) => /is gone/.test(n)),
    again.notes.join('; '),
  );
  assert.deepEqual(await eventsOf(spawn.uid), [], 'nothing announced on a pod that is gone');
});

test('the safety check: a pod without the label, without the username, of another user or UID is never touched', async () => {
  const cases: Array<
    [string, { user?: string; server?: string; label?: boolean }, Partial<SpawnRef>, RegExp]
  > = [
    ['not-a-notebook', { user: 'carol', label: false }, {}, /selector/],
    ['jupyter-nouser', {}, { user: 'carol' }, /username/],
    ['jupyter-carol', { user: 'carol', server: '' }, { user: 'mallory' }, /user "carol"/],
    ['jupyter-carol-gpu', { user: 'carol', server: 'gpu' }, { server: '' }, /server "gpu"/],
  ];
  for (const [name, opts, override, reason] of cases) {
    const spawn = { ...(await makePod(name, opts)), user: opts.user ?? 'carol', ...override };
    const r = await actions(true).stop(input(spawn, 'x.'));
    assert.equal(r.outcome, 'failed', name);
    assert.ok(
      r.notes.some((n) => reason.test(n)),
      `${name}: ${r.notes.join('; ')}`,
    );
    assert.equal(await exists(name, spawn.uid), true, `${name} must still exist`);
    assert.deepEqual(await eventsOf(spawn.uid), [], `${name}: nothing announced`);
  }
  // A replaced pod (same name, new UID) is not the one we decided about.
  const first = await makePod('jupyter-dave', { user: 'dave', server: '' });
  await adminCore.deleteNamespacedPod({ namespace: ns, name: 'jupyter-dave' });
  const second = await makePod('jupyter-dave', { user: 'dave', server: '' });
  await kubeletEvent(second, 'FailedScheduling', 'live');
  const r = await actions(true).stop(input(first, 'x.'));
  assert.equal(r.outcome, 'ended');
  assert.ok(
    r.notes.some((n) => /is now UID/.test(n)),
    r.notes.join('; '),
  );
  assert.equal(await exists('jupyter-dave', second.uid), true);
  assert.equal((await eventsOf(second.uid)).length, 1, 'the new pod’s events are untouched');
});

test('progress notes: one Normal SpawnProgress Event per UID, updated in place', async () => {
  const spawn = await makePod('jupyter-erin', { user: 'erin', server: '' });
  const a = actions(true);
  const pulling: DiagnosisAnnotation = {
    ...annotation,
    category: 'image.pulling',
    action: 'wait',
    severity: 'info',
    advice: [],
    progress: { imageSize: 5e9 },
  };
  await a.announceProgress(spawn, pulling, 'Downloading the image (5 GB).');
  await a.announceProgress(spawn, pulling, 'Downloading the image (5 GB).');
  await a.announceProgress(
    spawn,
    { ...pulling, progress: { imageSize: 5e9, etaSeconds: 60 } },
    'Downloading the image (5 GB), about 1 min left.',
  );
  // A fresh instance with the same content leaves it alone.
  await actions(true).announceProgress(
    spawn,
    { ...pulling, progress: { imageSize: 5e9, etaSeconds: 60 } },
    'Downloading the image (5 GB), about 1 min left.',
  );
  const notes = (await eventsOf(spawn.uid)).filter((e) => e.reason === 'SpawnProgress');
  assert.equal(notes.length, 1);
  const e = notes[0]!;
  assert.equal(e.type, 'Normal');
  assert.equal(e.count, 2);
  assert.equal(e.message, 'Downloading the image (5 GB), about 1 min left.');
  assert.equal(
    diagnosisAnnotationSchema.parse(JSON.parse(e.metadata!.annotations![ANNOTATION_KEY]!)).progress
      ?.etaSeconds,
    60,
  );
  assert.equal((await eventsOf(spawn.uid)).filter((x) => x.reason === 'SpawnDiagnosis').length, 0);
  // Once the pod is ready or going, the note goes: the next spawn of this name must not show it.
  const live = await adminCore.readNamespacedPod({ namespace: ns, name: 'jupyter-erin' });
  a.observePod({ ...live, metadata: { ...live.metadata, deletionTimestamp: new Date() } } as never);
  await waitUntil(async () => (await eventsOf(spawn.uid)).length === 0, 'the progress note to be deleted');
});

test('concurrent stops of one UID in one process are one stop', async () => {
  const spawn = await makePod('jupyter-frank', { user: 'frank', server: '' });
  const a = actions(true);
  const before = observed.filter(([act]) => act === 'announce').length;
  const [r1, r2] = await Promise.all([a.stop(input(spawn, 'x.')), a.stop(input(spawn, 'x.'))]);
  assert.equal(r1.run, 'new');
  assert.equal(r2.run, 'joined');
  assert.equal(r2.outcome, r1.outcome);
  assert.equal(r1.outcome, 'pod-deleted', r1.notes.join('; '));
  assert.equal((await a.stop(input(spawn, 'x.'))).run, 'repeat');
  assert.equal(observed.filter(([act]) => act === 'announce').length, before + 1);
  assert.deepEqual(await eventsOf(spawn.uid), []);
});

test('a pod whose deletion hangs: the diagnosis is retired (no longer names the pod), late Events are swept, and a fresh instance finishes', async () => {
  const spawn = await makePod('jupyter-grace', { user: 'grace', server: '', finalizer: true });
  await kubeletEvent(spawn, 'FailedScheduling', 'sched');
  const a = actions(true, 8);
  const stopping = a.stop(input(spawn));
  // While the stop waits for the pod to go: the diagnosis no longer names it, and a late Event
  // of the pod (as the kubelet writes `Killing`) is deleted the moment the informer shows it.
  await waitUntil(async () => {
    const ours = (await eventsOf(spawn.uid)).find((e) => e.reason === 'SpawnDiagnosis');
    return ours?.involvedObject?.name === 'jupyter-grace/stopped-by-spawn-doctor';
  }, 'the diagnosis to be retired');
  await kubeletEvent(spawn, 'Killing', 'late');
  const late = await adminCore.readNamespacedEvent({ namespace: ns, name: 'jupyter-grace.late' });
  a.observeEvent(late as never);
  await waitUntil(
    async () => (await eventsOf(spawn.uid)).every((e) => e.reason === 'SpawnDiagnosis'),
    'the late event to be swept',
  );
  const r = await stopping;
  assert.equal(r.outcome, 'pod-deleted', r.notes.join('; '));
  assert.equal(r.unfinished, true, 'the pod did not go in time: the stop is not over');
  const left = (await eventsOf(spawn.uid)).map((e) => e.reason);
  assert.deepEqual(left, ['SpawnDiagnosis'], 'only the retired diagnosis, with the record, is left');
  const record = parseRecord(
    (await eventsOf(spawn.uid))[0]!.metadata!.annotations![STOP_ANNOTATION],
    spawn.uid,
  );
  assert.equal(!('error' in record) && record.phase, 'retired');

  // The pod goes; a fresh instance (after a restart) finishes: nothing of the UID is left.
  await adminCore.patchNamespacedPod({
    namespace: ns,
    name: 'jupyter-grace',
    body: [{ op: 'remove', path: '/metadata/finalizers' }],
  });
  await waitUntil(async () => !(await exists('jupyter-grace', spawn.uid)), 'the pod to go');
  const fresh = await actions(true).stop({ spawn });
  assert.equal(fresh.run, 'resumed');
  assert.equal(fresh.resumedFrom, 'retired');
  assert.equal(fresh.unfinished, undefined, fresh.notes.join('; '));
  assert.deepEqual(await eventsOf(spawn.uid), []);
});

async function waitUntil(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
