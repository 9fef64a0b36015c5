// deploy/rbac/ on the real API server: spawn-doctor's service account (a TokenRequest token, not
// the admin) can do exactly what the service needs, and is refused the rest — including what RBAC
// alone cannot forbid (deleting a pod that is not a JupyterHub single-user pod), which the
// admission policy denies.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  StorageV1Api,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';
import { adminKubeConfig, applyRbac, removeRbac, type ServiceAccountAccess } from '../../support/rbac.js';

const id = randomBytes(3).toString('hex');
const serviceNs = `sd-rbac-${id}`;
const userNs = `sd-rbac-user-${id}`;
let admin: KubeConfig;
let adminCore: CoreV1Api;
let access: ServiceAccountAccess;
let sa: CoreV1Api;
let saLeases: CoordinationV1Api;
let saStorage: StorageV1Api;

function podBody(name: string, singleuser: boolean): V1Pod {
  return {
    metadata: {
      name,
      labels: singleuser ? { component: 'singleuser-server', app: 'jupyterhub' } : { app: 'other' },
      annotations: singleuser ? { 'hub.jupyter.org/username': 'alice' } : {},
    },
    // Held by a scheduling gate: Pending without events (no spawn-doctor on the shared testbed
    // has a reason to act on it), and deletion is immediate.
    spec: {
      schedulingGates: [{ name: 'spawn-doctor.test/hold' }],
      containers: [{ name: 'notebook', image: 'quay.io/jupyter/base-notebook:latest' }],
    },
  };
}

async function code(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    const c = (err as { code?: number }).code;
    if (typeof c !== 'number') throw err;
    return c;
  }
}

before(async () => {
  admin = adminKubeConfig();
  adminCore = admin.makeApiClient(CoreV1Api);
  access = await applyRbac({ namespace: serviceNs });
  sa = access.kubeConfig.makeApiClient(CoreV1Api);
  saLeases = access.kubeConfig.makeApiClient(CoordinationV1Api);
  saStorage = access.kubeConfig.makeApiClient(StorageV1Api);
  await adminCore.createNamespace({ body: { metadata: { name: userNs } } });
  await adminCore.createNamespacedSecret({
    namespace: userNs,
    body: { metadata: { name: 'home-key' }, stringData: { k: 'v' } },
  });
  for (const [name, su] of [
    ['jupyter-alice', true],
    ['jupyter-alice-2', true],
    ['not-a-notebook', false],
  ] as const) {
    await adminCore.createNamespacedPod({ namespace: userNs, body: podBody(name, su) });
  }
});

after(async () => {
  await adminCore.deleteNamespace({ name: userNs }).catch(() => undefined);
  await adminCore.deleteNamespace({ name: serviceNs }).catch(() => undefined);
  if (access) await removeRbac(access);
});

test('the kubeconfig is the service account, authenticated by a TokenRequest token', async () => {
  assert.equal(access.username, `system:serviceaccount:${serviceNs}:spawn-doctor`);
  // The admin can read secrets; the service account cannot: so we are not the admin.
  assert.equal(await code(adminCore.readNamespacedSecret({ namespace: userNs, name: 'home-key' })), 200);
  assert.equal(await code(sa.readNamespacedSecret({ namespace: userNs, name: 'home-key' })), 403);
});

test('allowed: watch/list pods and events cluster-wide, nodes, and the Event life cycle on a pod', async () => {
  const pods = await sa.listPodForAllNamespaces({ labelSelector: 'component=singleuser-server' });
  assert.ok(pods.items.some((p) => p.metadata?.namespace === userNs));
  await sa.listEventForAllNamespaces({ fieldSelector: 'involvedObject.kind=Pod', limit: 1 });
  assert.ok((await sa.listNode({})).items.length > 0);
  const pod = await sa.readNamespacedPod({ namespace: userNs, name: 'jupyter-alice' });
  const ev = await sa.createNamespacedEvent({
    namespace: userNs,
    body: {
      metadata: { name: `jupyter-alice.rbac-${id}` },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        name: 'jupyter-alice',
        namespace: userNs,
        uid: pod.metadata!.uid!,
      },
      type: 'Normal',
      reason: 'SpawnProgress',
      message: 'Pulling.',
      source: { component: 'spawn-doctor' },
      firstTimestamp: new Date(),
      lastTimestamp: new Date(),
      count: 1,
    },
  });
  await sa.patchNamespacedEvent({
    namespace: userNs,
    name: ev.metadata!.name!,
    body: [{ op: 'add', path: '/message', value: 'Pulling, 1 GB.' }],
  });
  await sa.deleteNamespacedEvent({ namespace: userNs, name: ev.metadata!.name! });
});

test('the attach watch: VolumeAttachments and PersistentVolumes get/list/watch, and nothing more', async () => {
  const pvName = `sd-rbac-pv-${id}`;
  await adminCore.createPersistentVolume({
    body: {
      metadata: { name: pvName },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: '',
        csi: { driver: 'csi-sshfs', volumeHandle: pvName },
      },
    },
  });
  try {
    await saStorage.listVolumeAttachment({});
    assert.equal((await sa.readPersistentVolume({ name: pvName })).metadata?.name, pvName);
    assert.ok((await sa.listPersistentVolume({})).items.some((pv) => pv.metadata?.name === pvName));
    // watch: a short watch of each ends cleanly instead of being refused
    for (const path of ['/apis/storage.k8s.io/v1/volumeattachments', '/api/v1/persistentvolumes']) {
      const ended = await new Promise<unknown>((resolve, reject) => {
        new Watch(access.kubeConfig)
          .watch(path, { timeoutSeconds: 1 }, () => undefined, resolve)
          .catch(reject);
      });
      assert.equal(ended ?? null, null, `watch ${path}: ${String(ended)}`);
    }
    assert.equal(
      await code(
        saStorage.createVolumeAttachment({
          body: {
            metadata: { name: `sd-rbac-va-${id}` },
            spec: { attacher: 'csi-sshfs', nodeName: 'cpu-node-1', source: { persistentVolumeName: pvName } },
          },
        }),
      ),
      403,
    );
    assert.equal(await code(sa.deletePersistentVolume({ name: pvName })), 403);
    assert.equal(
      await code(
        sa.patchPersistentVolume({
          name: pvName,
          body: [{ op: 'add', path: '/metadata/labels', value: { x: 'y' } }],
        }),
      ),
      403,
    );
  } finally {
    await adminCore.deletePersistentVolume({ name: pvName }).catch(() => undefined);
  }
});

test('allowed: its Lease in its own namespace only', async () => {
  const lease = await saLeases.createNamespacedLease({
    namespace: serviceNs,
    body: { metadata: { name: 'spawn-doctor' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 10 } },
  });
  lease.spec!.holderIdentity = 'b';
  await saLeases.replaceNamespacedLease({ namespace: serviceNs, name: 'spawn-doctor', body: lease });
  assert.equal(
    (await saLeases.readNamespacedLease({ namespace: serviceNs, name: 'spawn-doctor' })).spec?.holderIdentity,
    'b',
  );
  await adminCore.createNamespace({ body: { metadata: { name: `${serviceNs}-x` } } });
  try {
    assert.equal(
      await code(
        saLeases.createNamespacedLease({
          namespace: `${serviceNs}-x`,
          body: { metadata: { name: 'spawn-doctor' } },
        }),
      ),
      403,
    );
  } finally {
    await adminCore.deleteNamespace({ name: `${serviceNs}-x` });
  }
  // Another Lease in its namespace can be created (create cannot be limited by name) but not read or renewed.
  await saLeases.createNamespacedLease({ namespace: serviceNs, body: { metadata: { name: 'other' } } });
  assert.equal(await code(saLeases.readNamespacedLease({ namespace: serviceNs, name: 'other' })), 403);
});

test('refused by RBAC: secrets, configmaps, creating or changing pods, PVCs, deletecollection, namespaces', async () => {
  assert.equal(await code(sa.listSecretForAllNamespaces({})), 403);
  assert.equal(await code(sa.listNamespacedConfigMap({ namespace: userNs })), 403);
  assert.equal(await code(sa.createNamespacedPod({ namespace: userNs, body: podBody('sneaky', true) })), 403);
  assert.equal(
    await code(
      sa.patchNamespacedPod({
        namespace: userNs,
        name: 'jupyter-alice',
        body: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }],
      }),
    ),
    403,
  );
  assert.equal(await code(sa.listNamespacedPersistentVolumeClaim({ namespace: userNs })), 403);
  assert.equal(await code(sa.deleteCollectionNamespacedEvent({ namespace: userNs })), 403);
  assert.equal(await code(sa.deleteNamespace({ name: userNs })), 403);
  assert.equal(await code(sa.readNamespacedPodLog({ namespace: userNs, name: 'jupyter-alice' })), 403);
});

test('refused by the admission policy: deleting a pod that is not a single-user pod; foreign Events', async () => {
  // The policy becomes active shortly after it is created: probe with a dry run until it denies.
  const deadline = Date.now() + 30_000;
  let probe = 0;
  while (Date.now() < deadline) {
    probe = await code(sa.deleteNamespacedPod({ namespace: userNs, name: 'not-a-notebook', dryRun: 'All' }));
    if (probe === 403) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(probe, 403, 'the admission policy never denied the deletion of a non-single-user pod');
  assert.equal(await code(sa.deleteNamespacedPod({ namespace: userNs, name: 'not-a-notebook' })), 403);
  assert.ok(
    await adminCore.readNamespacedPod({ namespace: userNs, name: 'not-a-notebook' }),
    'the pod must still exist',
  );

  const pod = await sa.readNamespacedPod({ namespace: userNs, name: 'jupyter-alice-2' });
  const foreign = {
    metadata: { name: `jupyter-alice-2.forged-${id}` },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'jupyter-alice-2',
      namespace: userNs,
      uid: pod.metadata!.uid!,
    },
    type: 'Warning',
    reason: 'Failed',
    message: 'forged kubelet event',
    source: { component: 'kubelet' },
    firstTimestamp: new Date(),
    lastTimestamp: new Date(),
  };
  assert.equal(await code(sa.createNamespacedEvent({ namespace: userNs, body: foreign })), 403);
  const onNamespace = {
    ...foreign,
    reason: 'SpawnDiagnosis',
    involvedObject: { apiVersion: 'v1', kind: 'Namespace', name: userNs, namespace: userNs },
  };
  assert.equal(await code(sa.createNamespacedEvent({ namespace: userNs, body: onNamespace })), 403);

  // And what it needs still works: deleting a single-user pod.
  await sa.deleteNamespacedPod({ namespace: userNs, name: 'jupyter-alice-2' });
});
