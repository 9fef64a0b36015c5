// The actions on the real API server, run with spawn-doctor's service-account token (deploy/rbac):
// the SpawnDiagnosis Event as the API server stores it, "already stopped" across instances, the
// fallback pod deletion without a hub, cleanup by pod UID only, progress notes updated in place,
// and the refusals of the safety check. Pods carry a scheduling gate: they stay Pending without
// events, so no other spawn-doctor running against the shared testbed has reason to act on them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CoreV1Api, type CoreV1Event, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import { createActions } from '../../../src/actions/index.js';
import type { ActionObserver } from '../../../src/actions/types.js';
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

function podBody(name: string, opts: { user?: string; server?: string; label?: boolean } = {}): V1Pod {
  const annotations: Record<string, string> = {};
  if (opts.user !== undefined) annotations['hub.jupyter.org/username'] = opts.user;
  if (opts.server !== undefined) annotations['hub.jupyter.org/servername'] = opts.server;
  return {
    metadata: {
      name,
      labels: opts.label === false ? { app: 'other' } : { component: 'singleuser-server', app: 'jupyterhub' },
      annotations,
    },
    spec: {
      schedulingGates: [{ name: 'spawn-doctor.test/hold' }],
      containers: [{ name: 'notebook', image: 'quay.io/jupyter/base-notebook:latest' }],
    },
  };
}

async function makePod(
  name: string,
  opts: { user?: string; server?: string; label?: boolean } = {},
): Promise<SpawnRef> {
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

function actions(cleanupEvents: boolean) {
  return createActions({
    kubeConfig: access.kubeConfig,
    hubs: createHubRegistry([]),
    config: { cleanupEvents, progressStreamWaitSeconds: 1, podGoneWaitSeconds: 20 },
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
  assert.equal(await a.alreadyStopped(spawn), false);
  const r = await a.stop({ spawn, annotation, sentence: 'Your volume "data-x" does not exist.' });
  assert.equal(r.outcome, 'pod-deleted', r.notes.join('; '));
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

  // The durable marker: a fresh instance (a restart, another replica) sees the UID as stopped.
  assert.equal(await actions(false).alreadyStopped(spawn), true);
  // Then cleanup removes every Event of that UID, the diagnosis included.
  const n = await actions(false).cleanupEvents(spawn);
  assert.equal(n, 2);
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
  const r = await actions(true).stop({ spawn, annotation, sentence: 'Your volume "data-x" does not exist.' });
  assert.equal(r.outcome, 'pod-deleted', r.notes.join('; '));
  assert.equal(r.eventsDeleted, 2);
  assert.deepEqual(await eventsOf(spawn.uid), []);
  assert.equal((await eventsOf(old.uid)).length, 1, 'events of another UID are never touched');
  // Idempotent: a second stop of the same spawn finds nothing to do and does not throw.
  const again = await actions(true).stop({ spawn, annotation, sentence: 'x.' });
  assert.equal(again.outcome, 'failed');
  assert.ok(again.notes.some((n) => /pod not found/.test(n)));
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
    const r = await actions(true).stop({ spawn, annotation, sentence: 'x.' });
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
  const r = await actions(true).stop({ spawn: first, annotation, sentence: 'x.' });
  assert.equal(r.outcome, 'failed');
  assert.equal(await exists('jupyter-dave', second.uid), true);
  // Cleanup never removes the events of a live pod.
  await kubeletEvent(second, 'FailedScheduling', 'live');
  assert.equal(await actions(true).cleanupEvents(second), 0);
  assert.equal((await eventsOf(second.uid)).length, 1);
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
  assert.equal(await a.alreadyStopped(spawn), false, 'a progress note is not a stop');
});

test('concurrent stops of one UID in one process are one stop', async () => {
  const spawn = await makePod('jupyter-frank', { user: 'frank', server: '' });
  const a = actions(true);
  const before = observed.filter(([act]) => act === 'announce').length;
  const [r1, r2] = await Promise.all([
    a.stop({ spawn, annotation, sentence: 'x.' }),
    a.stop({ spawn, annotation, sentence: 'x.' }),
  ]);
  assert.equal(r1, r2);
  assert.equal(r1.outcome, 'pod-deleted', r1.notes.join('; '));
  assert.equal(observed.filter(([act]) => act === 'announce').length, before + 1);
  assert.deepEqual(await eventsOf(spawn.uid), []);
});
