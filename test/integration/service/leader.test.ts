// Two replicas against the real API server, each with the deploy/rbac service account: exactly one
// leads and acts; when it goes away (released lease, or a crash that stops renewing) the other
// takes over and acts. Failover times are printed, not asserted (speed belongs in bench/).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { parseConfigText } from '../../../src/config/index.js';
import { createKubeClients } from '../../../src/kube/client.js';
import { LeaderElector } from '../../../src/kube/leader.js';
import { type RunningService, startService } from '../../../src/service/index.js';
import { core, eventsOfUid, serviceKubeconfig, waitForValue } from './e2e.js';

const NS = 'spawn-doctor-e2e'; // where deploy/rbac's leader-election Role lives in these tests
let kubeconfig: string;
const podNs = `e2e-leader-${process.pid}`;

before(async () => {
  kubeconfig = (await serviceKubeconfig()).kubeconfigPath;
  await core.createNamespace({ body: { metadata: { name: podNs } } }).catch(() => undefined);
});

after(async () => {
  await core.deleteNamespace({ name: podNs }).catch(() => undefined);
});

function config() {
  return parseConfigText(
    // Only the test's namespace: with no hub configured these replicas delete doomed pods, and the
    // testbed is shared with other test files.
    `kube: {namespaces: [${podNs}]}\nleaderElection: {enabled: true, namespace: ${NS}, leaseDurationSeconds: 10, renewSeconds: 2}\nserver: {host: 127.0.0.1, port: 0}\nlogLevel: warn\n`,
    { source: 'leader-test', baseDir: '/', env: {} },
  );
}

async function start(identity: string): Promise<RunningService> {
  return startService({
    config: config(),
    kubeconfig,
    identity,
    log: pino({ level: 'warn' }),
    env: {},
  });
}

async function stops(s: RunningService): Promise<number> {
  const m = await s.metrics.stops.get();
  return m.values.reduce((a, v) => a + v.value, 0);
}

/** A pod shaped like KubeSpawner's, with an image that does not exist. */
async function doomedPod(name: string): Promise<string> {
  const pod = await core.createNamespacedPod({
    namespace: podNs,
    body: {
      metadata: {
        name,
        labels: { component: 'singleuser-server', app: 'jupyterhub' },
        annotations: { 'hub.jupyter.org/username': name, 'hub.jupyter.org/servername': '' },
      },
      spec: { containers: [{ name: 'notebook', image: 'docker.io/library/this-image-does-not-exist:42' }] },
    },
  });
  return pod.metadata!.uid!;
}

async function podGone(name: string): Promise<void> {
  await waitForValue(async () => {
    try {
      await core.readNamespacedPod({ namespace: podNs, name });
      return false;
    } catch (err) {
      return (err as { code?: number }).code === 404;
    }
  }, `pod ${name} gone`);
}

describe('leader election with two replicas', { timeout: 240_000 }, () => {
  it('one leader acts; after it leaves, the other takes over and acts', async () => {
    const a = await start('replica-a');
    await waitForValue(async () => a.leader() && a.synced(), 'replica-a leads');
    const b = await start('replica-b');
    try {
      await waitForValue(async () => b.synced(), 'replica-b synced');
      assert.ok(a.leader() && !b.leader(), 'exactly one leader');
      const readyz = await (await fetch(`${b.server!.url}/readyz`)).json();
      assert.deepEqual(readyz, { ready: true, informersSynced: true, leader: false, role: 'follower' });

      const uid1 = await doomedPod('leader-one');
      await podGone('leader-one');
      await waitForValue(async () => (await eventsOfUid(podNs, uid1)).length === 0, 'events cleaned');
      assert.equal(await stops(a), 1, 'the leader stopped it');
      assert.equal(await stops(b), 0, 'the follower did nothing');

      const t0 = Date.now();
      await a.close(); // releases the lease
      await waitForValue(async () => b.leader(), 'replica-b takes over', 30_000);
      console.log(`# failover after a released lease: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

      const uid2 = await doomedPod('leader-two');
      await podGone('leader-two');
      await waitForValue(async () => (await eventsOfUid(podNs, uid2)).length === 0, 'events cleaned');
      assert.equal(await stops(b), 1, 'the new leader stopped it');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a crashed leader (no renewals, no release) is replaced once its lease runs out', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const api = createKubeClients(kubeconfig).coordination;
    const opts = { namespace: NS, name: 'spawn-doctor', leaseDurationSeconds: 10, renewSeconds: 2 };
    const a = new LeaderElector(api, { ...opts, identity: 'crash-a', onChange: () => undefined });
    const b = new LeaderElector(api, { ...opts, identity: 'crash-b', onChange: () => undefined });
    a.start();
    await waitForValue(async () => a.isLeader, 'crash-a leads', 30_000);
    b.start();
    await new Promise((r) => setTimeout(r, 3000));
    assert.ok(!b.isLeader, 'no takeover while the lease is renewed');
    // The crash: a's loop stops, the lease is neither renewed nor released.
    (a as unknown as { stopped: boolean }).stopped = true;
    const t0 = Date.now();
    await waitForValue(async () => b.isLeader, 'crash-b takes over', 30_000);
    console.log(
      `# failover after a crash: ${((Date.now() - t0) / 1000).toFixed(1)} s (lease 10 s, renew 2 s)`,
    );
    const lease = await api.readNamespacedLease({ name: 'spawn-doctor', namespace: NS });
    assert.equal(lease.spec?.holderIdentity, 'crash-b');
    await b.stop();
  });
});
