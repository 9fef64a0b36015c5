// The hub's progress events (GET /hub/api/users/{u}/servers/{s}/progress, an event stream).
// JupyterHub sends JSON objects: `{progress, message, html_message?}` while pending, KubeSpawner
// adds `raw_event` (the whole Kubernetes Event), and the last one carries `ready: true` (with
// `url`) or `failed: true`. Anything else is tolerated: bad JSON or odd shapes are dropped, never
// thrown. `html_message` is deliberately not kept: nothing from the hub is rendered as HTML.
import type { KubeEvent } from '../diagnosis/types.js';

export interface ProgressEvent {
  /** 0..100 when the hub sent a number. */
  progress?: number;
  message?: string;
  /** The Kubernetes Event KubeSpawner forwarded, if any. */
  raw_event?: KubeEvent;
  failed?: boolean;
  ready?: boolean;
  url?: string;
}

export type ParsedProgress = { ok: true; event: ProgressEvent } | { ok: false; error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one `data:` payload of the progress stream. */
export function parseProgressData(data: string): ParsedProgress {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  if (!isRecord(value)) return { ok: false, error: 'not a JSON object' };
  const event: ProgressEvent = {};
  if (typeof value.progress === 'number' && Number.isFinite(value.progress)) {
    event.progress = Math.min(100, Math.max(0, value.progress));
  }
  if (typeof value.message === 'string') event.message = value.message;
  if (isRecord(value.raw_event)) event.raw_event = value.raw_event as KubeEvent;
  if (value.failed === true) event.failed = true;
  if (value.ready === true) event.ready = true;
  if (typeof value.url === 'string') event.url = value.url;
  return { ok: true, event };
}

/** True when the progress event forwards the given Kubernetes Event (matched by uid, or by name). */
export function carriesEvent(event: ProgressEvent, target: { uid?: string; name?: string }): boolean {
  const md = event.raw_event?.metadata;
  if (!md) return false;
  if (target.uid && md.uid === target.uid) return true;
  return !!target.name && md.name === target.name;
}
