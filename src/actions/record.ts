// The stop record: how far the stop of one pod UID has come, kept in Kubernetes as an annotation
// on the SpawnDiagnosis Event itself, so that a replica that restarts or takes over finishes a
// half-done stop exactly once (DESIGN section 4). Pure: parsing, rendering and the allowed steps.
//
//   announced ──▶ cancelling ──▶ cancelled ─┐
//       │             │  ▲ (another replica  ├──▶ retired ──▶ (Event deleted: the stop is over)
//       │             │  └─ re-claims it)    │
//       ├─────────────┴──────▶ pod-deleted ──┤
//       └─────────────┴──────▶ ended ────────┘
//
// `announced`: the diagnosis Event exists. `cancelling`: a replica claimed the cancel (and may have
// sent it). `cancelled` / `pod-deleted`: the spawn was ended by us; `ended`: it ended otherwise
// (the user, the hub, a newer spawn). `retired`: the spawn is over and the Event no longer names
// the pod (KubeSpawner no longer shows it); what is left is deleting the pod's remaining Events
// once the pod is gone, this one last.

export const STOP_ANNOTATION = 'spawn-doctor/stop';

export const STOP_PHASES = [
  'announced',
  'cancelling',
  'cancelled',
  'pod-deleted',
  'ended',
  'retired',
] as const;
export type StopPhase = (typeof STOP_PHASES)[number];

export interface StopRecord {
  v: 1;
  phase: StopPhase;
  /** The pod's UID: the record of one pod is never read as another's. */
  uid: string;
  /** The pod's name (a retired diagnosis no longer names it in involvedObject). */
  pod: string;
  user: string;
  server: string;
  /** The hub's `started` of the pending spawn this pod belongs to, once the hub told us. */
  started?: string;
  /** The replica that wrote this phase (its cancel claim). */
  by: string;
  /** When this phase was written (ISO). */
  at: string;
}

const NEXT: Record<StopPhase, readonly StopPhase[]> = {
  announced: ['cancelling', 'pod-deleted', 'ended', 'retired'],
  // `cancelling` again: a replica that took over re-claims the cancel of one that died.
  cancelling: ['cancelling', 'cancelled', 'pod-deleted', 'ended', 'retired'],
  cancelled: ['retired'],
  'pod-deleted': ['retired'],
  ended: ['retired'],
  retired: [],
};

/** What is left to do for a recorded stop. */
export type PendingWork =
  /** Deliver (if not yet) and cancel, after proving the pending spawn is still this pod's. */
  | 'cancel'
  /** The spawn is over: retire the Event, sweep the other Events, then finish. */
  | 'retire'
  /** Retired: once the pod is gone, delete what is left of its Events, this one last. */
  | 'finish';

export function pendingWork(r: StopRecord): PendingWork {
  switch (r.phase) {
    case 'announced':
    case 'cancelling':
      return 'cancel';
    case 'cancelled':
    case 'pod-deleted':
    case 'ended':
      return 'retire';
    case 'retired':
      return 'finish';
  }
}

export function canAdvance(from: StopPhase, to: StopPhase): boolean {
  return NEXT[from].includes(to);
}

/** The record after a step, or why the step is not allowed. */
export function advance(
  r: StopRecord,
  to: StopPhase,
  by: string,
  at: Date,
  extra: { started?: string } = {},
): { ok: true; record: StopRecord } | { ok: false; reason: string } {
  if (!canAdvance(r.phase, to)) return { ok: false, reason: `a stop cannot go from ${r.phase} to ${to}` };
  if (extra.started && r.started && extra.started !== r.started) {
    return { ok: false, reason: `the record is for the spawn started ${r.started}, not ${extra.started}` };
  }
  const started = r.started ?? extra.started;
  return {
    ok: true,
    record: { ...r, phase: to, by, at: at.toISOString(), ...(started ? { started } : {}) },
  };
}

/** Adds the hub's start time of the spawn to a record that has none yet (same phase). */
export function withStarted(r: StopRecord, started: string): StopRecord | { error: string } {
  if (r.started === started) return r;
  if (r.started) return { error: `the record is for the spawn started ${r.started}, not ${started}` };
  return { ...r, started };
}

export function newRecord(
  spawn: { uid: string; pod: string; user: string; server: string },
  by: string,
  at: Date,
  started?: string,
): StopRecord {
  return {
    v: 1,
    phase: 'announced',
    uid: spawn.uid,
    pod: spawn.pod,
    user: spawn.user,
    server: spawn.server,
    ...(started ? { started } : {}),
    by,
    at: at.toISOString(),
  };
}

/** The annotation value (stable key order, so that a JSON Patch `test` can compare it). */
export function renderRecord(r: StopRecord): string {
  return JSON.stringify({
    v: r.v,
    phase: r.phase,
    uid: r.uid,
    pod: r.pod,
    user: r.user,
    server: r.server,
    ...(r.started ? { started: r.started } : {}),
    by: r.by,
    at: r.at,
  });
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** Reads the annotation; a record must name the expected pod UID. Never throws. */
export function parseRecord(text: unknown, uid: string): StopRecord | { error: string } {
  if (!isString(text)) return { error: 'no stop record' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: 'the stop record is not JSON' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: 'the stop record is not an object' };
  const o = v as Record<string, unknown>;
  if (o.v !== 1) return { error: `unknown stop record version ${String(o.v)}` };
  if (!STOP_PHASES.includes(o.phase as StopPhase)) return { error: `unknown stop phase ${String(o.phase)}` };
  if (o.uid !== uid) return { error: `the stop record is for UID ${String(o.uid)}, not ${uid}` };
  if (!isString(o.pod) || !isString(o.user) || !isString(o.server) || !isString(o.by) || !isString(o.at)) {
    return { error: 'the stop record lacks pod, user, server, by or at' };
  }
  if (o.started !== undefined && !isString(o.started)) return { error: 'the stop record has a bad started' };
  return {
    v: 1,
    phase: o.phase as StopPhase,
    uid,
    pod: o.pod,
    user: o.user,
    server: o.server,
    ...(isString(o.started) ? { started: o.started } : {}),
    by: o.by,
    at: o.at,
  };
}

/**
 * The spawn a stop record names, read from a diagnosis Event as the informer delivers it; undefined
 * for any Event that carries no valid record (the caller checks that the Event is ours).
 */
export function recordedSpawn(e: {
  metadata?: { namespace?: string; annotations?: Record<string, string> };
  involvedObject?: { uid?: string };
}): { namespace: string; pod: string; uid: string; user: string; server: string } | undefined {
  const uid = e.involvedObject?.uid;
  const namespace = e.metadata?.namespace;
  if (!uid || !namespace) return undefined;
  const r = parseRecord(e.metadata?.annotations?.[STOP_ANNOTATION], uid);
  if ('error' in r) return undefined;
  return { namespace, pod: r.pod, uid, user: r.user, server: r.server };
}
