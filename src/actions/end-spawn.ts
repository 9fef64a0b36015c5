// Step 4 of a stop: end the spawn. Cancel it through the hub (the only DELETE, in
// HubClient.cancelPendingSpawn, checked right before every attempt), or, where the hub cannot or
// will not (JupyterHub < 5.1, no hub configured, the hub unreachable), delete the pod: re-read,
// checked, with a UID precondition. The stop record says `cancelling` before the first DELETE, so
// that a replica that takes over knows a DELETE may have gone out (its own check decides again).
import { describeError } from '../hub/errors.js';
import { backoffDelay, sleep } from '../hub/retry.js';
import type { SpawnRef } from '../plugins/types.js';
import { checkSpawn, type HubSide } from './check.js';
import { type StopDeps, timed } from './context.js';
import type { RecordKeeper } from './keeper.js';
import { deletePod } from './pod.js';
import type { Verdict } from './spawn-check.js';
import type { StopOutcome } from './types.js';

export interface Ending {
  outcome: StopOutcome;
  note?: string;
  /** When the hub accepted the cancel, or the pod deletion was accepted. */
  at?: Date;
}

const START_TIMEOUT_NOTE = 'the hub gives up only at start_timeout';

/** Checks until the verdict is not `unknown`, at most the budget (a hub that does not answer). */
async function prove(
  d: StopDeps,
  spawn: SpawnRef,
  side: HubSide,
  started: string | undefined,
): Promise<Verdict> {
  const deadline = Date.now() + d.timing.unknownBudgetMs;
  for (let attempt = 1; ; attempt++) {
    const v = await checkSpawn(d, spawn, side, { spawn, ...(started ? { started } : {}) });
    if (v.kind !== 'unknown' || Date.now() >= deadline) return v;
    await sleep(Math.min(backoffDelay(attempt, 250, 2000), Math.max(0, deadline - Date.now())));
  }
}

function fromVerdict(v: Exclude<Verdict, { kind: 'same' }>, afterAttempts: number): Ending {
  switch (v.kind) {
    case 'ended':
    case 'other':
      // After an ambiguous answer to our DELETE the spawn is over: that DELETE did its job.
      return afterAttempts > 0
        ? {
            outcome: 'cancelled',
            note: `the hub's answer was ambiguous, and then the spawn was over (${v.why})`,
          }
        : { outcome: 'ended', note: `not cancelled: ${v.why}` };
    case 'not-ours':
      return { outcome: 'not-ours', note: v.why };
    case 'refused':
      return { outcome: 'failed', note: `not cancelled: ${v.why}` };
    case 'unknown':
      return { outcome: 'failed', note: `not cancelled: ${v.why}` };
  }
}

export async function endSpawn(
  d: StopDeps,
  spawn: SpawnRef,
  side: HubSide,
  keeper: RecordKeeper,
): Promise<Ending> {
  const hub = side.hub;
  if (!hub) {
    d.observe('cancel', 'skipped', 0);
    return deleteInstead(d, spawn, `no hub configured for this pod: deleting the pod; ${START_TIMEOUT_NOTE}`);
  }
  const proof = await prove(d, spawn, side, keeper.recorded.record.started);
  if (proof.kind === 'unknown') {
    d.observe('cancel', 'error', 0);
    return deleteInstead(
      d,
      spawn,
      `hub ${hub.name} cannot be asked (${proof.why}): deleting the pod; ${START_TIMEOUT_NOTE}`,
    );
  }
  if (proof.kind !== 'same') {
    d.observe('cancel', 'skipped', 0);
    return fromVerdict(proof, 0);
  }
  const started = proof.started;
  if (!started) return { outcome: 'failed', note: 'the check proved the spawn without its start time' };
  if ((await keeper.learnStarted(started)) === 'conflict') {
    return { outcome: 'failed', note: 'the stop record belongs to another spawn or replica now' };
  }
  if ((await keeper.step('cancelling')) === 'conflict') {
    return { outcome: 'failed', note: 'another replica is stopping this spawn' };
  }

  const t0 = performance.now();
  const result = await hub.cancelPendingSpawn(
    {
      user: spawn.user,
      server: spawn.server,
      podUid: spawn.uid,
      started,
      recheck: async () => {
        const v = await checkSpawn(d, spawn, side, { spawn, started });
        return v.kind === 'same'
          ? { same: true, uid: v.uid, started: v.started }
          : { same: false, kind: v.kind, why: v.why };
      },
    },
    { unknownBudgetMs: d.timing.unknownBudgetMs },
  );
  const seconds = (performance.now() - t0) / 1000;
  switch (result.kind) {
    case 'accepted':
      d.observe('cancel', 'ok', seconds);
      return {
        outcome: 'cancelled',
        at: d.now(),
        ...(result.attempts > 1 ? { note: `cancelled at attempt ${result.attempts}` } : {}),
      };
    case 'not-sent': {
      d.observe('cancel', result.afterAttempts ? 'ok' : 'skipped', seconds);
      const e = fromVerdict(result.check, result.afterAttempts);
      return { ...e, ...(e.outcome === 'cancelled' ? { at: d.now() } : {}) };
    }
    case 'not-found':
      d.observe('cancel', 'error', seconds);
      return { outcome: 'ended', note: `hub ${hub.name} no longer knows this server (${result.message})` };
    case 'pending-refused':
      d.observe('cancel', 'error', seconds);
      return deleteInstead(
        d,
        spawn,
        `JupyterHub older than 5.1 cannot cancel a pending spawn (${result.message}): deleting the pod; ${START_TIMEOUT_NOTE}`,
      );
    case 'unauthorized':
    case 'refused':
      d.observe('cancel', 'error', seconds);
      return deleteInstead(
        d,
        spawn,
        `hub ${hub.name} did not cancel (${result.kind} ${result.status}: ${result.message}): deleting the pod; ${START_TIMEOUT_NOTE}`,
      );
    case 'ambiguous':
    case 'unproven':
      d.observe('cancel', 'error', seconds);
      return deleteInstead(
        d,
        spawn,
        `hub ${hub.name} did not answer clearly (${result.kind === 'ambiguous' ? result.lastAnswer : result.why}): deleting the pod; ${START_TIMEOUT_NOTE}`,
      );
  }
}

async function deleteInstead(d: StopDeps, spawn: SpawnRef, why: string): Promise<Ending> {
  d.log.warn({ namespace: spawn.namespace, pod: spawn.pod, uid: spawn.uid }, why);
  try {
    const r = await timed(d, 'delete-pod', () => deletePod(d, spawn));
    if (r.result === 'refused')
      return { outcome: 'failed', note: `${why}; refused by the safety check: ${r.reason}` };
    if (r.result === 'gone') return { outcome: 'ended', note: `${why}; the pod was gone already` };
    return { outcome: 'pod-deleted', note: why, at: d.now() };
  } catch (err) {
    return { outcome: 'failed', note: `${why}; the deletion failed: ${describeError(err)}` };
  }
}
