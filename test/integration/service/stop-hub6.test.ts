// End to end on the current JupyterHub (6.x) + KubeSpawner + the testbed: every doomed spawn of
// the issue is stopped early, explained on the hub's progress stream, and cleaned up; slow but
// healthy spawns are left alone. One hub for the whole file; the scenarios run concurrently.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withFreshNode } from '../../support/fresh-node.js';
import { type Hub, startHub } from '../../support/hub.js';
import {
  assertStopped,
  core,
  diagnosisOf,
  eventsOfUid,
  metricsText,
  SERVICE_CONFIG,
  START_TIMEOUT,
  serviceDiagnoses,
  serviceKubeconfig,
  spawnAndFollow,
  userName,
  userNamespace,
  waitForValue,
  waitSpawnEnded,
} from './e2e.js';

const MISSING = 'docker.io/library/this-image-does-not-exist:42';
const MINIMAL = 'quay.io/jupyter/minimal-notebook:2025-10-20';
const BIG = 'cerit.io/jupyter/big-ml-notebook:2025.11';

let hub: Hub;

before(async () => {
  const sa = await serviceKubeconfig();
  hub = await startHub({
    version: 6,
    startTimeout: START_TIMEOUT,
    name: 'service-e2e-hub6',
    spawnDoctor: { enabled: true, configYaml: SERVICE_CONFIG, kubeconfig: sa.kubeconfigPath },
  });
});

after(async () => {
  await hub?.stop();
});

describe('spawn-doctor with JupyterHub 6', { concurrency: true, timeout: 420_000 }, () => {
  it('image not found: stopped and explained', async () => {
    const s = await spawnAndFollow(hub, userName('img'), { image: MISSING });
    await assertStopped(hub, s, 'image.not_found', {
      text: ['this-image-does-not-exist:42'],
      params: (p) => assert.equal(p.image, MISSING),
    });
  });

  it('private image: access denied', async () => {
    const s = await spawnAndFollow(hub, userName('priv'), { image: 'cerit.io/private/secret-notebook:1' });
    await assertStopped(hub, s, 'image.access_denied', {
      text: ['cerit.io/private/secret-notebook:1'],
      params: (p) => assert.equal(p.image, 'cerit.io/private/secret-notebook:1'),
    });
  });

  it('invalid image name', async () => {
    const s = await spawnAndFollow(hub, userName('badname'), { image: 'bad name!' });
    await assertStopped(hub, s, 'image.invalid_name', { text: ['bad name!'] });
  });

  it('PVC not found', async () => {
    const s = await spawnAndFollow(hub, userName('pvc'), { pvc: 'no-such-claim' });
    await assertStopped(hub, s, 'volume.pvc_not_found', {
      text: ['no-such-claim'],
      params: (p) => assert.equal(p.pvc, 'no-such-claim'),
    });
  });

  it('sshfs home: attach times out (praha5-elixir)', async () => {
    const s = await spawnAndFollow(
      hub,
      userName('attach'),
      { home: 'praha5-elixir' },
      { timeoutMs: 330_000 },
    );
    await assertStopped(hub, s, 'volume.sshfs_attach_failed', {
      params: (p) => assert.match(String(p.volume), /praha5-elixir-data-sshfs/),
    });
  });

  it('sshfs home: mount fails (brno12-cerit)', async () => {
    const s = await spawnAndFollow(hub, userName('mount'), { home: 'brno12-cerit' });
    await assertStopped(hub, s, 'volume.sshfs_mount_failed', {
      text: ['storage-brno12-cerit.metacentrum.cz'],
      params: (p) => assert.equal(p.storageServer, 'storage-brno12-cerit.metacentrum.cz'),
    });
  });

  it('CPU beyond every node: unsatisfiable', async () => {
    const s = await spawnAndFollow(hub, userName('cpu'), { cpu: 1000 });
    await assertStopped(hub, s, 'scheduling.unsatisfiable', {
      params: (p) => assert.ok((p.short as string[]).includes('cpu'), JSON.stringify(p)),
    });
  });

  it('three whole GPUs: more than any node has', async () => {
    const s = await spawnAndFollow(hub, userName('gpu3'), { gpu: 'nvidia.com/gpu', gpu_count: 3 });
    await assertStopped(hub, s, 'scheduling.unsatisfiable', {
      params: (p) => assert.ok((p.short as string[]).includes('nvidia.com/gpu'), JSON.stringify(p)),
    });
  });

  it('GPU: none free right now (both A40 GPUs held by another pod)', async () => {
    // The holder is a plain pod (not a notebook, so spawn-doctor leaves it alone) with a tiny CPU
    // request: it gets the GPUs even when other test files keep the node's CPUs busy. Should it
    // stay pending, the node's GPUs or CPUs are taken by someone else: the answer is the same.
    const ns = `e2e-gpuhold-${userName('').slice(3, 9)}`;
    await core.createNamespace({ body: { metadata: { name: ns } } });
    try {
      await core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: 'gpu-holder' },
          spec: {
            nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A40' },
            containers: [
              {
                name: 'hold',
                image: 'docker.io/library/nginx:1.27',
                resources: {
                  requests: { cpu: '10m', memory: '16Mi', 'nvidia.com/gpu': '2' },
                  limits: { 'nvidia.com/gpu': '2' },
                },
              },
            ],
          },
        },
      });
      await waitForValue(async () => {
        const p = await core.readNamespacedPod({ namespace: ns, name: 'gpu-holder' });
        return !!p.spec?.nodeName || p.status?.conditions?.some((c) => c.type === 'PodScheduled') === true;
      }, 'the GPU holder to be scheduled (or refused)');
      const s = await spawnAndFollow(hub, userName('gpunone'), { gpu: 'nvidia.com/gpu', gpu_count: 1 });
      await assertStopped(hub, s, 'scheduling.insufficient_resources', {
        params: (p) => assert.ok(Array.isArray(p.short) && p.short.length > 0, JSON.stringify(p)),
      });
    } finally {
      await core.deleteNamespace({ name: ns }).catch(() => undefined);
    }
  });

  it('node selector matches no node', async () => {
    const s = await spawnAndFollow(hub, userName('sel'), { node_selector: { gpu: 'none-such' } });
    await assertStopped(hub, s, 'scheduling.no_matching_node');
  });

  it('missing secret for the environment', async () => {
    const s = await spawnAndFollow(hub, userName('secret'), { env_secret: 'no-such-secret' });
    await assertStopped(hub, s, 'config.missing_reference', {
      text: ['no-such-secret'],
      params: (p) => assert.equal(p.secret, 'no-such-secret'),
    });
  });

  it('crash loop', async () => {
    const s = await spawnAndFollow(hub, userName('crash'), { image: 'cerit.io/jupyter/crashing-notebook:1' });
    await assertStopped(hub, s, 'runtime.crash_loop');
  });

  it('out of memory', async () => {
    const s = await spawnAndFollow(hub, userName('oom'), { memory: 0.25 });
    await assertStopped(hub, s, 'runtime.oom_killed');
  });

  it('a big slow image is not stopped: progress notes, then the server starts', async () => {
    const user = userName('big');
    // A fresh node: the image is not cached there, so it is really downloaded (~45 s).
    await withFreshNode(
      async (node) => {
        const s = await spawnAndFollow(
          hub,
          user,
          { image: BIG, node_selector: node.selector, tolerations: node.toleration },
          { timeoutMs: 300_000 },
        );
        try {
          assert.ok(
            s.events.some((e) => e.raw_event?.reason === 'Pulling'),
            'the image was pulled (not already present)',
          );
          assert.equal(diagnosisOf(s.events).length, 0, 'no SpawnDiagnosis for a healthy slow pull');
          assert.ok(
            s.events.some((e) => e.ready),
            `the server became ready; last: ${JSON.stringify(s.events.at(-1))}`,
          );
          const notes = diagnosisOf(s.events, 'SpawnProgress');
          assert.ok(notes.length >= 1, 'the stream carried a SpawnProgress note while pulling');
          assert.equal(notes[0]!.annotation.category, 'image.pulling');
          assert.equal(notes[0]!.annotation.action, 'wait');
          assert.match(notes[0]!.raw.message ?? '', /big-ml-notebook/);
          const state = await hub.serverState(user, '');
          assert.ok(state?.ready, 'the hub reports it running');
        } finally {
          await hub.stopServer(user, '');
          await waitSpawnEnded(hub, user);
        }
      },
      { prefix: 'e2e', hostIpBase: 200 },
    );
  });

  it('a pending PVC that binds within its budget is not stopped', async () => {
    const user = userName('pvcwait');
    const namespace = userNamespace(user);
    const klass = `e2e-manual-${user}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } }).catch(() => undefined);
    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: 'late-claim' },
        spec: {
          storageClassName: klass,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
    // The volume appears 25 s into the spawn, as a slow provisioner would make it.
    const pvName = `pv-${user}`;
    const provision = new Promise<void>((resolve, reject) =>
      setTimeout(() => {
        core
          .createPersistentVolume({
            body: {
              metadata: { name: pvName },
              spec: {
                storageClassName: klass,
                capacity: { storage: '1Gi' },
                accessModes: ['ReadWriteOnce'],
                hostPath: { path: `/tmp/${pvName}` },
              },
            },
          })
          .then(() => resolve(), reject);
      }, 25_000),
    );
    try {
      const s = await spawnAndFollow(hub, user, { pvc: 'late-claim' }, { timeoutMs: 200_000 });
      await provision;
      assert.equal(diagnosisOf(s.events).length, 0, 'not stopped');
      assert.ok(
        s.events.some((e) => e.ready),
        `the server became ready; last: ${JSON.stringify(s.events.at(-1))}`,
      );
      const seen = (await serviceDiagnoses(hub)).filter((r) => r.user === user);
      assert.ok(
        seen.some((r) => r.category === 'volume.pvc_pending' && r.decision === 'wait'),
        `spawn-doctor recognised the pending claim and waited: ${JSON.stringify(seen)}`,
      );
      assert.ok(!seen.some((r) => r.decision === 'stop'));
      await hub.stopServer(user, '');
    } finally {
      await provision.catch(() => undefined);
      await core.deletePersistentVolume({ name: pvName }).catch(() => undefined);
    }
  });

  it('a second spawn with the same name right after a failure shows none of the old events', async () => {
    const user = userName('again');
    const first = await spawnAndFollow(hub, user, { image: MISSING });
    assert.equal(first.diagnosis?.annotation.category, 'image.not_found');
    const oldUid = first.diagnosis!.raw.involvedObject!.uid!;
    await waitSpawnEnded(hub, user);
    const second = await spawnAndFollow(hub, user, { image: MINIMAL });
    const old = second.events.filter((e) => e.raw_event?.involvedObject?.uid === oldUid);
    assert.deepEqual(old, [], 'events of the failed pod leaked into the new spawn');
    assert.equal(diagnosisOf(second.events).length, 0);
    assert.ok(
      second.events.some((e) => e.raw_event),
      'the new spawn has events of its own',
    );
    assert.ok(
      second.events.some((e) => e.ready),
      'the new spawn starts',
    );
    assert.deepEqual(await eventsOfUid(userNamespace(user), oldUid), []);
    await hub.stopServer(user, '');
  });
});

describe('spawn-doctor metrics after the scenarios', () => {
  it('counts diagnoses, stops and actions', async () => {
    const text = await metricsText(hub);
    assert.match(text, /spawn_doctor_diagnoses_total\{category="image.not_found",action="stop"\} [1-9]/);
    assert.match(text, /spawn_doctor_stops_total\{category="image.not_found",outcome="cancelled"\} [1-9]/);
    assert.match(text, /spawn_doctor_actions_total\{action="cancel",result="ok"\} [1-9]/);
    assert.match(text, /spawn_doctor_announce_seconds_count\{category="image.not_found"\} [1-9]/);
    assert.match(text, /spawn_doctor_informers_synced 1/);
  });
});
