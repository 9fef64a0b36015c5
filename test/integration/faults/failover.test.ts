// Two replicas with leader election (a Lease): the leader is SIGKILLed in the middle of a stop
// (held at its DELETE by the fault proxy, which drops it when the process dies), and the follower
// takes over and finishes it: the spawn is cancelled once, announced once, cleaned, and a good
// spawn next to it is untouched. The time from the kill to the end of the spawn is printed and
// held to the 15 s the issue asks for (lease 6 s, renew every 1 s).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FaultProxy, startFaultProxy } from '../../support/fault-proxy.js';
import type { Hub } from '../../support/hub.js';
import { applyRbac, removeRbac, type ServiceAccountAccess } from '../../support/rbac.js';
import { type ServiceProcess, startServiceProcess } from '../../support/service.js';
import { core, waitForValue } from '../service/e2e.js';
import {
  assertGoodUntouched,
  assertStoppedOnce,
  failingPodUid,
  faultHub,
  GOOD,
  MISSING,
  serviceConfig,
  spawnOver,
  start,
  user,
  watchDiagnoses,
} from './common.js';

// Its own service account and namespace: deploy/rbac allows one Lease, named spawn-doctor, in the
// service's namespace, and other test files elect leaders too.
const LEASE_NS = 'sd-faults-failover';
let access: ServiceAccountAccess;
let hub: Hub;
let proxy: FaultProxy;
const replicas: ServiceProcess[] = [];
let diagnoses: Awaited<ReturnType<typeof watchDiagnoses>>;

before(async () => {
  access = await applyRbac({ namespace: LEASE_NS });
  ({ hub } = await faultHub('faults-failover'));
  proxy = await startFaultProxy(hub.url);
  diagnoses = await watchDiagnoses();
});

after(async () => {
  diagnoses?.stop();
  for (const r of replicas) await r.stop();
  await proxy?.stop();
  await hub?.stop();
  if (access) await removeRbac(access);
  await core.deleteNamespace({ name: LEASE_NS }).catch(() => undefined);
});

async function role(s: ServiceProcess): Promise<string> {
  const res = await fetch(`${s.url}/readyz`);
  return ((await res.json()) as { role: string }).role;
}

describe('the leader killed mid-stop', { timeout: 240_000 }, () => {
  it('the follower takes over and finishes the stop once', async () => {
    const kubeconfig = access.kubeconfigPath;
    const res = await hub.api('/users/admin/tokens', {
      method: 'POST',
      body: JSON.stringify({ scopes: ['read:servers', 'delete:servers'], expires_in: 3600 }),
      headers: { 'Content-Type': 'application/json' },
    });
    const token = ((await res.json()) as { token: string }).token;
    const config = serviceConfig(proxy.url, {
      leaderElection: {
        enabled: true,
        namespace: LEASE_NS,
        leaseDurationSeconds: 6,
        renewSeconds: 1,
      },
    });
    const start1 = (name: string) =>
      startServiceProcess({ name, config, kubeconfig, env: { HUB_TOKEN: token } });
    const a = await start1('failover-a');
    replicas.push(a);
    await waitForValue(async () => (await role(a)) === 'leader', 'replica a to lead');
    const b = await start1('failover-b');
    replicas.push(b);
    assert.equal(await role(b), 'follower');

    const bad = user('lo');
    const good = user('logood');
    proxy.rules = [
      { method: 'DELETE', path: new RegExp(`/users/${bad}/server`), action: { kind: 'hold' }, times: 1 },
    ];
    const failing = await start(hub, bad, { image: MISSING });
    const fine = await start(hub, good, GOOD);
    const uid = await failingPodUid(bad);
    await proxy.seen((r) => r.method === 'DELETE' && r.path.includes(bad) && r.fate === 'held');
    await a.kill('SIGKILL');
    const t0 = Date.now();
    await spawnOver(hub, bad, 60_000);
    const seconds = (Date.now() - t0) / 1000;
    console.log(`# the follower ended the spawn ${seconds.toFixed(1)} s after the leader was killed`);
    assert.ok(seconds <= 15, `the follower took ${seconds.toFixed(1)} s (more than 15)`);
    assert.equal(await role(b), 'leader');
    await assertStoppedOnce(hub, bad, failing, uid, diagnoses);
    assert.deepEqual(
      proxy.log.filter((r) => r.method === 'DELETE' && r.path.includes(bad)).map((r) => r.fate),
      ['dropped', 'forwarded'],
      "the dead leader's DELETE never reached the hub; the follower's did, once",
    );
    await assertGoodUntouched(hub, good, fine);
    await hub.stopServer(good, '');
  });
});
