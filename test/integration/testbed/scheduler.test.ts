// The real kube-scheduler explains why pods do not fit the testbed's nodes, in its own words.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type Clients,
  createNamespace,
  createPod,
  deleteNamespace,
  podManifest,
  requireTestbed,
  waitForEvent,
  waitForPod,
} from '../../support/testbed.js';

let c: Clients;
let ns: string;

before(async () => {
  c = await requireTestbed();
  ns = await createNamespace(c.core, 'tb-sched');
});
after(async () => {
  if (c && ns) await deleteNamespace(c.core, ns);
});

async function failedScheduling(name: string): Promise<string> {
  const e = await waitForEvent(c.core, ns, name, (ev) => ev.reason === 'FailedScheduling');
  assert.equal(e.type, 'Warning');
  return e.message ?? '';
}

test('a pod asking for 1000 CPUs gets Insufficient cpu', async () => {
  await createPod(c.core, ns, podManifest('cpu-hog', { resources: { requests: { cpu: '1000' } } }));
  const m = await failedScheduling('cpu-hog');
  assert.match(m, /^0\/6 nodes are available: /);
  assert.match(m, /4 Insufficient cpu/);
  assert.match(m, /1 node\(s\) had untolerated taint\(s\)/);
  assert.match(m, /1 node\(s\) were unschedulable/);
});

test('three GPUs fit nowhere: Insufficient nvidia.com/gpu', async () => {
  await createPod(c.core, ns, podManifest('gpu-hog', { resources: { limits: { 'nvidia.com/gpu': '3' } } }));
  assert.match(await failedScheduling('gpu-hog'), /Insufficient nvidia\.com\/gpu/);
});

test('MIG slices are counted: eight 1g.10gb slices do not fit', async () => {
  await createPod(
    c.core,
    ns,
    podManifest('mig-hog', { resources: { limits: { 'nvidia.com/mig-1g.10gb': '8' } } }),
  );
  assert.match(await failedScheduling('mig-hog'), /Insufficient nvidia\.com\/mig-1g\.10gb/);
});

test('the tainted node needs a toleration', async () => {
  await createPod(
    c.core,
    ns,
    podManifest('taint', {}, { nodeSelector: { 'kubernetes.io/hostname': 'tainted-1' } }),
  );
  const m = await failedScheduling('taint');
  // The scheduler counts each node under the first filter it fails: unschedulable and
  // taints are checked before the selector.
  assert.match(m, /1 node\(s\) had untolerated taint\(s\)/);
  assert.match(m, /4 node\(s\) didn't match Pod's node affinity\/selector/);
});

test('a selector no node has is a node affinity/selector mismatch', async () => {
  await createPod(
    c.core,
    ns,
    podManifest('selector', {}, { nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100' } }),
  );
  const m = await failedScheduling('selector');
  assert.match(m, /4 node\(s\) didn't match Pod's node affinity\/selector/);
  assert.doesNotMatch(m, /Insufficient/);
});

test('the cordoned node is unschedulable', async () => {
  await createPod(
    c.core,
    ns,
    podManifest('cordoned', {}, { nodeSelector: { 'kubernetes.io/hostname': 'cordoned-1' } }),
  );
  assert.match(await failedScheduling('cordoned'), /1 node\(s\) were unschedulable/);
});

test('a claim that does not exist: persistentvolumeclaim "x" not found', async () => {
  await createPod(
    c.core,
    ns,
    podManifest('no-claim', {}, { volumes: [{ name: 'home', persistentVolumeClaim: { claimName: 'x' } }] }),
  );
  assert.match(await failedScheduling('no-claim'), /persistentvolumeclaim "x" not found/);
});

test('a Pending claim blocks scheduling until it binds, then the pod runs', async () => {
  await c.core.createNamespacedPersistentVolumeClaim({
    namespace: ns,
    body: {
      metadata: { name: 'later' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: '',
        resources: { requests: { storage: '1Gi' } },
      },
    },
  });
  await createPod(
    c.core,
    ns,
    podManifest(
      'waits-for-claim',
      {},
      { volumes: [{ name: 'home', persistentVolumeClaim: { claimName: 'later' } }] },
    ),
  );
  assert.match(await failedScheduling('waits-for-claim'), /pod has unbound immediate PersistentVolumeClaims/);
  const pv = `${ns}-later`;
  await c.core.createPersistentVolume({
    body: {
      metadata: { name: pv },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: '',
        hostPath: { path: `/tmp/${pv}` },
        claimRef: { namespace: ns, name: 'later' },
      },
    },
  });
  try {
    const p = await waitForPod(c.core, ns, 'waits-for-claim', (x) => x.status?.phase === 'Running', 120_000);
    assert.ok(p.spec?.nodeName, 'bound to a node');
  } finally {
    await c.core.deletePersistentVolume({ name: pv }).catch(() => undefined);
  }
});
