// JupyterHub older than 5.1 cannot cancel a pending spawn (HTTP 400 "pending"): spawn-doctor
// falls back to deleting the pod. The diagnosis still reaches the user's progress stream and the
// failed pod's events are cleaned up; the hub itself only gives up at start_timeout (see
// docs/jupyterhub-limits.md).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Hub, startHub } from '../../support/hub.js';
import {
  diagnosisOf,
  SERVICE_CONFIG,
  START_TIMEOUT,
  serviceDiagnoses,
  serviceKubeconfig,
  spawnAndFollow,
  userName,
  userNamespace,
  waitNoEventsOf,
  waitPodGone,
} from './e2e.js';

let hub: Hub;

before(async () => {
  const sa = await serviceKubeconfig();
  hub = await startHub({
    version: 4,
    startTimeout: START_TIMEOUT,
    name: 'service-e2e-hub4',
    spawnDoctor: { enabled: true, configYaml: SERVICE_CONFIG, kubeconfig: sa.kubeconfigPath },
  });
});

after(async () => {
  await hub?.stop();
});

describe('spawn-doctor with JupyterHub 4 (no cancel of a pending spawn)', { timeout: 300_000 }, () => {
  it('deletes the pod instead; the diagnosis still reaches the progress stream', async () => {
    const user = userName('hub4');
    const image = 'docker.io/library/this-image-does-not-exist:42';
    const s = await spawnAndFollow(
      hub,
      user,
      { image },
      { stopWhen: (events) => diagnosisOf(events).length > 0 },
    );
    const d = s.diagnosis;
    assert.ok(d, 'the stream carried the SpawnDiagnosis');
    assert.equal(d.annotation.category, 'image.not_found');
    assert.ok(d.annotation.detail.en.includes('this-image-does-not-exist:42'));
    const uid = d.raw.involvedObject!.uid!;
    await waitPodGone(userNamespace(user), d.raw.involvedObject!.name!, uid);
    await waitNoEventsOf(userNamespace(user), uid);
    await hub.waitFor(
      async () => (await serviceDiagnoses(hub)).find((r) => r.uid === uid && r.outcome)?.outcome,
      { timeoutMs: 60_000, what: 'the stop outcome' },
    );
    const record = (await serviceDiagnoses(hub)).find((r) => r.uid === uid && r.outcome)!;
    assert.equal(record.outcome, 'pod-deleted', 'the fallback path: the pod was deleted, not cancelled');
    // The hub still believes the spawn is pending (it waits for start_timeout): the limitation.
    const state = await hub.serverState(user, '');
    assert.ok(state?.pending, `JupyterHub 4 still reports the spawn pending: ${JSON.stringify(state)}`);
    const logs = await hub.logs();
    assert.match(logs, /start_timeout/, 'the service logs that the hub only gives up at start_timeout');
  });
});
