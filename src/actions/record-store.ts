// The stop record on the diagnosis Event (record.ts): read it, and move it one step with a JSON
// Patch that first tests the value it read, so that two replicas (a leader that lost its lease
// without noticing yet, and the new one) can never both take the same step.
import type { CoreV1Event } from '@kubernetes/client-node';
import type { SpawnRef } from '../plugins/types.js';
import type { StopDeps } from './context.js';
import { annotationPath, diagnosisEventName, isOwnDiagnosis, retiredName } from './events.js';
import { statusOf } from './kube-errors.js';
import { parseRecord, renderRecord, STOP_ANNOTATION, type StopRecord } from './record.js';

export interface Recorded {
  event: CoreV1Event;
  record: StopRecord;
  /** The annotation exactly as stored (what the next write tests for). */
  raw: string;
}

/** The diagnosis Event of this pod UID and its record; undefined when there is none. */
export async function readRecorded(d: StopDeps, spawn: SpawnRef): Promise<Recorded | undefined> {
  let event: CoreV1Event;
  try {
    event = await d.kube('read diagnosis event', () =>
      d.core.readNamespacedEvent({ name: diagnosisEventName(spawn), namespace: spawn.namespace }),
    );
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
  if (!isOwnDiagnosis(event, spawn.uid)) {
    throw new Error(
      `event ${spawn.namespace}/${event.metadata?.name} exists and is not our diagnosis of ${spawn.uid}`,
    );
  }
  return recordedOf(event, spawn);
}

/** The record of a diagnosis Event we just created or read. */
export function recordedOf(event: CoreV1Event, spawn: SpawnRef): Recorded {
  const raw = event.metadata?.annotations?.[STOP_ANNOTATION];
  const record = parseRecord(raw, spawn.uid);
  if ('error' in record) throw new Error(`event ${spawn.namespace}/${event.metadata?.name}: ${record.error}`);
  return { event, record, raw: raw as string };
}

/**
 * Writes `to` over the record read before. Resolves to the new state, or to 'conflict' when the
 * record is no longer what was read (another replica moved it, or the Event is gone).
 */
export async function writeRecord(
  d: StopDeps,
  spawn: SpawnRef,
  from: Recorded,
  to: StopRecord,
  opts: { retire?: boolean } = {},
): Promise<Recorded | 'conflict'> {
  const path = annotationPath(STOP_ANNOTATION);
  const raw = renderRecord(to);
  const body: object[] = [
    { op: 'test', path, value: from.raw },
    { op: 'replace', path, value: raw },
  ];
  if (opts.retire) body.push({ op: 'replace', path: '/involvedObject/name', value: retiredName(spawn.pod) });
  try {
    const event = await d.kube('write stop record', () =>
      d.core.patchNamespacedEvent({ name: diagnosisEventName(spawn), namespace: spawn.namespace, body }),
    );
    return { event, record: to, raw };
  } catch (err) {
    // 422: the test op failed (the record moved); 404: the Event is gone (the stop is over).
    const status = statusOf(err);
    if (status === 422 || status === 404) return 'conflict';
    throw err;
  }
}
