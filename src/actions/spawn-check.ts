// The check before every action on a spawn, retries included (DESIGN section 4): is the hub's
// pending spawn of this server still the one this pod belongs to? Pure: it judges what was just
// read (the live pod, the hub's server model, our own progress stream), the I/O is in check.ts.
//
// Three witnesses, from the strongest:
//   - our progress stream: JupyterHub binds it to the spawn that was pending when it was opened
//     and ends it (failed/ready) the moment that spawn resolves; open and not ended = still
//     pending (docs/jupyterhub-limits.md, "the cancel race");
//   - the hub's server model: `pending: "spawn"` and `started`, set once per spawn (with
//     microseconds) before the pod is created, so equal `started` = the same spawn;
//   - the live pod: same name, same UID, not terminating, still the spawn's single-user pod.
import type { PodLike } from '../diagnosis/types.js';
import type { Selector } from '../kube/selector.js';
import { toMs } from '../kube/time.js';
import type { SpawnRef } from '../plugins/types.js';
import { checkPod } from './guard.js';

/** The hub's view of one server (GET /users/{user}, `servers[name]`). */
export interface ServerView {
  pending: string | null;
  ready: boolean;
  /** ISO time the hub set when this spawn began; null when stopped. */
  started: string | null;
}

export type HubObservation =
  /** No hub is configured for this pod: only the pod can be checked. */
  | { kind: 'no-hub' }
  /** The hub does not know the user (404): not this hub's pod. */
  | { kind: 'no-user' }
  | { kind: 'unreachable'; why: string }
  /** The server is not active (absent from the user's servers), or its model. */
  | { kind: 'server'; server: ServerView | null };

export type StreamObservation = 'live' | 'ended' | 'lost' | 'none';

export interface Observation {
  /** The live pod of that name, undefined when there is none. */
  pod: PodLike | undefined;
  hub: HubObservation;
  stream: StreamObservation;
}

export interface Expected {
  spawn: SpawnRef;
  /** The hub's `started` of this pod's spawn, once known (the stop record keeps it). */
  started?: string;
}

export type Verdict =
  /** The pending spawn is this pod's: acting on it is allowed now. */
  | { kind: 'same'; uid: string; started?: string }
  /** This pod's spawn is over, or no longer pending (ready, stopping, stopped, pod going). */
  | { kind: 'ended'; why: string }
  /** Another spawn is pending (or the name is another pod now): never act on it. */
  | { kind: 'other'; why: string }
  | { kind: 'not-ours'; why: string }
  /** The pod fails the safety check (not a single-user pod of this user and server). */
  | { kind: 'refused'; why: string }
  /** Cannot tell now (the hub does not answer): never act, look again later. */
  | { kind: 'unknown'; why: string };

/**
 * How much later than the pod's creation the hub's `started` of a spawn may be and still be that
 * pod's spawn: `creationTimestamp` has whole seconds, and the hub's and the API server's clocks
 * may differ a little. A spawn that began later than this is a newer one, and the pod a leftover.
 */
export const STARTED_SLACK_MS = 2000;

export function judge(o: Observation, e: Expected, selector: Selector): Verdict {
  const { spawn } = e;
  const md = o.pod?.metadata;
  if (!o.pod || !md) return { kind: 'ended', why: `pod ${spawn.namespace}/${spawn.pod} is gone` };
  if (md.uid !== spawn.uid) {
    return {
      kind: 'other',
      why: `pod ${spawn.namespace}/${spawn.pod} is now UID ${md.uid}, not ${spawn.uid}`,
    };
  }
  const guard = checkPod(o.pod, spawn, selector);
  if (!guard.ok) return { kind: 'refused', why: guard.reason };
  if (md.deletionTimestamp) return { kind: 'ended', why: 'the pod is being deleted' };
  if (o.stream === 'ended') return { kind: 'ended', why: "the hub's progress stream of this spawn ended" };

  const hub = o.hub;
  if (hub.kind === 'no-hub') return { kind: 'same', uid: spawn.uid };
  if (hub.kind === 'no-user') return { kind: 'not-ours', why: `the hub does not know user "${spawn.user}"` };
  if (hub.kind === 'unreachable') return { kind: 'unknown', why: hub.why };
  const server = hub.server;
  if (!server) return { kind: 'ended', why: 'the hub reports the server stopped' };
  if (server.pending !== 'spawn') {
    return {
      kind: 'ended',
      why: server.pending
        ? `the server is pending ${server.pending}`
        : `the server is ${server.ready ? 'ready' : 'not pending'}`,
    };
  }
  if (!server.started) return { kind: 'unknown', why: 'the hub did not say when this spawn started' };
  if (e.started !== undefined) {
    if (server.started !== e.started) {
      return {
        kind: 'other',
        why: `the pending spawn started ${server.started}, this pod's at ${e.started}`,
      };
    }
    return { kind: 'same', uid: spawn.uid, started: server.started };
  }
  // First check of this spawn: the pending one must have begun before this pod was created.
  const started = toMs(server.started);
  const created = toMs(md.creationTimestamp);
  if (started === undefined) return { kind: 'unknown', why: `unreadable started ${server.started}` };
  if (created !== undefined && started > created + 999 + STARTED_SLACK_MS) {
    return {
      kind: 'other',
      why: `the pending spawn started ${server.started}, after this pod was created (${String(md.creationTimestamp)})`,
    };
  }
  return { kind: 'same', uid: spawn.uid, started: server.started };
}

/** Parses `servers[name]` of JupyterHub's user model (4.x, 5.x and 6.x alike). */
export function serverViewOf(user: unknown, server: string): ServerView | null | { error: string } {
  if (!user || typeof user !== 'object' || Array.isArray(user))
    return { error: 'the user model is not an object' };
  const servers = (user as { servers?: unknown }).servers;
  if (servers === undefined) return { error: 'the user model has no servers (is read:servers granted?)' };
  if (!servers || typeof servers !== 'object' || Array.isArray(servers))
    return { error: 'servers is not an object' };
  const s = (servers as Record<string, unknown>)[server];
  if (s === undefined || s === null) return null;
  if (typeof s !== 'object' || Array.isArray(s)) return { error: `servers["${server}"] is not an object` };
  const m = s as Record<string, unknown>;
  return {
    pending: typeof m.pending === 'string' && m.pending !== '' ? m.pending : null,
    ready: m.ready === true,
    started: typeof m.started === 'string' && m.started !== '' ? m.started : null,
  };
}
