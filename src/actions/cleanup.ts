// Clean up after a stop, so that the next spawn of the same server never shows this pod's Events
// (docs/jupyterhub-limits.md, sections 3 and 8). KubeSpawner shows a pod's Events by name, and a
// new spawn of that server can begin only once KubeSpawner saw this pod gone; so:
//   1. the moment the spawn is over, retire the diagnosis (it no longer names the pod, and keeps
//      the stop record) and delete every other Event of the pod's UID, all at once;
//   2. until the pod is gone, delete any Event of that UID as soon as it appears (the kubelet's
//      `Killing`, a back-off Event created again) — the Sweeper, fed by the event informer;
//   3. once the pod is gone, delete what is left, the diagnosis last: the stop is over.
// Every delete names the Event's own UID as a precondition; only Events whose involvedObject.uid
// is the pod's are ever listed.
import type { CoreV1Event } from '@kubernetes/client-node';
import type { KubeEvent } from '../diagnosis/types.js';
import type { SpawnRef } from '../plugins/types.js';
import type { StopDeps } from './context.js';
import { diagnosisEventName } from './events.js';
import { kubeErrorText, statusOf } from './kube-errors.js';

/** Every Event whose involvedObject.uid is the pod's (checked again here: nothing else is touched). */
export async function eventsOfUid(d: StopDeps, spawn: SpawnRef): Promise<CoreV1Event[]> {
  const out: CoreV1Event[] = [];
  let cont: string | undefined;
  do {
    const page = await d.kube('list events', () =>
      d.core.listNamespacedEvent({
        namespace: spawn.namespace,
        fieldSelector: `involvedObject.uid=${spawn.uid}`,
        limit: 500,
        ...(cont ? { _continue: cont } : {}),
      }),
    );
    out.push(...page.items.filter((e) => e.involvedObject?.uid === spawn.uid));
    cont = page.metadata?._continue || undefined;
  } while (cont);
  return out;
}

/** Deletes one Event (its UID as precondition); false when it was gone already. */
export async function deleteEvent(
  d: StopDeps,
  namespace: string,
  e: Pick<CoreV1Event, 'metadata'>,
): Promise<boolean> {
  const name = e.metadata?.name;
  if (!name) return false;
  try {
    await d.kube('delete event', () =>
      d.core.deleteNamespacedEvent({
        name,
        namespace,
        body: e.metadata?.uid ? { preconditions: { uid: e.metadata.uid } } : {},
      }),
    );
    return true;
  } catch (err) {
    const status = statusOf(err);
    if (status === 404 || status === 409) return false;
    throw err;
  }
}

/** Deletes every Event of the pod's UID but the diagnosis (the record), all at once; how many. */
export async function sweep(d: StopDeps, spawn: SpawnRef): Promise<number> {
  const keep = diagnosisEventName(spawn);
  const events = (await eventsOfUid(d, spawn)).filter((e) => e.metadata?.name !== keep);
  const done = await Promise.all(events.map((e) => deleteEvent(d, spawn.namespace, e)));
  return done.filter(Boolean).length;
}

/** The last step: what is left of the pod's Events, then the diagnosis and with it the record. */
export async function finish(d: StopDeps, spawn: SpawnRef, diagnosis: CoreV1Event): Promise<number> {
  const n = await sweep(d, spawn);
  return n + ((await deleteEvent(d, spawn.namespace, diagnosis)) ? 1 : 0);
}

/**
 * While a stopped pod is going away: every new Event of its UID is deleted as soon as the event
 * informer delivers it (the kubelet writes `Killing` when the pod is deleted). In memory; after a
 * restart the retired record brings the pod back here (stop.ts).
 */
export class Sweeper {
  private readonly pods = new Map<string, SpawnRef>();

  constructor(private readonly d: StopDeps) {}

  watch(spawn: SpawnRef): void {
    this.pods.set(spawn.uid, spawn);
  }

  unwatch(uid: string): void {
    this.pods.delete(uid);
  }

  /** Called for every Event the informer sees. */
  observe(e: KubeEvent): void {
    const uid = e.involvedObject?.uid;
    const spawn = uid ? this.pods.get(uid) : undefined;
    if (!spawn || e.metadata?.name === diagnosisEventName(spawn)) return;
    const namespace = e.metadata?.namespace ?? spawn.namespace;
    if (namespace !== spawn.namespace) return;
    deleteEvent(this.d, namespace, e as Pick<CoreV1Event, 'metadata'>).catch((err) =>
      this.d.log.warn(
        { uid, event: e.metadata?.name, err: kubeErrorText(err) },
        'could not delete a late event',
      ),
    );
  }
}
