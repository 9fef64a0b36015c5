// Announce: the SpawnDiagnosis Event on the pod (with the stop record), stamped to sort last; then
// wait until our progress stream carried it, and if KubeSpawner's index walk skipped it, announce
// it once more under another name so that it is appended (events.ts, sortStamp).
import type { CoreV1Event } from '@kubernetes/client-node';
import { sleep } from '../hub/retry.js';
import { toMs } from '../kube/time.js';
import type { SpawnRef } from '../plugins/types.js';
import type { HubSide } from './check.js';
import { type StopDeps, timed } from './context.js';
import { againEvent, diagnosisEvent, isOwnDiagnosis, sortStamp } from './events.js';
import { statusOf } from './kube-errors.js';
import { newRecord, renderRecord, STOP_ANNOTATION } from './record.js';
import { type Recorded, recordedOf } from './record-store.js';

/** A validated announcement: the annotation JSON and the Event's one-line message. */
export interface Wording {
  json: string;
  sentence: string;
}

/** The newest `lastTimestamp or eventTime` among the Events that name the pod (any UID). */
async function newestEventMs(d: StopDeps, spawn: SpawnRef): Promise<number | undefined> {
  const list = await d.kube('list events of the pod name', () =>
    d.core.listNamespacedEvent({
      namespace: spawn.namespace,
      fieldSelector: `involvedObject.name=${spawn.pod}`,
    }),
  );
  let newest: number | undefined;
  for (const e of list.items) {
    const t = toMs(e.lastTimestamp ?? e.eventTime);
    if (t !== undefined && (newest === undefined || t > newest)) newest = t;
  }
  return newest;
}

/** Our diagnosis Event stamped to sort last now (sortStamp), created, or found when it exists already. */
async function createOrFind(
  d: StopDeps,
  spawn: SpawnRef,
  wording: Wording,
  make: typeof diagnosisEvent,
  annotations?: Record<string, string>,
): Promise<{ event: CoreV1Event; created: boolean }> {
  const now = d.now();
  const body = make({
    spawn,
    annotationJson: wording.json,
    sentence: wording.sentence,
    now,
    instance: d.instance,
    stamp: sortStamp(now, await newestEventMs(d, spawn)),
    ...(annotations ? { annotations } : {}),
  });
  const name = body.metadata?.name ?? '';
  try {
    const event = await d.kube('create diagnosis event', () =>
      d.core.createNamespacedEvent({ namespace: spawn.namespace, body }),
    );
    return { event, created: true };
  } catch (err) {
    if (statusOf(err) !== 409) throw err;
    const event = await d.kube('read diagnosis event', () =>
      d.core.readNamespacedEvent({ name, namespace: spawn.namespace }),
    );
    if (!isOwnDiagnosis(event, spawn.uid))
      throw new Error(`event ${spawn.namespace}/${name} exists and is not ours`);
    return { event, created: false };
  }
}

/** Creates the diagnosis Event with its stop record, or finds the one an earlier attempt (or replica) made. */
export async function announce(
  d: StopDeps,
  spawn: SpawnRef,
  wording: Wording,
  started: string | undefined,
): Promise<{ recorded: Recorded; created: boolean }> {
  return timed(d, 'announce', async () => {
    const record = renderRecord(newRecord(spawn, d.instance, d.now(), started));
    const { event, created } = await createOrFind(d, spawn, wording, diagnosisEvent, {
      [STOP_ANNOTATION]: record,
    });
    return { recorded: recordedOf(event, spawn), created };
  });
}

export type Delivery = 'carried' | 'carried-again' | 'not-carried' | 'stream-ended' | 'no-stream';

/**
 * Waits until our stream carried the diagnosis (bounded); announces it once more if it did not,
 * then gives every other open stream one more poll. Without a stream, only that last wait.
 */
export async function deliver(
  d: StopDeps,
  spawn: SpawnRef,
  side: HubSide,
  recorded: Recorded,
  wording: Wording | undefined,
): Promise<Delivery> {
  const t0 = performance.now();
  const w = side.witness;
  // The stream's state changes while we wait: read it through a function (no stale narrowing).
  const state = () => w?.state.kind;
  const first = recorded.event.metadata;
  if (w?.state.kind !== 'live') {
    d.observe('await-stream', side.hub ? 'error' : 'skipped', 0);
    if (!w || w.state.kind === 'lost') await sleep(d.timing.afterCarriedMs);
    return w?.state.kind === 'ended' ? 'stream-ended' : 'no-stream';
  }
  const target = { ...(first?.uid ? { uid: first.uid } : {}), ...(first?.name ? { name: first.name } : {}) };
  let result: Delivery = 'not-carried';
  if (await w.until(() => w.carried(target), d.timing.streamWaitMs)) result = 'carried';
  else if (state() === 'live' && wording) {
    // Skipped by the index walk (an Event that sorted after it came in): append it once more.
    const again = await announceAgain(d, spawn, wording);
    const t = {
      ...(again.metadata?.uid ? { uid: again.metadata.uid } : {}),
      name: again.metadata?.name ?? '',
    };
    if (await w.until(() => w.carried(t), d.timing.streamWaitMs)) result = 'carried-again';
  }
  if (state() === 'ended' && result === 'not-carried') result = 'stream-ended';
  d.observe('await-stream', result.startsWith('carried') ? 'ok' : 'error', (performance.now() - t0) / 1000);
  if (result.startsWith('carried') && state() === 'live') await sleep(d.timing.afterCarriedMs);
  return result;
}

async function announceAgain(d: StopDeps, spawn: SpawnRef, wording: Wording): Promise<CoreV1Event> {
  return (await createOrFind(d, spawn, wording, againEvent)).event;
}
