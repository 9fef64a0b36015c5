// The live pod of a spawn: read it, delete exactly it (re-read and checked first, with a UID
// precondition), wait until it is gone.
import type { V1Pod } from '@kubernetes/client-node';
import type { PodLike } from '../diagnosis/types.js';
import { sleep } from '../hub/retry.js';
import type { SpawnRef } from '../plugins/types.js';
import type { StopDeps } from './context.js';
import { checkPod } from './guard.js';
import { statusOf } from './kube-errors.js';

/** The pod of that name now (whatever its UID), or undefined when there is none. */
export async function readPod(d: StopDeps, spawn: SpawnRef): Promise<V1Pod | undefined> {
  try {
    return await d.kube('read pod', () =>
      d.core.readNamespacedPod({ name: spawn.pod, namespace: spawn.namespace }),
    );
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

export type PodDeletion = 'deleted' | 'gone' | 'refused';

/**
 * Deletes exactly the spawn's pod: it is read again right before, must pass the safety check and
 * still have the UID, and the delete carries a UID precondition (a new pod of the same name is
 * never touched). A pod that is already being deleted counts as gone.
 */
export async function deletePod(
  d: StopDeps,
  spawn: SpawnRef,
): Promise<{ result: PodDeletion; reason?: string }> {
  const pod = await readPod(d, spawn);
  if (!pod || pod.metadata?.uid !== spawn.uid) return { result: 'gone' };
  if (pod.metadata?.deletionTimestamp) return { result: 'gone' };
  const guard = checkPod(pod as PodLike, spawn, d.selector);
  if (!guard.ok) return { result: 'refused', reason: guard.reason };
  try {
    await d.kube('delete pod', () =>
      d.core.deleteNamespacedPod({
        name: spawn.pod,
        namespace: spawn.namespace,
        body: { preconditions: { uid: spawn.uid }, gracePeriodSeconds: 1 },
      }),
    );
    return { result: 'deleted' };
  } catch (err) {
    const status = statusOf(err);
    if (status === 404 || status === 409) return { result: 'gone' }; // gone, or the name is another pod now
    throw err;
  }
}

/** Whether the pod with the spawn's UID is gone (a new pod of that name does not count). */
export async function podGone(d: StopDeps, spawn: SpawnRef): Promise<boolean> {
  const pod = await readPod(d, spawn);
  return !pod || pod.metadata?.uid !== spawn.uid;
}

/** Waits (polling with backoff) until the pod of the spawn's UID is gone, at most `ms`. */
export async function waitPodGone(d: StopDeps, spawn: SpawnRef, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    if (await podGone(d, spawn)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
  }
}
