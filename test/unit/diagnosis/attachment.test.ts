// VolumeAttachment evidence in the pure classifier: an attach of a watched driver that is overdue
// or carries an attachError is the failed attach; one within its time is not trouble.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pendingAttachments, secondsUntilOverdue } from '../../../src/diagnosis/attachment.js';
import { classify } from '../../../src/diagnosis/index.js';
import type { AttachmentEvidence, KubeEvent, PodLike } from '../../../src/diagnosis/types.js';

const observedAt = '2025-11-20T10:00:30.000Z';
const t0 = Date.parse(observedAt);

function attachment(over: Partial<AttachmentEvidence> = {}): AttachmentEvidence {
  return {
    name: 'csi-5ad8',
    pv: 'jupyterhub-alice-demo-ns-praha5-elixir-data-sshfs',
    pvc: 'praha5-elixir-data-sshfs',
    volume: 'home-praha5-elixir',
    driver: 'csi-sshfs',
    node: 'cpu-node-1',
    storageServer: 'storage-praha5-elixir.metacentrum.cz',
    attached: false,
    acknowledged: false,
    waitedSeconds: 25,
    timeoutSeconds: 20,
    observedAt,
    ...over,
  };
}

const pod: PodLike = {
  metadata: { name: 'jupyter-alice', namespace: 'jupyterhub-alice-demo-ns', uid: 'u1' },
  spec: {
    nodeName: 'cpu-node-1',
    containers: [{ name: 'notebook', image: 'quay.io/jupyter/minimal-notebook:2025-10-20' }],
    volumes: [
      { name: 'home-praha5-elixir', persistentVolumeClaim: { claimName: 'praha5-elixir-data-sshfs' } },
    ],
  },
  status: { phase: 'Pending' },
};

const scheduled: KubeEvent = {
  metadata: { name: 'jupyter-alice.1' },
  involvedObject: { kind: 'Pod', name: 'jupyter-alice', uid: 'u1' },
  type: 'Normal',
  reason: 'Scheduled',
  message: 'Successfully assigned jupyterhub-alice-demo-ns/jupyter-alice to cpu-node-1',
  firstTimestamp: '2025-11-20T10:00:04Z',
  lastTimestamp: '2025-11-20T10:00:04Z',
};

describe('attach evidence from VolumeAttachments', () => {
  it('an sshfs attach still not done after its time: volume.sshfs_attach_failed, with the server and the wait', () => {
    const d = classify({ pod, events: [scheduled], attachments: [attachment()] });
    assert.equal(d.category, 'volume.sshfs_attach_failed');
    assert.equal(d.action, 'stop');
    assert.equal(d.params.volume, 'jupyterhub-alice-demo-ns-praha5-elixir-data-sshfs');
    assert.equal(d.params.pvc, 'praha5-elixir-data-sshfs');
    assert.equal(d.params.storageServer, 'storage-praha5-elixir.metacentrum.cz');
    assert.equal(d.params.csiDriver, 'csi-sshfs');
    assert.equal(d.params.reason, 'AttachTimeout');
    assert.match(
      String(d.params.cause),
      /not attached within 20 s: the csi-sshfs external attacher has not taken it up/,
    );
    const ref = d.evidence[0]!;
    assert.equal(ref.kind, 'volume-attachment');
    assert.equal(ref.ref, 'csi-5ad8');
    // the verdict is dated when the wait ran out (25 s waited, 20 allowed: 5 s before the look)
    assert.equal(ref.at, new Date(t0 - 5000).toISOString());
  });

  it('says when the attacher took it but did not finish', () => {
    const d = classify({ pod, events: [], attachments: [attachment({ acknowledged: true })] });
    assert.match(String(d.params.cause), /took it but did not finish/);
  });

  it('within its time it is no trouble at all (a slow but healthy attach is never stopped)', () => {
    for (const waited of [0, 10, 19.9]) {
      const d = classify({ pod, events: [scheduled], attachments: [attachment({ waitedSeconds: waited })] });
      assert.equal(d.category, 'normal', `waited ${waited}`);
    }
    assert.equal(
      classify({ pod, events: [], attachments: [attachment({ attached: true, waitedSeconds: 90 })] })
        .category,
      'normal',
    );
  });

  it('an attachError is decisive at once; another driver gives volume.attach_failed with its cause', () => {
    const a = attachment({
      driver: 'cinder.csi.openstack.org',
      pv: 'ns-gone-scratch',
      waitedSeconds: 1,
      acknowledged: true,
      attachError: {
        message: 'rpc error: code = NotFound desc = [ControllerPublishVolume] Volume gone not found',
        at: '2025-11-20T10:00:29Z',
      },
    });
    delete a.storageServer;
    const d = classify({ pod, events: [], attachments: [a] });
    assert.equal(d.category, 'volume.attach_failed');
    assert.equal(d.params.volume, 'ns-gone-scratch');
    assert.equal(d.params.reason, 'AttachError');
    assert.match(String(d.params.cause), /Volume gone not found/);
    assert.equal(d.evidence[0]?.at, '2025-11-20T10:00:29.000Z');
    const sshfs = classify({
      pod,
      events: [],
      attachments: [attachment({ waitedSeconds: 1, attachError: { message: 'boom' } })],
    });
    assert.equal(sshfs.category, 'volume.sshfs_attach_failed');
  });

  it("agrees with the controller's own timeout event when both are there", () => {
    const controller: KubeEvent = {
      metadata: { name: 'jupyter-alice.2' },
      involvedObject: { kind: 'Pod', name: 'jupyter-alice', uid: 'u1' },
      type: 'Warning',
      reason: 'FailedAttachVolume',
      message:
        'AttachVolume.Attach failed for volume "jupyterhub-alice-demo-ns-praha5-elixir-data-sshfs" : timed out waiting for external-attacher of csi-sshfs CSI driver to attach volume jupyterhub-alice-demo-ns-praha5-elixir-data-sshfs',
      firstTimestamp: '2025-11-20T10:02:04Z',
      lastTimestamp: '2025-11-20T10:02:04Z',
    };
    const d = classify({
      pod,
      events: [scheduled, controller],
      attachments: [attachment({ waitedSeconds: 121 })],
    });
    assert.equal(d.category, 'volume.sshfs_attach_failed');
  });

  it('a ready pod is fine whatever an attachment says', () => {
    const ready: PodLike = {
      ...pod,
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    assert.equal(classify({ pod: ready, events: [], attachments: [attachment()] }).category, 'normal');
  });

  it('garbage in the attachments list is ignored, never a crash', () => {
    const junk = [
      null,
      1,
      'x',
      { name: 'a' },
      { ...attachment(), timeoutSeconds: 0 },
    ] as unknown as AttachmentEvidence[];
    assert.equal(classify({ pod, events: [], attachments: junk }).category, 'normal');
    assert.equal(classify({ pod, events: [], attachments: 'nope' as never }).category, 'normal');
    assert.deepEqual(pendingAttachments(junk), []);
  });

  it('pending attachments and the time until the first is overdue', () => {
    const list = [
      attachment({ name: 'a', waitedSeconds: 5 }),
      attachment({ name: 'b', waitedSeconds: 12 }),
      attachment({ name: 'c', waitedSeconds: 30 }),
      attachment({ name: 'd', attached: true }),
      attachment({ name: 'e', waitedSeconds: 1, attachError: { message: 'x' } }),
    ];
    assert.deepEqual(
      pendingAttachments(list).map((a) => a.name),
      ['a', 'b'],
    );
    assert.equal(secondsUntilOverdue(list), 8);
    assert.equal(secondsUntilOverdue([]), undefined);
  });
});
