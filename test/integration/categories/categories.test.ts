// Every category the testbed did not produce before, end to end on the real hub (JupyterHub 6,
// KubeSpawner, the demo form) with spawn-doctor under deploy/rbac's service account, each
// triggered as the demo's trigger table says and handled per its default policy: stopped with the
// right card at once (start failure, eviction, NFS mount, Cinder attach error, Multi-Attach), after
// the unknown warning's grace, after the sandbox budget, or waited for and not stopped (a sandbox
// failure that clears). quota.exceeded never reaches a pod with KubeSpawner (the preflight hook).
// One hub and the shared testbed for the whole file; the scenarios run concurrently.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_POLICY } from '../../../src/policy/defaults.js';
import { type Hub, repoRoot, type UserOptions } from '../../support/hub.js';
import { assertStopped, spawnAndFollow, userName } from '../service/e2e.js';
import { firstAt, reasons, startCategoriesHub } from './support.js';

interface Trigger {
  what: string;
  options: UserOptions;
  expect: string;
}

/** The demo's trigger rows: the tests enter exactly what the README tells a user to enter. */
const TRIGGERS = JSON.parse(
  execFileSync('python3', ['deploy/demo/spawn_form.py', '--json'], { cwd: repoRoot, encoding: 'utf8' }),
) as Trigger[];

function row(what: string): UserOptions {
  const t = TRIGGERS.find((x) => x.what === what);
  assert.ok(t, `no trigger row "${what}"`);
  return t.options;
}

let hub: Hub;

before(async () => {
  hub = await startCategoriesHub('categories');
});

after(async () => {
  await hub?.stop();
});

describe('every category end to end on JupyterHub 6', { concurrency: true, timeout: 600_000 }, () => {
  it('runtime.start_failed: an image whose entrypoint is missing', async () => {
    const s = await spawnAndFollow(
      hub,
      userName('start'),
      row('an image whose entrypoint is missing: it cannot start'),
    );
    await assertStopped(hub, s, 'runtime.start_failed', {
      text: ['/usr/local/bin/start-notebook.sh'],
      params: (p) => {
        assert.match(
          String(p.cause),
          /exec: "\/usr\/local\/bin\/start-notebook\.sh": stat \/usr\/local\/bin\/start-notebook\.sh: no such file or directory/,
        );
        assert.equal(p.container, 'notebook');
      },
    });
  });

  it('pod.evicted: the node runs low on memory', async () => {
    const s = await spawnAndFollow(hub, userName('evict'), row('the node runs low on memory: evicted'));
    await assertStopped(hub, s, 'pod.evicted', {
      params: (p) => {
        assert.equal(p.reason, 'Evicted');
        assert.match(
          String(p.message),
          /^The node was low on resource: memory\. Threshold quantity: 100Mi, available: \d+Ki\./,
        );
      },
    });
  });

  it('volume.mount_failed: an NFS share the server refuses', async () => {
    const s = await spawnAndFollow(hub, userName('nfs'), row('NFS share the server refuses'));
    await assertStopped(hub, s, 'volume.mount_failed', {
      text: ['projects'],
      params: (p) => {
        assert.equal(p.volume, 'projects');
        assert.equal(p.storageServer, 'nfs.cerit-sc.cz');
        assert.match(
          String(p.cause),
          /mount\.nfs: access denied by server while mounting nfs\.cerit-sc\.cz:\/scratch/,
        );
      },
    });
  });

  it('volume.attach_failed: a Cinder volume deleted in OpenStack (the attacher’s error, through the controller)', async () => {
    const s = await spawnAndFollow(
      hub,
      userName('gone'),
      row('scratch volume deleted in OpenStack: attach fails'),
    );
    await assertStopped(hub, s, 'volume.attach_failed', {
      params: (p) => {
        assert.match(String(p.volume), /-gone-scratch$/);
        assert.match(String(p.cause), /\[ControllerPublishVolume\] Volume gone not found/);
      },
    });
  });

  it('volume.attach_failed: Multi-Attach of a ReadWriteOnce volume another server holds on another node', async () => {
    const user = userName('multi');
    const scratch = `shared-${randomBytes(3).toString('hex')}`;
    await hub.createUser(user);
    // The first server holds the volume on cpu-node-1 ...
    const first = await hub.startServer(user, 'holder', {
      scratch,
      node_selector: { 'kubernetes.io/hostname': 'cpu-node-1' },
    });
    assert.ok([201, 202].includes(first.status), `start holder: HTTP ${first.status}`);
    await hub.waitFor(async () => (await hub.serverState(user, 'holder'))?.ready, {
      timeoutMs: 240_000,
      intervalMs: 1000,
      what: 'the holder server to be ready',
    });
    // ... the second one wants it on cpu-node-2: the real attach-detach controller refuses.
    const s = await spawnAndFollow(hub, user, {
      scratch,
      node_selector: { 'kubernetes.io/hostname': 'cpu-node-2' },
    });
    await assertStopped(hub, s, 'volume.attach_failed', {
      params: (p) => {
        assert.equal(p.volume, `jupyterhub-${user}-demo-ns-${scratch}-scratch`);
        assert.match(
          String(p.message),
          /^Multi-Attach error for volume ".*" Volume is already used by pod\(s\) jupyter-/,
        );
      },
    });
    assert.ok((await hub.serverState(user, 'holder'))?.ready, 'the holder was left alone');
    await hub.stopServer(user, 'holder');
  });

  it('unknown.warning: a warning nothing recognises is stopped after its grace', async () => {
    const s = await spawnAndFollow(
      hub,
      userName('unknown'),
      row('a warning nothing recognises (a sysctl the node refuses)'),
    );
    await assertStopped(hub, s, 'unknown.warning', {
      params: (p) => {
        assert.equal(p.reason, 'SysctlForbidden');
        assert.match(String(p.message), /forbidden sysctl: "kernel\.msgmax" not allowlisted/);
      },
    });
    const warned = firstAt(s.events, 'SysctlForbidden');
    const diagnosed = firstAt(s.events, 'SpawnDiagnosis');
    assert.ok(warned !== undefined && diagnosed !== undefined, reasons(s.events).join(', '));
    const grace = DEFAULT_POLICY['unknown.warning'].graceSeconds * 1000;
    assert.ok(diagnosed - warned >= grace - 1000, `stopped ${diagnosed - warned} ms after the warning`);
  });

  it('sandbox.failed: a CNI failure that persists is waited for within the budget, then stopped', async () => {
    const budget = DEFAULT_POLICY['sandbox.failed'].budgetSeconds * 1000;
    const s = await spawnAndFollow(
      hub,
      userName('cni'),
      row('network: the extra network does not exist: waits its budget, then stops'),
      { timeoutMs: budget + 120_000 },
    );
    await assertStopped(hub, s, 'sandbox.failed', {
      params: (p) =>
        assert.match(String(p.message), /cannot find a network-attachment-definition \(none-such\)/),
    });
    const failed = firstAt(s.events, 'FailedCreatePodSandBox');
    const diagnosed = firstAt(s.events, 'SpawnDiagnosis');
    assert.ok(failed !== undefined && diagnosed !== undefined, reasons(s.events).join(', '));
    assert.ok(
      diagnosed - failed >= budget - 1000,
      `stopped ${diagnosed - failed} ms after the first failure`,
    );
    assert.ok(
      s.events.filter((e) => e.raw_event?.reason === 'FailedCreatePodSandBox').length >= 2,
      'the kubelet kept retrying meanwhile',
    );
  });

  it('sandbox.failed that clears before the budget: not stopped, the server starts', async () => {
    const user = userName('cniok');
    const s = await spawnAndFollow(
      hub,
      user,
      row('network: address pool exhausted for 15 s: waits, then works'),
    );
    assert.ok(s.ended, 'the progress stream ended by itself');
    assert.equal(s.diagnosis, undefined, `stopped: ${JSON.stringify(s.diagnosis?.annotation)}`);
    assert.ok(s.events.at(-1)?.ready, `not ready; stream: ${reasons(s.events).join(', ')}`);
    assert.ok(reasons(s.events).includes('FailedCreatePodSandBox'), 'the sandbox did fail first');
    await hub.stopServer(user, '');
  });
});
