// The hub answering badly during a stop, through a fault-injecting proxy in front of its API:
//   - a 502 that never reached the hub: checked again (still the same spawn pending), sent again;
//   - a 500 after the hub did act (the answer lost): checked again, the spawn is over, not resent;
//   - the hub hanging: the diagnosis is still announced (the test releases the hub only once the
//     diagnosis is in Kubernetes, so a service that waited for the hub could never pass), then the
//     cancel follows once the hub answers.
// Each time a good spawn runs next to the failing one and must stay untouched.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FaultProxy, startFaultProxy } from '../../support/fault-proxy.js';
import type { Hub } from '../../support/hub.js';
import { type ServiceProcess, startServiceProcess } from '../../support/service.js';
import { serviceKubeconfig, waitForValue } from '../service/e2e.js';
import {
  assertGoodUntouched,
  assertStoppedOnce,
  failingPodUid,
  faultHub,
  GOOD,
  MISSING,
  outcomeOf,
  recordPhase,
  serviceConfig,
  start,
  user,
  watchDiagnoses,
} from './common.js';

let hub: Hub;
let proxy: FaultProxy;
let service: ServiceProcess;
let diagnoses: Awaited<ReturnType<typeof watchDiagnoses>>;

before(async () => {
  const kubeconfig = (await serviceKubeconfig()).kubeconfigPath;
  let token: string;
  ({ hub, token } = await faultHub('faults-hub-answers'));
  proxy = await startFaultProxy(hub.url);
  diagnoses = await watchDiagnoses();
  service = await startServiceProcess({
    name: 'faults-hub-answers',
    config: serviceConfig(proxy.url),
    kubeconfig,
    env: { HUB_TOKEN: token },
  });
});

after(async () => {
  diagnoses?.stop();
  await service?.stop();
  await proxy?.stop();
  await hub?.stop();
});

const requests = (name: string, method: string) =>
  proxy.log.filter((r) => r.method === method && r.path.includes(`/users/${name}`));

describe('the hub answers badly during a stop', { concurrency: false, timeout: 300_000 }, () => {
  it('a 502 that never reached the hub: checked again, sent again, cancelled once', async () => {
    const bad = user('bg');
    const good = user('bggood');
    proxy.rules = [
      {
        method: 'DELETE',
        path: new RegExp(`/users/${bad}/server`),
        action: { kind: 'answer', status: 502 },
        times: 1,
      },
    ];
    const failing = await start(hub, bad, { image: MISSING });
    const fine = await start(hub, good, GOOD);
    const uid = await failingPodUid(bad);
    await assertStoppedOnce(hub, bad, failing, uid, diagnoses);
    assert.deepEqual(
      requests(bad, 'DELETE').map((r) => r.fate),
      ['answered', 'forwarded'],
      'the second DELETE, after a check, is the one that reached the hub',
    );
    assert.equal(await outcomeOf(service.url, uid), 'cancelled');
    await assertGoodUntouched(hub, good, fine);
    await hub.stopServer(good, '');
  });

  it('a 500 after the hub acted: checked again, the spawn is over, never sent again', async () => {
    const bad = user('sw');
    const good = user('swgood');
    proxy.rules = [
      {
        method: 'DELETE',
        path: new RegExp(`/users/${bad}/server`),
        action: { kind: 'swallow', status: 500 },
        times: 1,
      },
    ];
    const failing = await start(hub, bad, { image: MISSING });
    const fine = await start(hub, good, GOOD);
    const uid = await failingPodUid(bad);
    await assertStoppedOnce(hub, bad, failing, uid, diagnoses);
    const sent = requests(bad, 'DELETE');
    assert.deepEqual(
      sent.map((r) => r.fate),
      ['swallowed'],
      'one DELETE: the hub accepted it, spawn-doctor was told 500 and did not repeat it',
    );
    assert.ok([202, 204].includes(sent[0]!.status!), `the hub's own answer: ${sent[0]!.status}`);
    assert.equal(await outcomeOf(service.url, uid), 'cancelled');
    await assertGoodUntouched(hub, good, fine);
    await hub.stopServer(good, '');
  });

  it('the hub hangs: the diagnosis is announced all the same, the cancel follows when the hub answers', async () => {
    const bad = user('hg');
    const good = user('hggood');
    // Everything spawn-doctor asks the hub about this user is held: stream, server model, DELETE.
    proxy.rules = [{ path: new RegExp(`/users/${bad}(/|$)`), action: { kind: 'hold' } }];
    const failing = await start(hub, bad, { image: MISSING });
    const fine = await start(hub, good, GOOD);
    const uid = await failingPodUid(bad);
    await waitForValue(async () => diagnoses.count(uid) === 1, 'the diagnosis while the hub hangs', 60_000);
    assert.ok(
      requests(bad, 'GET').some((r) => r.fate === 'held' || r.fate === 'dropped'),
      'spawn-doctor did ask the hub (and got no answer)',
    );
    assert.equal(
      requests(bad, 'DELETE').filter((r) => r.fate === 'forwarded').length,
      0,
      'no DELETE reached the hub',
    );
    assert.equal(await recordPhase(bad, uid), 'announced', 'announced; the cancel waits for a proof');
    proxy.rules = [];
    proxy.release();
    await assertStoppedOnce(hub, bad, failing, uid, diagnoses);
    assert.equal(await outcomeOf(service.url, uid), 'cancelled');
    await assertGoodUntouched(hub, good, fine);
    await hub.stopServer(good, '');
  });
});
