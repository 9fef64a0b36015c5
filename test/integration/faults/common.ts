// Shared steps of the fault tests: a real JupyterHub 6 on the testbed, spawn-doctor as its own
// process (test/support/service.ts) behind a fault-injecting proxy (test/support/fault-proxy.ts),
// a failing and a good spawn side by side, and the checks every case ends with: the failing spawn
// announced once, cancelled once, nothing of its pod left; the good one ready and untouched.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type CoreV1Event, type V1Pod, Watch } from '@kubernetes/client-node';
import { type Hub, type ProgressEvent, startHub } from '../../support/hub.js';
import {
  admin,
  core,
  diagnosisOf,
  eventsOfUid,
  serviceDiagnoses,
  userNamespace,
  waitForValue,
} from '../service/e2e.js';

export const MISSING = 'docker.io/library/this-image-does-not-exist:42';
export const GOOD = { image: 'quay.io/jupyter/minimal-notebook:2025-10-20' };
export const SCOPES = ['read:servers', 'delete:servers'];

export function user(tag: string): string {
  return `f${randomBytes(3).toString('hex')}${tag}`.slice(0, 24);
}

/** A hub without its own spawn-doctor, and a token with exactly the service's scopes. */
export async function faultHub(name: string): Promise<{ hub: Hub; token: string }> {
  const hub = await startHub({ version: 6, startTimeout: 600, name, spawnDoctor: { enabled: false } });
  const res = await hub.api('/users/admin/tokens', {
    method: 'POST',
    body: JSON.stringify({ scopes: SCOPES, note: 'spawn-doctor fault test', expires_in: 3600 }),
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(res.status, 201, await res.clone().text());
  return { hub, token: ((await res.json()) as { token: string }).token };
}

/** spawn-doctor's config for a hub reached through `apiBase` (the fault proxy). */
export function serviceConfig(apiBase: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hubs: [{ name: 'faults', apiUrl: `${apiBase}/hub/api`, tokenEnv: 'HUB_TOKEN' }],
    kube: { podSelector: 'component=singleuser-server' },
    support: { contact: 'support@example.org' },
    cleanupEvents: true,
    progressNotes: { enabled: false, intervalSeconds: 30 },
    logLevel: 'debug',
    ...extra,
  };
}

/** Follows a server's progress stream in the background until it ends (or cut()). */
export function follow(hub: Hub, name: string) {
  const events: ProgressEvent[] = [];
  const ac = new AbortController();
  const done = (async () => {
    for await (const e of hub.progress(name, '', ac.signal)) events.push(e);
  })().catch(() => undefined);
  return { events, done, cut: () => ac.abort() };
}

export async function start(hub: Hub, name: string, options: Record<string, unknown>) {
  await hub.createUser(name);
  const r = await hub.startServer(name, '', options);
  assert.ok([201, 202].includes(r.status), `start ${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return follow(hub, name);
}

export async function podOf(name: string): Promise<V1Pod | undefined> {
  try {
    return await core.readNamespacedPod({ namespace: userNamespace(name), name: `jupyter-${name}` });
  } catch {
    return undefined;
  }
}

/**
 * Every SpawnDiagnosis Event created in the cluster while it runs, by the pod UID it is about
 * (distinct Event UIDs: a watch that breaks, e.g. when the API server restarts, is opened again
 * and lists again without counting anything twice).
 */
export async function watchDiagnoses() {
  const created = new Map<string, Set<string>>();
  const w = new Watch(admin);
  let stopped = false;
  let req: AbortController | undefined;
  const open = async (): Promise<void> => {
    req = await w.watch(
      '/api/v1/events',
      { fieldSelector: 'reason=SpawnDiagnosis' },
      (type: string, e: CoreV1Event) => {
        const pod = e.involvedObject?.uid;
        if ((type !== 'ADDED' && type !== 'MODIFIED') || !pod || !e.metadata?.uid) return;
        if (!created.has(pod)) created.set(pod, new Set());
        created.get(pod)!.add(e.metadata.uid);
      },
      () => reopen(),
    );
  };
  const reopen = (): void => {
    if (!stopped) setTimeout(() => void open().catch(reopen), 300);
  };
  await open();
  return {
    /** How many diagnosis Events were ever created about this pod. */
    count: (podUid: string) => created.get(podUid)?.size ?? 0,
    stop: () => {
      stopped = true;
      req?.abort();
    },
  };
}

/** How often the hub interrupted (cancelled) a pending spawn of this user, from its log. */
export async function interruptions(hub: Hub, name: string): Promise<number> {
  const re = new RegExp(`Interrupting spawner ${name}, pending spawn`, 'g');
  return ((await hub.logs()).match(re) ?? []).length;
}

export async function spawnOver(hub: Hub, name: string, timeoutMs = 120_000): Promise<void> {
  await hub.waitFor(
    async () => {
      const s = await hub.serverState(name, '');
      return s === null || (!s.pending && !s.ready);
    },
    { timeoutMs, intervalMs: 250, what: `${name}'s spawn to be over` },
  );
}

/**
 * The failing spawn ends right: its stream carried the diagnosis, it was announced once and
 * cancelled once (the hub interrupted it once), it is over, and no Event of its pod is left.
 */
export async function assertStoppedOnce(
  hub: Hub,
  name: string,
  stream: ReturnType<typeof follow>,
  podUid: string,
  diagnoses: { count: (uid: string) => number },
): Promise<void> {
  await spawnOver(hub, name);
  await stream.done;
  const carried = diagnosisOf(stream.events);
  assert.ok(carried.length >= 1, `the failing spawn's stream carried no diagnosis`);
  assert.equal(carried[0]!.annotation.category, 'image.not_found');
  assert.equal(new Set(carried.map((d) => d.raw.metadata.uid)).size, 1, 'one diagnosis on the stream');
  await waitForValue(
    async () => (await eventsOfUid(userNamespace(name), podUid)).length === 0,
    `no events of ${podUid}`,
  );
  assert.equal(diagnoses.count(podUid), 1, 'announced exactly once');
  assert.equal(await interruptions(hub, name), 1, 'cancelled exactly once');
}

/** The good spawn became ready, was never interrupted, and its stream showed only its own pod. */
export async function assertGoodUntouched(
  hub: Hub,
  name: string,
  stream: ReturnType<typeof follow>,
): Promise<void> {
  await stream.done;
  const pod = await podOf(name);
  const last = stream.events.at(-1);
  assert.ok(last?.ready, `the good spawn ${name} did not become ready: ${JSON.stringify(last)}`);
  assert.ok(pod?.metadata?.uid && !pod.metadata.deletionTimestamp, 'the good pod runs');
  const foreign = stream.events.filter(
    (e) => e.raw_event && e.raw_event.involvedObject?.uid !== pod.metadata!.uid,
  );
  assert.deepEqual(foreign, [], 'the good stream showed only its own pod');
  assert.equal(await interruptions(hub, name), 0, 'the good spawn was never cancelled');
  const s = await hub.serverState(name, '');
  assert.ok(s?.ready, 'the hub reports it running');
}

/** Waits until the failing pod exists and returns its UID. */
export async function failingPodUid(name: string): Promise<string> {
  let uid = '';
  await waitForValue(async () => {
    uid = (await podOf(name))?.metadata?.uid ?? '';
    return uid !== '';
  }, `the pod of ${name}`);
  return uid;
}

/** The stop record's phase on the pod's diagnosis Event (undefined when there is none). */
export async function recordPhase(name: string, podUid: string): Promise<string | undefined> {
  const events = await eventsOfUid(userNamespace(name), podUid);
  const d = events.find(
    (e) => e.reason === 'SpawnDiagnosis' && e.metadata.annotations?.['spawn-doctor/stop'],
  );
  const text = d?.metadata.annotations?.['spawn-doctor/stop'];
  return text ? (JSON.parse(text) as { phase: string }).phase : undefined;
}

/** The outcome spawn-doctor reports for the pod (its /api/diagnoses at `serviceUrl`). */
export async function outcomeOf(serviceUrl: string, podUid: string): Promise<string | undefined> {
  let found: string | undefined;
  await waitForValue(async () => {
    found = (await serviceDiagnoses({ serviceUrl } as Hub)).find((r) => r.uid === podUid)?.outcome;
    return found !== undefined;
  }, 'the stop outcome');
  return found;
}
