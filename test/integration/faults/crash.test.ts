// spawn-doctor SIGKILLed in the middle of a stop, then started again: it finishes the stop from
// the record on the diagnosis Event, exactly once (no second announcement, no second cancel),
// while a good spawn next to it is never touched. The two points it is held at are real:
//   - between announce and cancel: the fault proxy holds spawn-doctor's DELETE (and drops it
//     when the process dies, so it never reaches the hub);
//   - between cancel and cleanup: the failing pod carries a finalizer, so after the hub's stop
//     it stays Terminating and spawn-doctor waits for it with its diagnosis already retired.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FaultProxy, startFaultProxy } from '../../support/fault-proxy.js';
import type { Hub } from '../../support/hub.js';
import { type ServiceProcess, startServiceProcess } from '../../support/service.js';
import { core, eventsOfUid, serviceKubeconfig, userNamespace, waitForValue } from '../service/e2e.js';
import {
  assertGoodUntouched,
  assertStoppedOnce,
  failingPodUid,
  faultHub,
  GOOD,
  MISSING,
  podOf,
  recordPhase,
  serviceConfig,
  start,
  user,
  watchDiagnoses,
} from './common.js';

let hub: Hub;
let token: string;
let proxy: FaultProxy;
let kubeconfig: string;
const services: ServiceProcess[] = [];
let diagnoses: Awaited<ReturnType<typeof watchDiagnoses>>;

async function service(name: string): Promise<ServiceProcess> {
  const s = await startServiceProcess({
    name,
    config: serviceConfig(proxy.url),
    kubeconfig,
    env: { HUB_TOKEN: token },
  });
  services.push(s);
  return s;
}

before(async () => {
  kubeconfig = (await serviceKubeconfig()).kubeconfigPath;
  ({ hub, token } = await faultHub('faults-crash'));
  proxy = await startFaultProxy(hub.url);
  diagnoses = await watchDiagnoses();
});

after(async () => {
  diagnoses?.stop();
  for (const s of services) await s.stop();
  await proxy?.stop();
  await hub?.stop();
});

const deletes = (name: string) =>
  proxy.log.filter((r) => r.method === 'DELETE' && r.path.includes(`/users/${name}/server`));

describe('spawn-doctor killed mid-stop', { timeout: 360_000 }, () => {
  it('between announce and cancel: the restarted process cancels once, announces nothing new', async () => {
    const bad = user('ac');
    const good = user('acgood');
    proxy.rules = [
      { method: 'DELETE', path: new RegExp(`/users/${bad}/server`), action: { kind: 'hold' }, times: 1 },
    ];
    const first = await service('crash-announce-1');
    const failing = await start(hub, bad, { image: MISSING });
    const fine = await start(hub, good, GOOD);
    const uid = await failingPodUid(bad);
    // Held at its DELETE: announced, the cancel claimed, nothing sent to the hub yet.
    await proxy.seen((r) => r.method === 'DELETE' && r.path.includes(bad) && r.fate === 'held');
    assert.equal(await recordPhase(bad, uid), 'cancelling');
    await first.kill('SIGKILL');
    await waitForValue(async () => deletes(bad)[0]?.fate === 'dropped', 'the held DELETE to be dropped');
    assert.equal((await hub.serverState(bad, ''))?.pending, 'spawn', 'the hub never got the DELETE');

    const second = await service('crash-announce-2');
    await assertStoppedOnce(hub, bad, failing, uid, diagnoses);
    assert.deepEqual(
      deletes(bad).map((r) => r.fate),
      ['dropped', 'forwarded'],
      'one DELETE reached the hub, after the restart',
    );
    await assertGoodUntouched(hub, good, fine);
    await hub.stopServer(good, '');
    await second.stop();
  });

  it('between cancel and cleanup: the restarted process finishes the cleanup once the pod is gone', async () => {
    const bad = user('cc');
    const good = user('ccgood');
    proxy.rules = [];
    const first = await service('crash-cleanup-1');
    const hold = { metadata: { finalizers: ['spawn-doctor.test/hold'] } };
    const failing = await start(hub, bad, { image: MISSING, pod_patch: hold });
    const fine = await start(hub, good, GOOD);
    const uid = await failingPodUid(bad);
    // Cancelled; the pod stays Terminating; the diagnosis is retired and waits for it.
    await waitForValue(
      async () =>
        (await recordPhase(bad, uid)) === 'retired' && !!(await podOf(bad))?.metadata?.deletionTimestamp,
      'the diagnosis to be retired and the pod to be Terminating (held by its finalizer)',
      120_000,
    );
    const left = await eventsOfUid(userNamespace(bad), uid);
    assert.deepEqual(
      left.map((e) => `${e.reason} ${e.involvedObject?.name}`),
      [`SpawnDiagnosis jupyter-${bad}/stopped-by-spawn-doctor`],
      'only the retired diagnosis is left, and it no longer names the pod',
    );
    await first.kill('SIGKILL');
    await core.patchNamespacedPod({
      namespace: userNamespace(bad),
      name: `jupyter-${bad}`,
      body: [{ op: 'remove', path: '/metadata/finalizers' }],
    });
    await waitForValue(async () => !(await podOf(bad)), 'the pod to go');
    assert.ok(
      (await eventsOfUid(userNamespace(bad), uid)).some((e) => e.reason === 'SpawnDiagnosis'),
      'the record waits for a replica',
    );

    const second = await service('crash-cleanup-2');
    await assertStoppedOnce(hub, bad, failing, uid, diagnoses);
    assert.equal(deletes(bad).length, 1, 'one DELETE in all');
    await assertGoodUntouched(hub, good, fine);
    await hub.stopServer(good, '');
    await second.stop();
  });
});
