// Pure builders for the Events spawn-doctor writes (DESIGN section 4) and the checks that tell
// ours from anyone else's. No I/O here.
import type { CoreV1Event } from '@kubernetes/client-node';
import { V1MicroTime } from '@kubernetes/client-node';
import {
  ANNOTATION_KEY,
  COMPONENT,
  DIAGNOSIS_REASON,
  type DiagnosisAnnotation,
  diagnosisAnnotationSchema,
  PROGRESS_REASON,
} from '../diagnosis/annotation.js';
import type { KubeEvent } from '../diagnosis/types.js';
import type { SpawnRef } from '../plugins/types.js';

/** Kubernetes keeps Event messages short (the kubelet cuts at 1024); so do we. */
export const MAX_MESSAGE = 1024;

function eventName(pod: string, kind: 'diagnosis' | 'progress', uid: string): string {
  // Deterministic per pod UID: a second create (another replica, a restart) gets 409, not a duplicate.
  const suffix = `.spawn-doctor-${kind}.${uid.toLowerCase()}`;
  const head = pod.slice(0, 253 - suffix.length).replace(/[.-]+$/, '');
  return `${head}${suffix}`;
}

export const diagnosisEventName = (spawn: SpawnRef) => eventName(spawn.pod, 'diagnosis', spawn.uid);
export const progressEventName = (spawn: SpawnRef) => eventName(spawn.pod, 'progress', spawn.uid);

export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export type ValidAnnotation = { ok: true; json: string; annotation: DiagnosisAnnotation; note?: string };

/**
 * Validates the annotation against the wire schema. If it is invalid only because of its advice
 * (plugins add advice), the advice is dropped rather than the announcement; otherwise an error.
 */
export function validAnnotation(input: DiagnosisAnnotation): ValidAnnotation | { ok: false; error: string } {
  const full = diagnosisAnnotationSchema.safeParse(input);
  if (full.success) return { ok: true, json: JSON.stringify(full.data), annotation: full.data };
  const issues = full.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  const bare = diagnosisAnnotationSchema.safeParse({ ...input, advice: [] });
  if (bare.success) {
    return {
      ok: true,
      json: JSON.stringify(bare.data),
      annotation: bare.data,
      note: `advice dropped: ${issues}`,
    };
  }
  return { ok: false, error: `invalid diagnosis annotation: ${issues}` };
}

export interface EventInput {
  spawn: SpawnRef;
  annotationJson: string;
  sentence: string;
  now: Date;
  /** reportingInstance: the replica (hostname). */
  instance: string;
}

function baseEvent(
  i: EventInput,
  name: string,
  type: 'Warning' | 'Normal',
  reason: string,
  action: string,
): CoreV1Event {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name,
      namespace: i.spawn.namespace,
      annotations: { [ANNOTATION_KEY]: i.annotationJson },
      labels: { 'app.kubernetes.io/managed-by': COMPONENT },
    },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: i.spawn.pod,
      namespace: i.spawn.namespace,
      uid: i.spawn.uid,
    },
    type,
    reason,
    action,
    message: clip(i.sentence, MAX_MESSAGE),
    source: { component: COMPONENT },
    reportingComponent: COMPONENT,
    reportingInstance: clip(i.instance || COMPONENT, 128),
    // KubeSpawner sorts events by lastTimestamp (or eventTime) and prints lastTimestamp: both must be set.
    firstTimestamp: i.now,
    // KubeSpawner's progress() walks its time-sorted event list by index: an event that sorts
    // before already-shown ones (kubelet events keep getting newer lastTimestamps during a crash
    // loop) is never shown. A SpawnDiagnosis therefore sorts last for the next minute.
    lastTimestamp: reason === DIAGNOSIS_REASON ? new Date(i.now.getTime() + 60_000) : i.now,
    eventTime: new V1MicroTime(i.now.getTime()),
    count: 1,
  };
}

/** The Warning Event that announces a stop. */
export function diagnosisEvent(i: EventInput): CoreV1Event {
  return baseEvent(i, diagnosisEventName(i.spawn), 'Warning', DIAGNOSIS_REASON, 'Stop');
}

/** The Normal Event for progress notes (one per pod UID, updated in place). */
export function progressEvent(i: EventInput): CoreV1Event {
  return baseEvent(i, progressEventName(i.spawn), 'Normal', PROGRESS_REASON, 'Wait');
}

/** JSON Patch that updates a progress Event in place instead of piling up new ones. */
export function progressPatch(i: Omit<EventInput, 'instance'>, previousCount: number | undefined) {
  return [
    { op: 'add', path: '/message', value: clip(i.sentence, MAX_MESSAGE) },
    {
      op: 'add',
      path: `/metadata/annotations/${ANNOTATION_KEY.replace('~', '~0').replace('/', '~1')}`,
      value: i.annotationJson,
    },
    { op: 'add', path: '/count', value: (previousCount ?? 1) + 1 },
    { op: 'add', path: '/lastTimestamp', value: i.now.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  ];
}

function fromUs(e: KubeEvent | CoreV1Event): boolean {
  return e.reportingComponent === COMPONENT || e.source?.component === COMPONENT;
}

/** Our SpawnDiagnosis Event for this pod UID: the durable "already stopped" marker. */
export function isOwnDiagnosis(e: KubeEvent | CoreV1Event, uid: string): boolean {
  return e.reason === DIAGNOSIS_REASON && e.involvedObject?.uid === uid && fromUs(e);
}

/** Any Event spawn-doctor wrote (diagnosis or progress); the classifier must not take them as evidence. */
export function isOwnEvent(e: KubeEvent | CoreV1Event): boolean {
  return (e.reason === DIAGNOSIS_REASON || e.reason === PROGRESS_REASON) && fromUs(e);
}
