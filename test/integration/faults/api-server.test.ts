// The kube-apiserver restarted (etcd keeps the cluster) while a failing and a good spawn run, with
// spawn-doctor as the hub's managed service: its watches break and resume, and nothing is missed
// (the failing spawn is still stopped) and nothing doubled (announced once, cancelled once), the
// good spawn is untouched. Once before the failure shows, once in the middle of the stop (the
// moment the diagnosis reaches the progress stream).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Hub, startHub } from '../../support/hub.js';
import { restartApiServer } from '../../support/testbed.js';
import {
  diagnosisOf,
  metricsText,
  SERVICE_CONFIG,
  START_TIMEOUT,
  serviceKubeconfig,
} from '../service/e2e.js';
import {
  assertGoodUntouched,
  assertStoppedOnce,
  failingPodUid,
  GOOD,
  MISSING,
  outcomeOf,
  start,
  user,
  watchDiagnoses,
} from './common.js';

let hub: Hub;
let diagnoses: Awaited<ReturnType<typeof watchDiagnoses>>;

before(async () => {
  const sa = await serviceKubeconfig();
  hub = await startHub({
    version: 6,
    startTimeout: START_TIMEOUT,
    name: 'faults-api-server',
    spawnDoctor: { enabled: true, configYaml: SERVICE_CONFIG, kubeconfig: sa.kubeconfigPath },
  });
  diagnoses = await watchDiagnoses();
});

after(async () => {
  diagnoses?.stop();
  await hub?.stop();
});

function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('the kube-apiserver restarts during spawns', { concurrency: false, timeout: 400_000 }, () => {
  it('while both pods start: the watches resume, the failing spawn is stopped once, the good one starts', async () => {
    const bad = user('ab');
    const good = user('abgood');
    const failing = await start(hub, bad, { image: MISSING });
    const fine = await start(hub, good, GOOD);
    // Once both pods exist (KubeSpawner gives up a spawn whose pod it cannot create, and halts the
    // hub when a watch cannot start at all: docs/jupyterhub-limits.md).
    const uid = await failingPodUid(bad);
    await failingPodUid(good);
    const { awayMs } = await restartApiServer({ downMs: 1000 });
    console.log(`# the API server was away ${awayMs} ms`);
    await assertStoppedOnce(hub, bad, failing, uid, diagnoses);
    assert.equal(await outcomeOf(hub.serviceUrl!, uid), 'cancelled');
    await assertGoodUntouched(hub, good, fine);
    const text = await metricsText(hub);
    assert.ok(
      metric(text, 'spawn_doctor_watch_restarts_total', 'informer="events/cluster",reason="error"') +
        metric(text, 'spawn_doctor_watch_restarts_total', 'informer="events/cluster",reason="closed"') +
        metric(text, 'spawn_doctor_watch_restarts_total', 'informer="events/cluster",reason="gone"') >
        0,
      `the event watch saw the restart:\n${text
        .split('\n')
        .filter((l) => l.includes('watch_restarts'))
        .join('\n')}`,
    );
    await hub.stopServer(good, '');
  });

  it('in the middle of the stop: it is finished once the API server is back', async () => {
    const bad = user('am');
    const good = user('amgood');
    const before = await metricsText(hub);
    const failing = await start(hub, bad, { image: MISSING });
    const fine = await start(hub, good, GOOD);
    await hub.waitFor(() => diagnosisOf(failing.events).length > 0, {
      timeoutMs: 120_000,
      intervalMs: 20,
      what: 'the diagnosis on the stream',
    });
    const uid = diagnosisOf(failing.events)[0]!.raw.involvedObject!.uid!;
    const { awayMs } = await restartApiServer({ downMs: 2000 });
    console.log(`# the API server was away ${awayMs} ms, from the moment the diagnosis was on the stream`);
    await assertStoppedOnce(hub, bad, failing, uid, diagnoses);
    assert.equal(await outcomeOf(hub.serviceUrl!, uid), 'cancelled');
    await assertGoodUntouched(hub, good, fine);
    const after = await metricsText(hub);
    const stops = (t: string) =>
      metric(t, 'spawn_doctor_stops_total', 'category="image.not_found",outcome="cancelled"');
    assert.equal(stops(after) - stops(before), 1, 'one stop counted');
    await hub.stopServer(good, '');
  });
});
