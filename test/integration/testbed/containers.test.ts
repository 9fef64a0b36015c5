// Container start-up on the simulated kubelet: configuration errors, crash loops with the
// kubelet's back-off, OOM kills, and events in the kubelet's shape with repeats counted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import {
  type Clients,
  createNamespace,
  createPod,
  deleteNamespace,
  IMAGES,
  podManifest,
  requireTestbed,
  waitForEvent,
  waitForPod,
  waitingReason,
} from '../../support/testbed.js';

let c: Clients;
let ns: string;

before(async () => {
  c = await requireTestbed();
  ns = await createNamespace(c.core, 'tb-containers');
  await c.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'present' }, stringData: { a: '1' } },
  });
});
after(async () => {
  if (c && ns) await deleteNamespace(c.core, ns);
});

const status0 = (p: V1Pod) => p.status?.containerStatuses?.[0];

async function configError(name: string, pod: V1Pod, expected: string): Promise<void> {
  await createPod(c.core, ns, pod);
  const p = await waitForPod(c.core, ns, name, (x) => waitingReason(x) === 'CreateContainerConfigError');
  assert.equal(status0(p)?.state?.waiting?.message, expected);
  const e = await waitForEvent(c.core, ns, name, (x) => x.reason === 'Failed');
  assert.equal(e.message, `Error: ${expected}`);
  assert.equal(e.involvedObject.fieldPath, 'spec.containers{notebook}');
}

test('env from a missing secret: CreateContainerConfigError secret "x" not found', async () => {
  await configError(
    'env-secret',
    podManifest('env-secret', {
      env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'x', key: 'token' } } }],
    }),
    'secret "x" not found',
  );
});

test("env from a missing key: couldn't find key k in Secret ns/name", async () => {
  await configError(
    'env-key',
    podManifest('env-key', {
      env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'present', key: 'k' } } }],
    }),
    `couldn't find key k in Secret ${ns}/present`,
  );
});

test('envFrom a missing configmap: configmap "settings" not found', async () => {
  await configError(
    'env-from',
    podManifest('env-from', { envFrom: [{ configMapRef: { name: 'settings' } }] }),
    'configmap "settings" not found',
  );
});

test('an optional missing secret is fine', async () => {
  await createPod(
    c.core,
    ns,
    podManifest('env-optional', {
      env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }],
    }),
  );
  await waitForPod(c.core, ns, 'env-optional', (x) => x.status?.phase === 'Running');
});

test('a command from the crash list: CrashLoopBackOff with restarts and the kubelet back-off', async () => {
  await createPod(c.core, ns, podManifest('crashes', { command: ['sh', '-c', 'exit 1'] }));
  const p = await waitForPod(c.core, ns, 'crashes', (x) => waitingReason(x) === 'CrashLoopBackOff', 90_000);
  const cs = status0(p);
  assert.ok((cs?.restartCount ?? 0) >= 1, 'restarted at least once');
  assert.equal(cs?.lastState?.terminated?.exitCode, 1);
  assert.equal(cs?.lastState?.terminated?.reason, 'Error');
  assert.match(
    cs?.state?.waiting?.message ?? '',
    new RegExp(
      `^back-off (10|20|40)s restarting failed container=notebook pod=crashes_${ns}\\(${p.metadata?.uid}\\)$`,
    ),
  );
  assert.equal(p.status?.phase, 'Running');
  const e = await waitForEvent(c.core, ns, 'crashes', (x) => x.reason === 'BackOff');
  assert.equal(
    e.message,
    `Back-off restarting failed container notebook in pod crashes_${ns}(${p.metadata?.uid})`,
  );
  assert.equal(e.type, 'Warning');
});

test('the crashing catalog image crash-loops', async () => {
  await createPod(c.core, ns, podManifest('crash-image', { image: IMAGES.crashing }));
  const p = await waitForPod(
    c.core,
    ns,
    'crash-image',
    (x) => waitingReason(x) === 'CrashLoopBackOff',
    90_000,
  );
  assert.equal(status0(p)?.lastState?.terminated?.exitCode, 1);
});

test('a memory limit below the image footprint: OOMKilled, exit 137, then CrashLoopBackOff', async () => {
  await createPod(
    c.core,
    ns,
    podManifest('oom', { image: IMAGES.minimal, resources: { limits: { memory: '256Mi' } } }),
  );
  const p = await waitForPod(c.core, ns, 'oom', (x) => waitingReason(x) === 'CrashLoopBackOff', 90_000);
  const t = status0(p)?.lastState?.terminated;
  assert.equal(t?.reason, 'OOMKilled');
  assert.equal(t?.exitCode, 137);
});

test('events have the kubelet shape and repeats are counted on one event', async () => {
  await createPod(c.core, ns, podManifest('shape', { image: IMAGES.notFound }));
  const p = await waitForPod(c.core, ns, 'shape', (x) => waitingReason(x) === 'ImagePullBackOff');
  const node = p.spec?.nodeName;
  const e = await waitForEvent(
    c.core,
    ns,
    'shape',
    (x) => x.message === 'Error: ImagePullBackOff' && (x.count ?? 0) >= 2,
    90_000,
  );
  assert.deepEqual({ ...e.source }, { component: 'kubelet', host: node });
  assert.equal(e.reportingComponent, 'kubelet');
  assert.equal(e.reportingInstance, node);
  assert.equal(e.involvedObject.kind, 'Pod');
  assert.equal(e.involvedObject.uid, p.metadata?.uid);
  assert.equal(e.involvedObject.fieldPath, 'spec.containers{notebook}');
  assert.ok(e.firstTimestamp && e.lastTimestamp, 'first and last timestamps');
  assert.ok(
    new Date(e.lastTimestamp as Date).getTime() > new Date(e.firstTimestamp as Date).getTime(),
    'last after first',
  );
  assert.match(e.metadata.name ?? '', /^shape\.[0-9a-f]+$/);
});
