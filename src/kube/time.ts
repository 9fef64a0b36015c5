// Timestamps of Kubernetes objects as epoch milliseconds (strings from JSON, Date from the client).
import type { KubeEvent, Timestamp } from '../diagnosis/types.js';

export function toMs(t: Timestamp | null | undefined): number | undefined {
  if (t === null || t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(String(t));
  return Number.isFinite(ms) ? ms : undefined;
}

/** When the event first happened. */
export function eventFirstMs(e: KubeEvent): number | undefined {
  return (
    toMs(e.firstTimestamp) ??
    toMs(e.eventTime) ??
    toMs(e.metadata?.creationTimestamp) ??
    toMs(e.lastTimestamp)
  );
}

/** When the event last happened (series and counted events repeat). */
export function eventLastMs(e: KubeEvent): number | undefined {
  return toMs(e.series?.lastObservedTime) ?? toMs(e.lastTimestamp) ?? toMs(e.eventTime) ?? eventFirstMs(e);
}
