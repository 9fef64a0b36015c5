// Volumes on the simulated kubelet: missing ConfigMap/Secret volumes, and sshfs home
// directories (csi-sshfs PVs) whose storage server attaches, fails to mount, or never
// attaches (the real attach-detach controller then reports the timeout).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type Clients,
  createNamespace,
  createPod,
  deleteNamespace,
  podManifest,
  requireTestbed,
  SSHFS,
  waitForEvent,
  waitForPod,
  waitingReason,
} from '../../support/testbed.js';

let c: Clients;
let ns: string;
const pvs: string[] = [];

before(async () => {
  c = await requireTestbed();
  ns = await createNamespace(c.core, 'tb-volumes');
});
after(async () => {
  if (!c) return;
  for (const pv of pvs) await c.core.deletePersistentVolume({ name: pv }).catch(() => undefined);
  if (ns) await deleteNamespace(c.core, ns);
});

/** An sshfs PV bound to a claim `claim` in the test namespace, as the operators' sites make them. */
async function sshfsClaim(claim: string, server: string, user: string, share: string): Promise<string> {
  const pv = `${ns}-${claim}-sshfs`;
  pvs.push(pv);
  await c.core.createPersistentVolume({
    body: {
      metadata: { name: pv },
      spec: {
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteMany'],
        storageClassName: '',
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: ns, name: claim },
        csi: {
          driver: SSHFS.driver,
          volumeHandle: pv,
          volumeAttributes: { server, user, share, port: '22' },
        },
      },
    },
  });
  await c.core.createNamespacedPersistentVolumeClaim({
    namespace: ns,
    body: {
      metadata: { name: claim },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: '',
        volumeName: pv,
        resources: { requests: { storage: '10Gi' } },
      },
    },
  });
  return pv;
}

const withClaim = (name: string, claim: string) =>
  podManifest(
    name,
    { volumeMounts: [{ name: 'home', mountPath: '/home/jovyan' }] },
    { volumes: [{ name: 'home', persistentVolumeClaim: { claimName: claim } }] },
  );

test('a missing configmap volume: FailedMount MountVolume.SetUp failed ... configmap "y" not found', async () => {
  await createPod(
    c.core,
    ns,
    podManifest('cm-volume', {}, { volumes: [{ name: 'x', configMap: { name: 'y' } }] }),
  );
  const e = await waitForEvent(c.core, ns, 'cm-volume', (x) => x.reason === 'FailedMount');
  assert.equal(e.message, 'MountVolume.SetUp failed for volume "x" : configmap "y" not found');
  assert.equal(e.type, 'Warning');
  assert.equal(e.source?.component, 'kubelet');
  assert.equal(e.involvedObject.fieldPath, undefined);
  const p = await waitForPod(c.core, ns, 'cm-volume', (x) => waitingReason(x) === 'ContainerCreating');
  assert.equal(p.status?.phase, 'Pending');
  assert.equal(p.status?.podIP, undefined, 'no sandbox before volumes are set up');
  // Repeated attempts back off and are counted on the same event.
  await waitForEvent(c.core, ns, 'cm-volume', (x) => x.reason === 'FailedMount' && (x.count ?? 0) >= 3);
});

test('a missing secret volume: secret "creds" not found; creating it lets the pod start', async () => {
  await createPod(
    c.core,
    ns,
    podManifest('secret-volume', {}, { volumes: [{ name: 'creds', secret: { secretName: 'creds' } }] }),
  );
  const e = await waitForEvent(c.core, ns, 'secret-volume', (x) => x.reason === 'FailedMount');
  assert.equal(e.message, 'MountVolume.SetUp failed for volume "creds" : secret "creds" not found');
  await c.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'creds' }, stringData: { k: 'v' } },
  });
  await waitForPod(c.core, ns, 'secret-volume', (x) => x.status?.phase === 'Running', 150_000);
});

for (const [i, server] of SSHFS.mountBroken.entries()) {
  test(`sshfs from ${server}: FailedMount with the sshfs "Connection reset by peer" error`, async () => {
    const claim = `home-broken-${i}`;
    const pv = await sshfsClaim(claim, server, 'ondryx', '/nfs4/home/ondryx');
    await createPod(c.core, ns, withClaim(`broken-${i}`, claim));
    const p = await waitForPod(c.core, ns, `broken-${i}`, (x) =>
      Boolean(x.metadata?.uid && x.spec?.nodeName),
    );
    const e = await waitForEvent(c.core, ns, `broken-${i}`, (x) => x.reason === 'FailedMount');
    const uid = p.metadata?.uid ?? '';
    const re = new RegExp(
      `^MountVolume\\.SetUp failed for volume "${pv}" : rpc error: code = Internal desc = mounting failed: exit status 1 cmd: 'sshfs ondryx@${server.replace(/\./g, '\\.')}:/nfs4/home/ondryx /var/lib/kubelet/pods/${uid}/volumes/kubernetes\\.io~csi/${pv}/mount -o port=22 -o IdentityFile=/tmp/pk-\\d+ -o reconnect -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=/dev/null -o uid=1000,gid=100,allow_other,follow_symlinks' output: "read: Connection reset by peer\\\\n"$`,
    );
    assert.match(e.message ?? '', re);
  });
}

test('sshfs from a healthy server mounts (the simulated external attacher attaches it)', async () => {
  await sshfsClaim('home-ok', SSHFS.healthy, 'alice', '/home/alice');
  await createPod(c.core, ns, withClaim('sshfs-ok', 'home-ok'));
  await waitForPod(c.core, ns, 'sshfs-ok', (x) => x.status?.phase === 'Running', 120_000);
  await waitForEvent(c.core, ns, 'sshfs-ok', (x) => x.reason === 'SuccessfulAttachVolume');
});

test('sshfs from a stuck server: the attach-detach controller reports FailedAttachVolume', async () => {
  const pv = await sshfsClaim('home-stuck', SSHFS.attachStuck, 'dklement', '/home/dklement');
  await createPod(c.core, ns, withClaim('stuck', 'home-stuck'));
  // The controller gives up after its own 2-minute timeout.
  const e = await waitForEvent(c.core, ns, 'stuck', (x) => x.reason === 'FailedAttachVolume', 200_000);
  assert.equal(
    e.message,
    `AttachVolume.Attach failed for volume "${pv}" : timed out waiting for external-attacher of csi-sshfs CSI driver to attach volume ${pv}`,
  );
  assert.equal(e.source?.component, 'attachdetach-controller');
  assert.equal(e.type, 'Warning');
  const p = await c.core.readNamespacedPod({ name: 'stuck', namespace: ns });
  assert.equal(waitingReason(p), 'ContainerCreating');
});
