// Reading the hub's progress stream: which messages carry a spawn-doctor annotation, and what
// they mean for the card. Pure; the element and custom frontends both use it.
import type { DiagnosisAnnotation } from '../../src/diagnosis/annotation.js';
import { validateAnnotation } from './validate.js';

// The same values as src/diagnosis/annotation.ts; importing that module would pull in zod.
export const ANNOTATION_KEY = 'spawn-doctor/diagnosis';
export const DIAGNOSIS_REASON = 'SpawnDiagnosis';
export const PROGRESS_REASON = 'SpawnProgress';
export const COMPONENT = 'spawn-doctor';

/** The parts of a core/v1 Event (as KubeSpawner forwards it in `raw_event`) that we read. */
export interface RawEvent {
  metadata?: {
    name?: string;
    namespace?: string;
    annotations?: Record<string, unknown>;
    creationTimestamp?: string;
  };
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  type?: string;
  message?: string;
  source?: { component?: string };
  reportingComponent?: string;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
}

/** One message of `GET /hub/api/users/{user}/servers/{server}/progress`. */
export interface ProgressMessage {
  progress?: number;
  message?: string;
  html_message?: string;
  ready?: boolean;
  failed?: boolean;
  url?: string;
  raw_event?: unknown;
}

export type Interpreted =
  | { kind: 'diagnosis'; annotation: DiagnosisAnnotation; event: RawEvent }
  | { kind: 'progress'; annotation: DiagnosisAnnotation; event: RawEvent }
  /** A spawn-doctor event whose annotation is missing or broken: shown as the plain message. */
  | { kind: 'invalid'; reason: string; event: RawEvent }
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  /** Any other pod event: only its pod uid matters (a new pod means an old card is stale). */
  | { kind: 'other'; event?: RawEvent };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isSpawnDoctorEvent(e: RawEvent): boolean {
  return (
    (e.reason === DIAGNOSIS_REASON || e.reason === PROGRESS_REASON) &&
    (e.source?.component === COMPONENT || e.reportingComponent === COMPONENT)
  );
}

/** Parses the annotation text; `ok: false` carries a short reason for the console. */
export function parseAnnotation(
  value: unknown,
): { ok: true; annotation: DiagnosisAnnotation } | { ok: false; reason: string } {
  if (typeof value !== 'string') return { ok: false, reason: `annotation ${ANNOTATION_KEY} is missing` };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (err) {
    return { ok: false, reason: `annotation ${ANNOTATION_KEY} is not JSON: ${(err as Error).message}` };
  }
  const result = validateAnnotation(json);
  if (!result.ok)
    return {
      ok: false,
      reason: `annotation ${ANNOTATION_KEY} is invalid at ${result.path}: ${result.message}`,
    };
  return { ok: true, annotation: result.value };
}

/** Classifies one message of the progress stream (already JSON-parsed). */
export function interpret(msg: unknown): Interpreted {
  if (!isObject(msg)) return { kind: 'other' };
  if (msg.ready === true) return { kind: 'ready' };
  if (msg.failed === true)
    return { kind: 'failed', message: typeof msg.message === 'string' ? msg.message : '' };
  const raw = msg.raw_event;
  if (!isObject(raw)) return { kind: 'other' };
  const event = raw as RawEvent;
  if (!isSpawnDoctorEvent(event)) return { kind: 'other', event };
  const annotations = isObject(event.metadata?.annotations) ? event.metadata.annotations : {};
  const parsed = parseAnnotation(annotations[ANNOTATION_KEY]);
  if (!parsed.ok) return { kind: 'invalid', reason: parsed.reason, event };
  return {
    kind: event.reason === DIAGNOSIS_REASON ? 'diagnosis' : 'progress',
    annotation: parsed.annotation,
    event,
  };
}

/** Parses one SSE `data:` payload; anything unparsable is just `other`. */
export function interpretData(data: string): Interpreted {
  try {
    return interpret(JSON.parse(data));
  } catch {
    return { kind: 'other' };
  }
}

/** The pod an event is about, for the support e-mail and stale-card detection. */
export function podOf(e: RawEvent | undefined): { name: string; namespace: string; uid: string } {
  const o = e?.involvedObject ?? {};
  return {
    name: typeof o.name === 'string' ? o.name : '',
    namespace: typeof o.namespace === 'string' ? o.namespace : '',
    uid: typeof o.uid === 'string' ? o.uid : '',
  };
}

/** When the event happened; `fallback` (now) when it carries no valid time. */
export function eventTime(e: RawEvent | undefined, fallback: Date): Date {
  for (const t of [e?.lastTimestamp, e?.eventTime, e?.firstTimestamp, e?.metadata?.creationTimestamp]) {
    if (typeof t === 'string') {
      const d = new Date(t);
      if (!Number.isNaN(d.getTime())) return d;
    }
  }
  return fallback;
}
