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

function eventName(pod: string, kind: 'diagnosis' | 'diagnosis-again' | 'progress', uid: string): string {
  // Deterministic per pod UID: a second create (another replica, a restart) gets 409, not a duplicate.
  const suffix = `.spawn-doctor-${kind}.${uid.toLowerCase()}`;
  const head = pod.slice(0, 253 - suffix.length).replace(/[.-]+$/, '');
  return `${head}${suffix}`;
}

export const diagnosisEventName = (spawn: SpawnRef) => eventName(spawn.pod, 'diagnosis', spawn.uid);
/** The second announcement, made only when our stream did not carry the first (see announce.ts). */
export const againEventName = (spawn: SpawnRef) => eventName(spawn.pod, 'diagnosis-again', spawn.uid);
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
  /** The `lastTimestamp` KubeSpawner sorts by (default: now); see sortStamp. */
  stamp?: Date;
  /** More annotations (the stop record). */
  annotations?: Record<string, string>;
}

/** How far ahead of the newest Event of the pod a diagnosis is stamped. */
export const STAMP_LEAD_MS = 2000;

/**
 * The `lastTimestamp` of a diagnosis. KubeSpawner's `progress()` walks the pod's Events sorted by
 * `lastTimestamp or eventTime` by index, once a second: an Event that sorts before the last one
 * already walked is never shown. So the diagnosis must sort last when it is inserted, and keep
 * doing so for at least one walk of every open stream: the newest time among the pod's Events (or
 * now, if later), cut to whole seconds as lastTimestamp is, plus two seconds (a kubelet Event
 * updated within that time cannot overtake it). Not more: it is not meant to sort after Events
 * of the next spawn (it is gone by then anyway, see cleanup.ts).
 */
export function sortStamp(now: Date, newestMs: number | undefined): Date {
  const base = Math.max(now.getTime(), newestMs ?? 0);
  return new Date(Math.floor(base / 1000) * 1000 + STAMP_LEAD_MS);
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
      annotations: { ...i.annotations, [ANNOTATION_KEY]: i.annotationJson },
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
    lastTimestamp: i.stamp ?? i.now,
    eventTime: new V1MicroTime(i.now.getTime()),
    count: 1,
  };
}

/** The Warning Event that announces a stop (it also carries the stop record). */
export function diagnosisEvent(i: EventInput): CoreV1Event {
  return baseEvent(i, diagnosisEventName(i.spawn), 'Warning', DIAGNOSIS_REASON, 'Stop');
}

/** The same announcement once more, under another name, so that it is appended (see announce.ts). */
export function againEvent(i: EventInput): CoreV1Event {
  return baseEvent(i, againEventName(i.spawn), 'Warning', DIAGNOSIS_REASON, 'Stop');
}

/**
 * What a retired diagnosis names instead of the pod: KubeSpawner shows a pod's Events by
 * `involvedObject.name` only, so a retired one is no longer shown on any page (a `/` cannot be in
 * any object's name, so this names no other pod), while its UID still ties it to the pod.
 */
export function retiredName(pod: string): string {
  return `${pod}/stopped-by-spawn-doctor`;
}

/** JSON Patch path of an annotation key. */
export function annotationPath(key: string): string {
  return `/metadata/annotations/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
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
      path: annotationPath(ANNOTATION_KEY),
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
