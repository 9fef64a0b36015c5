// The one mapping from a pod to the VolumeAttachments it waits for: its claim → the PV whose
// claimRef names it → the attachment of that PV on the pod's node (src/kube/attachments.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1PersistentVolume, V1VolumeAttachment } from '@kubernetes/client-node';
import type { PodLike } from '../../../src/diagnosis/types.js';
import { AttachmentIndex, podClaims } from '../../../src/kube/attachments.js';

const ns = 'jupyterhub-alice-demo-ns';
const created = Date.parse('2025-11-20T10:00:00Z');

function pv(name: string, claim: string, driver = 'csi-sshfs', server?: string): V1PersistentVolume {
  return {
    metadata: { name },
    spec: {
      claimRef: { namespace: ns, name: claim },
      csi: { driver, volumeHandle: name, ...(server ? { volumeAttributes: { server } } : {}) },
    },
  };
}

function va(
  name: string,
  pvName: string,
  node: string,
  over: { attached?: boolean; finalizers?: string[]; error?: string; driver?: string; at?: number } = {},
): V1VolumeAttachment {
  return {
    metadata: {
      name,
      creationTimestamp: new Date(over.at ?? created + 2000),
      ...(over.finalizers ? { finalizers: over.finalizers } : {}),
    },
    spec: { attacher: over.driver ?? 'csi-sshfs', nodeName: node, source: { persistentVolumeName: pvName } },
    status: {
      attached: over.attached ?? false,
      ...(over.error ? { attachError: { message: over.error, time: new Date(created + 3000) } } : {}),
    },
  };
}

const pod: PodLike = {
  metadata: {
    name: 'jupyter-alice',
    namespace: ns,
    uid: 'u1',
    creationTimestamp: new Date(created).toISOString(),
  },
  spec: {
    nodeName: 'cpu-node-1',
    volumes: [
      { name: 'home', persistentVolumeClaim: { claimName: 'home-claim' } },
      { name: 'scratch', persistentVolumeClaim: { claimName: 'scratch-claim' } },
      { name: 'cm', configMap: { name: 'x' } },
    ],
  },
};

describe('AttachmentIndex', () => {
  it("maps the pod's claims through the PVs' claimRef to the attachment on its node", () => {
    const idx = new AttachmentIndex({ timeoutSeconds: 20, drivers: ['csi-sshfs'] });
    assert.deepEqual(idx.upsertPv(pv('pv-home', 'home-claim', 'csi-sshfs', 'storage-x.example')), [
      `${ns}/home-claim`,
    ]);
    assert.deepEqual(idx.upsertVa(va('va-other-node', 'pv-home', 'cpu-node-2')), [`${ns}/home-claim`]);
    assert.deepEqual(
      idx.forPod(pod, created + 10_000),
      [],
      'an attachment on another node is not this pod’s',
    );
    idx.upsertVa(
      va('va-home', 'pv-home', 'cpu-node-1', { finalizers: ['external-attacher/csi-sshfs'] }),
      created + 2000,
    );
    const [e, ...rest] = idx.forPod(pod, created + 10_000);
    assert.equal(rest.length, 0);
    assert.deepEqual(e, {
      name: 'va-home',
      pv: 'pv-home',
      pvc: 'home-claim',
      volume: 'home',
      driver: 'csi-sshfs',
      node: 'cpu-node-1',
      storageServer: 'storage-x.example',
      attached: false,
      acknowledged: true,
      waitedSeconds: 8, // from the attachment's creation, 2 s after the pod's
      timeoutSeconds: 20,
      observedAt: new Date(created + 10_000).toISOString(),
    });
  });

  it('only watched drivers; an old attachment counts from the pod’s creation; errors and deletion', () => {
    const idx = new AttachmentIndex({ timeoutSeconds: 20, drivers: ['csi-sshfs'] });
    idx.upsertPv(pv('pv-scratch', 'scratch-claim', 'cinder.csi.openstack.org'));
    assert.deepEqual(
      idx.upsertVa(va('va-c', 'pv-scratch', 'cpu-node-1', { driver: 'cinder.csi.openstack.org' })),
      [],
    );
    idx.upsertPv(pv('pv-home', 'home-claim'));
    idx.upsertVa(
      va('va-home', 'pv-home', 'cpu-node-1', { at: created - 600_000, error: 'denied' }),
      created - 600_000,
    );
    const [e] = idx.forPod(pod, created + 5000);
    assert.equal(e?.waitedSeconds, 5);
    assert.deepEqual(e?.attachError, { message: 'denied', at: new Date(created + 3000).toISOString() });
    assert.deepEqual(idx.deleteVa(va('va-home', 'pv-home', 'cpu-node-1')), [`${ns}/home-claim`]);
    assert.deepEqual(idx.forPod(pod, created + 5000), []);
  });

  it('counts from when it was first seen when that is later (seconds-only timestamps, a restart)', () => {
    const idx = new AttachmentIndex({ timeoutSeconds: 20, drivers: ['csi-sshfs'] });
    idx.upsertPv(pv('pv-home', 'home-claim'));
    idx.upsertVa(va('va-home', 'pv-home', 'cpu-node-1'), created + 2900);
    idx.upsertVa(va('va-home', 'pv-home', 'cpu-node-1', { attached: false }), created + 9000); // an update
    assert.equal(idx.forPod(pod, created + 10_000)[0]?.waitedSeconds, 7.1);
  });

  it('a PV rebound to another claim moves with it', () => {
    const idx = new AttachmentIndex({ timeoutSeconds: 20, drivers: ['csi-sshfs'] });
    idx.upsertPv(pv('pv-1', 'home-claim'));
    idx.upsertVa(va('va-1', 'pv-1', 'cpu-node-1'), created);
    assert.equal(idx.forPod(pod, created + 1000).length, 1);
    assert.deepEqual(idx.upsertPv(pv('pv-1', 'other-claim')), [`${ns}/home-claim`, `${ns}/other-claim`]);
    assert.equal(idx.forPod(pod, created + 1000).length, 0);
    assert.deepEqual(idx.deletePv(pv('pv-1', 'other-claim')), [`${ns}/other-claim`]);
  });

  it('podClaims: the namespace/claim keys of a pod', () => {
    assert.deepEqual(podClaims(pod), [`${ns}/home-claim`, `${ns}/scratch-claim`]);
    assert.deepEqual(podClaims({}), []);
  });
});
