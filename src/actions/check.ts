// The check before each action (spawn-check.ts judges): read the live pod and the hub's server
// model at the same time, then look at our progress stream last, right before answering, so that
// the proof is as fresh as it can be when the caller acts on it.
import type { PodLike } from '../diagnosis/types.js';
import type { HubClient } from '../hub/client.js';
import { describeError } from '../hub/errors.js';
import { type OpenedWitness, ProgressWitness } from '../hub/witness.js';
import type { SpawnRef } from '../plugins/types.js';
import type { StopDeps } from './context.js';
import { readPod } from './pod.js';
import {
  type Expected,
  type HubObservation,
  judge,
  type Observation,
  type StreamObservation,
  serverViewOf,
  type Verdict,
} from './spawn-check.js';

/** The hub side of one stop: the hub of the pod and our progress stream of the spawn. */
export class HubSide {
  witness: ProgressWitness | undefined;
  /** Why the stream is not open, for the notes. */
  problem: string | undefined;
  notFound = false;
  private readonly opening: Promise<OpenedWitness> | undefined;

  constructor(
    readonly hub: HubClient | undefined,
    spawn: SpawnRef,
    connectMs: number,
  ) {
    this.opening = hub ? ProgressWitness.open(hub, spawn.user, spawn.server, { connectMs }) : undefined;
    void this.opening?.then((o) => {
      if (o.kind === 'open') this.witness = o.witness;
      else if (o.kind === 'not-found') this.notFound = true;
      else this.problem = o.message;
    });
  }

  /** Waits for the stream's first answer at most `ms`; true once it answered (any way). */
  async answered(ms: number): Promise<boolean> {
    if (!this.opening) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), ms);
    });
    const v = await Promise.race([this.opening.then(() => true as const), late]);
    clearTimeout(timer);
    // let the .then above run first, so that witness/notFound/problem are set
    await Promise.resolve();
    return v;
  }

  stream(): StreamObservation {
    const w = this.witness;
    if (!w) return 'none';
    const s = w.state.kind;
    return s === 'live' ? 'live' : s === 'ended' ? 'ended' : 'lost';
  }

  close(): void {
    this.witness?.close();
    void this.opening?.then((o) => {
      if (o.kind === 'open') o.witness.close();
    });
  }
}

async function observeHub(hub: HubClient | undefined, spawn: SpawnRef): Promise<HubObservation> {
  if (!hub) return { kind: 'no-hub' };
  try {
    const user = await hub.readUser(spawn.user);
    if (user === undefined) return { kind: 'no-user' };
    const view = serverViewOf(user, spawn.server);
    if (view && 'error' in view) return { kind: 'unreachable', why: `hub ${hub.name}: ${view.error}` };
    return { kind: 'server', server: view };
  } catch (err) {
    return { kind: 'unreachable', why: describeError(err) };
  }
}

/** Reads what the check needs; the stream is looked at last. */
export async function observe(d: StopDeps, spawn: SpawnRef, side: HubSide): Promise<Observation> {
  const [pod, hub] = await Promise.all([readPod(d, spawn), observeHub(side.hub, spawn)]);
  // A 404 on the stream (no such user or server) means the same as one on the user model.
  return {
    pod: pod as PodLike | undefined,
    hub: side.notFound ? { kind: 'no-user' } : hub,
    stream: side.stream(),
  };
}

/** Is the hub's pending spawn of this server still this pod's? Never throws. */
export async function checkSpawn(
  d: StopDeps,
  spawn: SpawnRef,
  side: HubSide,
  expected: Expected,
): Promise<Verdict> {
  try {
    return judge(await observe(d, spawn, side), expected, d.selector);
  } catch (err) {
    return { kind: 'unknown', why: `the check failed: ${describeError(err)}` };
  }
}
