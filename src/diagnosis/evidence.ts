// Turns raw evidence (events in any order, the pod's status) into normalised items, and collects
// the successes that supersede earlier trouble (a Pulled after a failed pull, a Scheduled after a
// FailedScheduling, a running container after CreateContainerConfigError).

import { COMPONENT, DIAGNOSIS_REASON, PROGRESS_REASON } from './annotation.js';
import { inferType, normalizeMessage, normalizeReason } from './normalize.js';
import type { Item, Topic } from './rule.js';
import type { ContainerStatusLike, KubeEvent, PodLike, Timestamp } from './types.js';

/** Pod status describes "now": later than any event. */
export const STATUS_TIME = Number.MAX_SAFE_INTEGER;

export interface Resolution {
  kind: Item['kind'];
  at: number;
  seq: number;
  clears: readonly Topic[];
  container?: string;
  image?: string;
}

const AFTER_CREATE: readonly Topic[] = ['image', 'container', 'mount', 'attach', 'sandbox'];

/** Normal events that prove an earlier obstacle is gone. */
const RESOLVING_REASONS: Readonly<Record<string, readonly Topic[]>> = {
  Pulled: ['image'],
  Scheduled: ['scheduling'],
  SuccessfulAttachVolume: ['attach'],
  SuccessfulMountVolume: ['mount'],
  Created: AFTER_CREATE,
  Started: AFTER_CREATE,
};

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function time(v: Timestamp | null | undefined): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
  }
  return Number.NEGATIVE_INFINITY;
}

/** The newest moment an event was observed (series and re-counted events update lastTimestamp). */
export function eventTime(e: KubeEvent): number {
  return Math.max(
    time(e.lastTimestamp),
    time(e.series?.lastObservedTime),
    time(e.eventTime),
    time(e.firstTimestamp),
    time(e.metadata?.creationTimestamp),
  );
}

/** Our own announcements are output, never evidence. */
export function isOwnEvent(e: KubeEvent): boolean {
  return (
    e.source?.component === COMPONENT ||
    e.reportingComponent === COMPONENT ||
    e.reason === DIAGNOSIS_REASON ||
    e.reason === PROGRESS_REASON
  );
}

const FIELD_PATH = /^spec\.(?:initContainers|containers|ephemeralContainers)\{([^}]+)\}/;
const QUOTED_IMAGE = /image "([^"]+)"/;

export interface Collected {
  items: Item[];
  resolutions: Resolution[];
  podReady: boolean;
  deleting: boolean;
}

export function collect(events: unknown, pod: PodLike | undefined): Collected {
  const items: Item[] = [];
  const resolutions: Resolution[] = [];
  let seq = 0;
  const list = Array.isArray(events) ? events : [];
  for (const raw of list) {
    seq++;
    if (!raw || typeof raw !== 'object') continue;
    const e = raw as KubeEvent;
    if (isOwnEvent(e)) continue;
    const norm = normalizeMessage(e.message);
    const container = FIELD_PATH.exec(str(e.involvedObject?.fieldPath))?.[1];
    // An envelope's inner reason is the real one; a pasted row's only fills in a missing reason.
    const reason = norm.innerReason ?? (normalizeReason(str(e.reason)) || norm.reason || '');
    const item: Item = {
      kind: 'event',
      type: str(e.type) || norm.type || inferType(reason, norm.text),
      reason,
      message: norm.text,
      at: eventTime(e),
      seq,
    };
    if (norm.rpcCode) item.rpcCode = norm.rpcCode;
    if (container) item.container = container;
    const name = str(e.metadata?.name);
    if (name) item.ref = name;
    items.push(item);
    const clears = RESOLVING_REASONS[item.reason];
    if (clears && item.type !== 'Warning') {
      const r: Resolution = { kind: 'event', at: item.at, seq, clears };
      if (container) r.container = container;
      const image = QUOTED_IMAGE.exec(norm.text)?.[1];
      if (image) r.image = image;
      resolutions.push(r);
    }
  }
  const status = pod && typeof pod === 'object' ? pod.status : undefined;
  let podReady = false;
  if (status && typeof status === 'object') {
    const add = (reason: string, message: unknown, ref: string, extra: Partial<Item> = {}) => {
      seq++;
      const norm = normalizeMessage(message);
      const item: Item = {
        kind: 'pod-status',
        type: 'Warning',
        reason,
        message: norm.text,
        at: STATUS_TIME,
        seq,
        ref,
        ...extra,
      };
      if (norm.rpcCode) item.rpcCode = norm.rpcCode;
      items.push(item);
    };
    const containers = [
      ...statuses(status.initContainerStatuses).map((c) => ({ c, path: 'initContainerStatuses' })),
      ...statuses(status.containerStatuses).map((c) => ({ c, path: 'containerStatuses' })),
    ];
    for (const { c, path } of containers) {
      const name = str(c.name) || undefined;
      const at = `status.${path}[${name ?? '?'}]`;
      const extra: Partial<Item> = name ? { container: name } : {};
      const lastExit = c.lastState?.terminated?.exitCode;
      const waiting = c.state?.waiting;
      if (waiting && typeof waiting === 'object') {
        const reason = str(waiting.reason);
        if (reason && reason !== 'ContainerCreating' && reason !== 'PodInitializing') {
          add(
            reason,
            waiting.message ?? '',
            `${at}.state.waiting`,
            typeof lastExit === 'number' ? { ...extra, exitCode: lastExit } : extra,
          );
        }
      }
      const terminated = c.state?.terminated;
      if (terminated && typeof terminated === 'object') {
        const reason = str(terminated.reason);
        const exit = typeof terminated.exitCode === 'number' ? terminated.exitCode : undefined;
        const failed =
          reason === 'OOMKilled' ||
          (exit !== undefined && exit !== 0) ||
          reason === 'StartError' ||
          reason === 'ContainerCannotRun';
        if (failed)
          add(
            reason || 'Error',
            terminated.message ?? '',
            `${at}.state.terminated`,
            exit === undefined ? extra : { ...extra, exitCode: exit },
          );
      }
      const last = c.lastState?.terminated;
      // The last run's end names the cause behind a later back-off: killed for memory, or the
      // process could not even be started (containerd's StartError, Docker's ContainerCannotRun).
      const lastReason = last && typeof last === 'object' ? str(last.reason) : '';
      if (last && ['OOMKilled', 'StartError', 'ContainerCannotRun'].includes(lastReason)) {
        add(
          lastReason,
          last.message ?? '',
          `${at}.lastState.terminated`,
          typeof lastExit === 'number' ? { ...extra, exitCode: lastExit } : extra,
        );
      }
      // A container that ran (or runs) proves its image, mounts and sandbox were fine.
      if (c.state?.running || terminated || c.lastState?.terminated || c.lastState?.running) {
        const r: Resolution = { kind: 'pod-status', at: STATUS_TIME, seq: ++seq, clears: AFTER_CREATE };
        if (name) r.container = name;
        resolutions.push(r);
      }
    }
    const conditions = Array.isArray(status.conditions) ? status.conditions : [];
    for (const cond of conditions) {
      if (!cond || typeof cond !== 'object') continue;
      if (cond.type === 'PodScheduled' && cond.status === 'False' && str(cond.message)) {
        add('FailedScheduling', cond.message, 'status.conditions[PodScheduled]');
      }
      if (cond.type === 'PodScheduled' && cond.status === 'True') {
        resolutions.push({ kind: 'pod-status', at: STATUS_TIME, seq: ++seq, clears: ['scheduling'] });
      }
      if (cond.type === 'Ready' && cond.status === 'True') podReady = true;
    }
    const podReason = str(status.reason);
    if (podReason) add(podReason, status.message ?? '', 'status.reason');
  }
  if (str(pod?.spec?.nodeName))
    resolutions.push({ kind: 'pod-status', at: STATUS_TIME, seq: ++seq, clears: ['scheduling'] });
  const deleting = Boolean(pod?.metadata?.deletionTimestamp);
  return { items, resolutions, podReady, deleting };
}

function statuses(v: unknown): ContainerStatusLike[] {
  return Array.isArray(v)
    ? v.filter((c): c is ContainerStatusLike => Boolean(c) && typeof c === 'object')
    : [];
}
