// Shared steps of the end-to-end tests: spawn through the real hub with the demo form's
// user_options, follow the hub's progress stream, and check what the user and the cluster see
// afterwards. spawn-doctor runs as the hub's managed service with the service account of
// deploy/rbac (never the admin kubeconfig).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import {
  ANNOTATION_KEY,
  type DiagnosisAnnotation,
  diagnosisAnnotationSchema,
} from '../../../src/diagnosis/annotation.js';
import type { Hub, KubeEvent, ProgressEvent, UserOptions } from '../../support/hub.js';
import { adminKubeConfig, applyRbac, type ServiceAccountAccess } from '../../support/rbac.js';

export const START_TIMEOUT = 600;

/** The service's config in these tests: the demo's, with debug logs and a short PVC budget. */
export const SERVICE_CONFIG = `
kube:
  podSelector: component=singleuser-server
support:
  contact: support@example.org
cleanupEvents: true
progressStreamWaitSeconds: 3
progressNotes: {enabled: true, intervalSeconds: 10}
categories:
  volume.pvc_pending: {budgetSeconds: 120}
logLevel: debug
`;

/** A unique, namespace-safe user name per run (the testbed is shared with other test files). */
export function userName(tag: string): string {
  return `e2e${randomBytes(3).toString('hex')}${tag.replace(/[^a-z0-9]/g, '')}`.slice(0, 30);
}

export function userNamespace(user: string): string {
  return `jupyterhub-${user}-demo-ns`;
}

let rbac: Promise<ServiceAccountAccess> | undefined;
/** The deploy/rbac service account's kubeconfig (applied once per process). */
export function serviceKubeconfig(): Promise<ServiceAccountAccess> {
  rbac ??= applyRbac({ namespace: 'spawn-doctor-e2e' });
  return rbac;
}

export const admin: KubeConfig = adminKubeConfig();
export const core = admin.makeApiClient(CoreV1Api);

export interface Diagnosed {
  raw: KubeEvent;
  annotation: DiagnosisAnnotation;
}

export interface Spawned {
  user: string;
  status: number;
  events: ProgressEvent[];
  /** The first SpawnDiagnosis the stream carried. */
  diagnosis?: Diagnosed;
  /** Whether the stream ended (spawn failed or ready) rather than being cut by us. */
  ended: boolean;
}

export function diagnosisOf(events: ProgressEvent[], reason = 'SpawnDiagnosis'): Diagnosed[] {
  const out: Diagnosed[] = [];
  for (const e of events) {
    const raw = e.raw_event;
    if (raw?.reason !== reason) continue;
    const text = raw.metadata?.annotations?.[ANNOTATION_KEY];
    assert.ok(text, `${reason} event without the ${ANNOTATION_KEY} annotation`);
    out.push({ raw, annotation: diagnosisAnnotationSchema.parse(JSON.parse(text)) });
  }
  return out;
}

/**
 * Starts the user's default server and follows its progress stream until the stream ends, or
 * until `stopWhen` says so, or `timeoutMs` passes.
 */
export async function spawnAndFollow(
  hub: Hub,
  user: string,
  options: UserOptions,
  opts: { timeoutMs?: number; stopWhen?: (events: ProgressEvent[]) => boolean } = {},
): Promise<Spawned> {
  await hub.createUser(user);
  const res = await hub.startServer(user, '', options);
  assert.ok([201, 202].includes(res.status), `start ${user}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  const events: ProgressEvent[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 240_000);
  let ended = false;
  try {
    for await (const e of hub.progress(user, '', controller.signal)) {
      events.push(e);
      if (opts.stopWhen?.(events)) {
        controller.abort();
        break;
      }
    }
    ended = !controller.signal.aborted;
  } finally {
    clearTimeout(timer);
  }
  const diagnosis = diagnosisOf(events)[0];
  return { user, status: res.status, events, ended, ...(diagnosis ? { diagnosis } : {}) };
}

/** Until the hub reports the server neither pending nor running (or gone). */
export async function waitSpawnEnded(hub: Hub, user: string): Promise<void> {
  await hub.waitFor(
    async () => {
      const s = await hub.serverState(user, '');
      return s === null || (!s.pending && !s.ready);
    },
    { timeoutMs: 120_000, intervalMs: 500, what: `${user}'s spawn to end` },
  );
}

export async function waitPodGone(namespace: string, name: string, uid: string): Promise<void> {
  await waitForValue(async () => {
    try {
      const pod = await core.readNamespacedPod({ namespace, name });
      return pod.metadata?.uid !== uid; // a new pod of the same name is not the failed one
    } catch (err) {
      return (err as { code?: number }).code === 404;
    }
  }, `pod ${namespace}/${name} (${uid}) to be gone`);
}

export async function eventsOfUid(namespace: string, uid: string): Promise<KubeEvent[]> {
  const list = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.uid=${uid}` });
  return list.items as unknown as KubeEvent[];
}

export async function waitNoEventsOf(namespace: string, uid: string): Promise<void> {
  await waitForValue(async () => (await eventsOfUid(namespace, uid)).length === 0, `no events of ${uid}`);
}

export async function waitForValue(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface RecentDiagnosis {
  uid: string;
  user: string;
  category: string;
  decision: string;
  outcome?: string;
  params?: Record<string, unknown>;
}

/** spawn-doctor's read-only /api/diagnoses. */
export async function serviceDiagnoses(hub: Hub): Promise<RecentDiagnosis[]> {
  assert.ok(hub.serviceUrl, 'spawn-doctor is not enabled on this hub');
  const res = await fetch(`${hub.serviceUrl}/api/diagnoses`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { diagnoses: RecentDiagnosis[] }).diagnoses;
}

export async function metricsText(hub: Hub): Promise<string> {
  const res = await fetch(`${hub.serviceUrl}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

/**
 * The whole check of a stopped spawn: the stream carried the diagnosis with the category and
 * parameters; the spawn ended; the pod is gone; no Event of its UID remains. Returns the failed
 * pod's UID and the service's record of it.
 */
export async function assertStopped(
  hub: Hub,
  spawned: Spawned,
  category: string,
  expect: { text?: string[]; params?: (p: Record<string, unknown>) => void; cancelled?: boolean } = {},
): Promise<{ uid: string; record: RecentDiagnosis }> {
  const d = spawned.diagnosis;
  const seen = spawned.events
    .map((e) => e.raw_event?.reason && `${e.raw_event.reason}: ${e.raw_event.message}`)
    .filter(Boolean);
  assert.ok(
    d,
    `the progress stream of ${spawned.user} carried no SpawnDiagnosis; it had:\n${seen.join('\n')}`,
  );
  assert.equal(d.annotation.category, category, `category; stream had:\n${seen.join('\n')}`);
  assert.equal(d.annotation.action, 'stop');
  assert.equal(d.raw.type, 'Warning');
  assert.equal(d.annotation.contact, 'support@example.org');
  assert.ok(
    d.annotation.title.en && d.annotation.title.cs && d.annotation.detail.en && d.annotation.detail.cs,
  );
  const text = `${d.annotation.title.en} ${d.annotation.detail.en} ${d.raw.message}`;
  for (const t of expect.text ?? []) assert.ok(text.includes(t), `"${t}" not in the diagnosis text: ${text}`);
  const uid = d.raw.involvedObject?.uid;
  const namespace = d.raw.involvedObject?.namespace ?? userNamespace(spawned.user);
  const name = d.raw.involvedObject?.name;
  assert.ok(uid && name, 'the diagnosis names its pod');

  await waitSpawnEnded(hub, spawned.user);
  await waitPodGone(namespace, name, uid);
  await waitNoEventsOf(namespace, uid);

  const record = (await serviceDiagnoses(hub)).find((r) => r.uid === uid && r.category === category);
  assert.ok(record, `spawn-doctor's /api/diagnoses has no ${category} record of ${uid}`);
  assert.equal(record.decision, 'stop');
  assert.equal(record.user, spawned.user);
  await hub.waitFor(
    async () => {
      const r = (await serviceDiagnoses(hub)).find((x) => x.uid === uid && x.category === category);
      return r?.outcome;
    },
    { timeoutMs: 60_000, what: 'the stop outcome' },
  );
  const final = (await serviceDiagnoses(hub)).find((r) => r.uid === uid && r.category === category)!;
  if (expect.cancelled !== false) assert.equal(final.outcome, 'cancelled', 'cancelled through the hub');
  expect.params?.(final.params ?? {});
  return { uid, record: final };
}
