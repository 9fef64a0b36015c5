// The stop against a real JupyterHub + KubeSpawner on the testbed, with spawn-doctor's
// service-account kubeconfig and a hub token holding only the scopes the service needs
// (read:servers, delete:servers):
//   - 6.x and 5.x: the hub's progress stream carries the SpawnDiagnosis Event, the cancel is
//     accepted, the spawn ends (not pending, not running) long before start_timeout (600 s), the
//     pod is gone and no Event of its UID remains;
//   - 4.x: the hub refuses with 400 "pending", the fallback deletes the pod, the diagnosis still
//     reached the stream — and the hub keeps the spawn pending (KubeSpawner waits for the deleted
//     pod until start_timeout), which docs/jupyterhub-limits.md describes.
// Spawns carry a scheduling gate (via the demo form's pod_patch): Pending without events, so no
// other spawn-doctor on the shared testbed acts on them; the actions are driven directly.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, type CoreV1Event, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import { createActions } from '../../../src/actions/index.js';
import type { ActionObserver } from '../../../src/actions/types.js';
import {
  ANNOTATION_KEY,
  type DiagnosisAnnotation,
  diagnosisAnnotationSchema,
} from '../../../src/diagnosis/annotation.js';
import { HubClient } from '../../../src/hub/client.js';
import { createHubRegistry } from '../../../src/hub/registry.js';
import type { SpawnRef } from '../../../src/plugins/types.js';
import { type Hub, type HubVersion, type ProgressEvent, startHub } from '../../support/hub.js';
import { adminKubeConfig, applyRbac, removeRbac, type ServiceAccountAccess } from '../../support/rbac.js';

const id = randomBytes(3).toString('hex');
const serviceNs = `sd-hub-${id}`;
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let admin: KubeConfig;
let adminCore: CoreV1Api;
let access: ServiceAccountAccess;
const HOLD = { pod_patch: { spec: { schedulingGates: [{ name: 'spawn-doctor.test/hold' }] } } };
/** The JupyterHub scopes spawn-doctor needs (docs/jupyterhub-limits.md, section 1). */
const SERVICE_SCOPES = ['read:servers', 'delete:servers'];
const namespacesMade = new Set<string>();

const annotation: DiagnosisAnnotation = {
  version: 1,
  category: 'image.not_found',
  action: 'stop',
  severity: 'error',
  title: { en: 'The image does not exist', cs: 'Obraz neexistuje' },
  detail: { en: 'The image "nope:1" was not found.', cs: 'Obraz "nope:1" nebyl nalezen.' },
  advice: [],
};

before(async () => {
  admin = adminKubeConfig();
  adminCore = admin.makeApiClient(CoreV1Api);
  access = await applyRbac({ namespace: serviceNs });
});

after(async () => {
  for (const name of namespacesMade) await adminCore.deleteNamespace({ name }).catch(() => undefined);
  await adminCore.deleteNamespace({ name: serviceNs }).catch(() => undefined);
  if (access) await removeRbac(access);
});

/** A token of the admin user narrowed to the given scopes (what the managed service's role grants). */
async function scopedToken(hub: Hub, scopes: string[]): Promise<string> {
  const res = await hub.api('/users/admin/tokens', {
    method: 'POST',
    body: JSON.stringify({ scopes, note: 'spawn-doctor test', expires_in: 3600 }),
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { token: string }).token;
}

async function podOf(user: string): Promise<V1Pod | undefined> {
  const pods = await adminCore.listPodForAllNamespaces({ labelSelector: 'component=singleuser-server' });
  return pods.items.find((p) => p.metadata?.annotations?.['hub.jupyter.org/username'] === user);
}

function spawnOf(pod: V1Pod, user: string): SpawnRef {
  return {
    namespace: pod.metadata!.namespace!,
    pod: pod.metadata!.name!,
    uid: pod.metadata!.uid!,
    user,
    server: '',
  };
}

async function eventsOf(spawn: SpawnRef): Promise<CoreV1Event[]> {
  return (
    await adminCore.listNamespacedEvent({
      namespace: spawn.namespace,
      fieldSelector: `involvedObject.uid=${spawn.uid}`,
    })
  ).items;
}

async function podExists(spawn: SpawnRef): Promise<boolean> {
  try {
    return (
      (await adminCore.readNamespacedPod({ namespace: spawn.namespace, name: spawn.pod })).metadata?.uid ===
      spawn.uid
    );
  } catch {
    return false;
  }
}

/** Reads the hub's progress stream the way the spawn page does, in the background. */
function watchStream(
  hub: Hub,
  user: string,
): { events: ProgressEvent[]; stop: () => void; done: Promise<void> } {
  const events: ProgressEvent[] = [];
  const ac = new AbortController();
  const done = (async () => {
    try {
      for await (const e of hub.progress(user, '', ac.signal)) events.push(e);
    } catch {
      // aborted
    }
  })();
  return { events, stop: () => ac.abort(), done };
}

async function startPending(
  hub: Hub,
  user: string,
): Promise<{ spawn: SpawnRef; stream: ReturnType<typeof watchStream> }> {
  await hub.createUser(user);
  const started = await hub.startServer(user, '', HOLD);
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const pod = await hub.waitFor(() => podOf(user), { timeoutMs: 60_000, what: `the pod of ${user}` });
  namespacesMade.add(pod.metadata!.namespace!);
  const stream = watchStream(hub, user);
  return { spawn: spawnOf(pod, user), stream };
}

function carriedDiagnosis(events: ProgressEvent[]): DiagnosisAnnotation | undefined {
  const e = events.find((x) => x.raw_event?.reason === 'SpawnDiagnosis');
  const raw = e?.raw_event?.metadata.annotations?.[ANNOTATION_KEY];
  return raw ? diagnosisAnnotationSchema.parse(JSON.parse(raw)) : undefined;
}

function makeActions(hub: Hub, token: string, observe: ActionObserver) {
  return createActions({
    kubeConfig: access.kubeConfig,
    hubs: createHubRegistry([{ name: `hub${hub.version}`, apiUrl: hub.apiUrl, tokenEnv: 'HUB_TOKEN' }], {
      env: { HUB_TOKEN: token },
    }),
    config: { cleanupEvents: true, progressStreamWaitSeconds: 5, podGoneWaitSeconds: 60 },
    log,
    observe,
    retry: { attempts: 3, baseDelayMs: 200, maxDelayMs: 1000 },
  });
}

for (const version of [6, 5] as HubVersion[]) {
  describe(`JupyterHub ${version}.x cancels a pending spawn`, () => {
    let hub: Hub;
    let token: string;
    before(async () => {
      hub = await startHub({
        version,
        startTimeout: 600,
        spawnDoctor: { enabled: false },
        name: `actions-hub${version}`,
      });
      token = await scopedToken(hub, SERVICE_SCOPES);
    });
    after(async () => {
      await hub?.stop();
    });

    test('diagnosis on the stream, cancel accepted, spawn over, pod and its events gone', async () => {
      const user = `sdc${version}${id}`;
      const { spawn, stream } = await startPending(hub, user);
      const seen: Array<[string, string]> = [];
      const r = await makeActions(hub, token, (a, res) => void seen.push([a, res])).stop({
        spawn,
        announcement: async () => ({ annotation, sentence: 'The image "nope:1" does not exist.' }),
      });
      assert.equal(r.outcome, 'cancelled', r.notes.join('; '));
      assert.ok(
        seen.some(([a, res]) => a === 'await-stream' && res === 'ok'),
        `the service saw its Event on the stream: ${r.notes}`,
      );
      // What the user's page got: the diagnosis, then the end of the spawn.
      await hub.waitFor(() => stream.events.some((e) => e.failed), {
        timeoutMs: 60_000,
        what: 'the failed event',
      });
      stream.stop();
      assert.equal(carriedDiagnosis(stream.events)?.category, 'image.not_found');
      // The end: "Spawn cancelled", or (the demo hub's progress_ready_hook, JupyterHub >= 5) the
      // diagnosis handed over with the final failed event.
      const last = stream.events.at(-1);
      assert.equal(last?.failed, true, `the stream ended with a failure: ${JSON.stringify(last)}`);
      assert.match(last?.message ?? '', /cancel|does not exist/i);
      const state = await hub.waitFor(
        async () => {
          const s = await hub.serverState(user, '');
          return !s || (!s.pending && !s.ready) ? { over: true } : undefined;
        },
        { timeoutMs: 60_000, what: 'the spawn to end' },
      );
      assert.ok(state.over);
      assert.equal(await podExists(spawn), false);
      assert.deepEqual(await eventsOf(spawn), []);
      assert.ok(r.eventsDeleted >= 1);
    });

    if (version === 6) {
      test('KubeSpawner forwards any Event that names the pod, whatever its UID (old events leak)', async () => {
        const user = `sdleak${id}`;
        const { spawn, stream } = await startPending(hub, user);
        const foreign = await adminCore.createNamespacedEvent({
          namespace: spawn.namespace,
          body: {
            metadata: { name: `${spawn.pod}.previous-pod-${id}` },
            involvedObject: {
              apiVersion: 'v1',
              kind: 'Pod',
              name: spawn.pod,
              namespace: spawn.namespace,
              uid: 'a-previous-pod-uid',
            },
            type: 'Warning',
            reason: 'Failed',
            message: 'an event of a previous pod with the same name',
            source: { component: 'kubelet' },
            firstTimestamp: new Date(),
            lastTimestamp: new Date(),
            count: 1,
          },
        });
        await hub.waitFor(
          () => stream.events.some((e) => e.raw_event?.metadata.name === foreign.metadata?.name),
          {
            timeoutMs: 30_000,
            what: 'the foreign-UID event on the stream',
          },
        );
        stream.stop();
        await hub.stopServer(user, '');
        await adminCore.deleteNamespacedEvent({ namespace: spawn.namespace, name: foreign.metadata!.name! });
      });

      test('hub answers: 404 for an unknown server leaves the pod alone; a token without delete:servers is refused', async () => {
        const user = `sdown${id}`;
        const { spawn, stream } = await startPending(hub, user);
        stream.stop();
        // The pod claims a user this hub does not know: not this hub's pod.
        const stranger = { ...spawn, user: `nobody${id}` };
        await adminCore.patchNamespacedPod({
          namespace: spawn.namespace,
          name: spawn.pod,
          body: [
            { op: 'replace', path: '/metadata/annotations/hub.jupyter.org~1username', value: stranger.user },
          ],
        });
        const r = await makeActions(hub, token, () => undefined).stop({
          spawn: stranger,
          announcement: async () => ({ annotation, sentence: 'x.' }),
        });
        assert.equal(r.outcome, 'not-ours', r.notes.join('; '));
        assert.ok(
          r.notes.some((n) => /does not know user/.test(n)),
          r.notes.join('; '),
        );
        assert.equal(await podExists(spawn), true);
        assert.deepEqual(await eventsOf(spawn), [], 'nothing announced on a pod that is not ours');

        // The hub's answers to the DELETE itself (the check is the test's: it always passes here).
        const cancel = (c: HubClient, u: string) =>
          c.cancelPendingSpawn({
            user: u,
            server: '',
            podUid: spawn.uid,
            started: 'x',
            recheck: async () => ({ same: true, uid: spawn.uid, started: 'x' }),
          });
        const readOnly = new HubClient({
          name: 'ro',
          apiUrl: hub.apiUrl,
          token: () => 'x'.repeat(32),
          attempts: 1,
        });
        assert.equal((await cancel(readOnly, user)).kind, 'unauthorized');
        const noDelete = await scopedToken(hub, ['read:servers']);
        const c = new HubClient({ name: 'nd', apiUrl: hub.apiUrl, token: () => noDelete, attempts: 1 });
        assert.equal((await cancel(c, user)).kind, 'unauthorized');
        // The service's token reads the server model it needs for the check (read:servers).
        const ok = new HubClient({ name: 'ok', apiUrl: hub.apiUrl, token: () => token, attempts: 1 });
        const model = (await ok.readUser(user)) as {
          servers?: Record<string, { pending?: string; started?: string }>;
        };
        assert.equal(model.servers?.['']?.pending, 'spawn', JSON.stringify(model));
        assert.match(model.servers?.['']?.started ?? '', /^\d{4}-\d\d-\d\dT/);
        assert.equal(await ok.readUser(`nobody${id}`), undefined, 'an unknown user is undefined (404)');
        // An unknown user is 404 (after the scope check), its own server is cancelled.
        assert.equal((await cancel(ok, `nobody${id}`)).kind, 'not-found');
        assert.equal((await cancel(ok, user)).kind, 'accepted');
        await hub.waitFor(async () => !(await hub.serverState(user, ''))?.pending, {
          timeoutMs: 60_000,
          what: 'cancel',
        });
      });
    }
  });
}

describe('JupyterHub 4.x cannot cancel a pending spawn', () => {
  let hub: Hub;
  let token: string;
  before(async () => {
    hub = await startHub({
      version: 4,
      startTimeout: 600,
      spawnDoctor: { enabled: false },
      name: 'actions-hub4',
    });
    token = await scopedToken(hub, SERVICE_SCOPES);
  });
  after(async () => {
    await hub?.stop();
  });

  test('400 pending → the pod is deleted, the diagnosis reached the stream, the hub keeps waiting', async () => {
    const user = `sdold${id}`;
    const { spawn, stream } = await startPending(hub, user);
    const r = await makeActions(hub, token, () => undefined).stop({
      spawn,
      announcement: async () => ({ annotation, sentence: 'The image "nope:1" does not exist.' }),
    });
    assert.equal(r.outcome, 'pod-deleted', r.notes.join('; '));
    assert.ok(
      r.notes.some((n) => /older than 5\.1.*is pending.*start_timeout/.test(n)),
      r.notes.join('; '),
    );
    assert.equal(carriedDiagnosis(stream.events)?.category, 'image.not_found');
    assert.equal(await podExists(spawn), false);
    assert.deepEqual(await eventsOf(spawn), []);
    // KubeSpawner keeps waiting for the deleted pod: the spawn stays pending (until start_timeout).
    await new Promise((res) => setTimeout(res, 3000));
    assert.equal((await hub.serverState(user, ''))?.pending, 'spawn');
    assert.equal(
      stream.events.some((e) => e.failed || e.ready),
      false,
    );
    stream.stop();
  });
});
