// The latest JupyterHub 5.x (cancelling a pending spawn needs >= 5.1): the same stop path as on
// 6.x for a few representative failures (image, volume, scheduling with capacity).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Hub, startHub } from '../../support/hub.js';
import {
  assertStopped,
  SERVICE_CONFIG,
  START_TIMEOUT,
  serviceKubeconfig,
  spawnAndFollow,
  userName,
} from './e2e.js';

let hub: Hub;

before(async () => {
  const sa = await serviceKubeconfig();
  hub = await startHub({
    version: 5,
    startTimeout: START_TIMEOUT,
    name: 'service-e2e-hub5',
    spawnDoctor: { enabled: true, configYaml: SERVICE_CONFIG, kubeconfig: sa.kubeconfigPath },
  });
});

after(async () => {
  await hub?.stop();
});

describe('spawn-doctor with JupyterHub 5', { concurrency: true, timeout: 300_000 }, () => {
  it('image not found: cancelled through the hub', async () => {
    const image = 'docker.io/library/this-image-does-not-exist:42';
    const s = await spawnAndFollow(hub, userName('h5img'), { image });
    await assertStopped(hub, s, 'image.not_found', { params: (p) => assert.equal(p.image, image) });
  });

  it('PVC not found: cancelled through the hub', async () => {
    const s = await spawnAndFollow(hub, userName('h5pvc'), { pvc: 'no-such-claim' });
    await assertStopped(hub, s, 'volume.pvc_not_found', {
      params: (p) => assert.equal(p.pvc, 'no-such-claim'),
    });
  });

  it('memory beyond every node: unsatisfiable', async () => {
    const s = await spawnAndFollow(hub, userName('h5mem'), { memory: 1000 });
    await assertStopped(hub, s, 'scheduling.unsatisfiable', {
      params: (p) => assert.ok((p.short as string[]).includes('memory'), JSON.stringify(p)),
    });
  });
});
