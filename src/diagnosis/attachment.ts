// Attach evidence from VolumeAttachments (DESIGN section 3, volume.sshfs_attach_failed): the CSI
// external attacher normally acts within seconds, but the attach-detach controller reports a
// stuck attach only after its own 2-minute timeout. An attachment of a watched driver that is
// still not attached after the configured time, or that carries an attachError, is the failed
// attach itself. One that is still within its time is progress: no match here (the service shows
// a note and decides again when the time is up).
import type { Item, Match } from './rule.js';
import { clean } from './rule.js';
import { isSshfs, shortCause } from './rules/volume.js';
import type { AttachmentEvidence, DiagnosisParams, Timestamp } from './types.js';

function ms(t: Timestamp | undefined): number | undefined {
  if (t === undefined) return undefined;
  const v = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isFinite(v) ? v : undefined;
}

function valid(a: unknown): a is AttachmentEvidence {
  const x = a as AttachmentEvidence | undefined;
  return (
    !!x &&
    typeof x === 'object' &&
    typeof x.name === 'string' &&
    typeof x.pv === 'string' &&
    typeof x.driver === 'string' &&
    typeof x.attached === 'boolean' &&
    typeof x.waitedSeconds === 'number' &&
    typeof x.timeoutSeconds === 'number' &&
    x.timeoutSeconds > 0
  );
}

/** Attachments still within their time: not attached, no error, not yet overdue. */
export function pendingAttachments(list: unknown): AttachmentEvidence[] {
  if (!Array.isArray(list)) return [];
  return list.filter(
    (a): a is AttachmentEvidence =>
      valid(a) && !a.attached && !a.attachError && a.waitedSeconds < a.timeoutSeconds,
  );
}

/** Seconds until the first pending attachment becomes overdue; undefined when none is pending. */
export function secondsUntilOverdue(list: unknown): number | undefined {
  let soonest: number | undefined;
  for (const a of pendingAttachments(list)) {
    const left = a.timeoutSeconds - a.waitedSeconds;
    if (soonest === undefined || left < soonest) soonest = left;
  }
  return soonest;
}

const secs = (n: number) => `${Math.round(n)} s`;

function failure(
  a: AttachmentEvidence,
): { reason: string; message: string; cause: string; at: number } | null {
  const observed = ms(a.observedAt) ?? Number.NEGATIVE_INFINITY;
  if (a.attached) return null;
  const where = `VolumeAttachment ${a.name} of volume "${a.pv}" on node ${a.node}`;
  if (a.attachError && typeof a.attachError.message === 'string') {
    const cause = shortCause(a.attachError.message);
    return {
      reason: 'AttachError',
      message: `${where}: the ${a.driver} external attacher reports: ${a.attachError.message}`,
      cause,
      at: ms(a.attachError.at) ?? observed,
    };
  }
  if (a.waitedSeconds < a.timeoutSeconds) return null;
  const who = a.acknowledged
    ? `the ${a.driver} external attacher took it but did not finish`
    : `the ${a.driver} external attacher has not taken it up`;
  return {
    reason: 'AttachTimeout',
    message: `${where}: not attached after ${secs(a.waitedSeconds)}; ${who} (it normally acts within seconds; spawn-doctor waits ${secs(a.timeoutSeconds)})`,
    cause: `not attached within ${secs(a.timeoutSeconds)}: ${who}`,
    // The moment the wait ran out, not the moment we looked.
    at: observed - (a.waitedSeconds - a.timeoutSeconds) * 1000,
  };
}

/** The decisive matches of failed attaches, as evidence items after the others (`seq` onwards). */
export function attachmentMatches(list: unknown, seq: number): Array<{ item: Item; match: Match }> {
  if (!Array.isArray(list)) return [];
  const out: Array<{ item: Item; match: Match }> = [];
  for (const a of list) {
    if (!valid(a)) continue;
    const f = failure(a);
    if (!f) continue;
    const item: Item = {
      kind: 'volume-attachment',
      type: 'Warning',
      reason: f.reason,
      message: f.message,
      at: f.at,
      seq: ++seq,
      ref: a.name,
    };
    const params: DiagnosisParams = clean({
      volume: a.pv,
      pvc: a.pvc,
      csiDriver: a.driver,
      storageServer: a.storageServer,
      node: a.node,
      cause: f.cause,
    });
    const sshfs = isSshfs('', a.driver);
    out.push({
      item,
      match: {
        category: sshfs ? 'volume.sshfs_attach_failed' : 'volume.attach_failed',
        strength: 'decisive',
        topic: 'attach',
        params,
        rule: sshfs ? 'volume.sshfs-attachment' : 'volume.attachment',
      },
    });
  }
  return out;
}
