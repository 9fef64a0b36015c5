// Cancelling a pending spawn: what the request must carry and how each answer is read. Pure.
//
// JupyterHub's DELETE /users/{u}/servers/{s} has no precondition: it stops whatever is pending at
// the moment it is handled. So a cancel names the spawn it is for (the pod's UID and the hub's
// `started` of that spawn) and carries the check that proves, right before every attempt, that the
// pending spawn is still that one (HubClient.cancelPendingSpawn is the only sender of the DELETE).
// An ambiguous answer (5xx, timeout, reset) is never repeated blindly: the check runs again first,
// and if the spawn is no longer pending the first DELETE did its job (JupyterHub >= 5.1 answers
// 500 "pending spawn" when a new spawn began during the second it waits after cancelling).

/** What the check found, as the hub client needs it. */
export type Recheck =
  | { same: true; uid: string; started: string | undefined }
  | { same: false; kind: 'ended' | 'other' | 'not-ours' | 'refused' | 'unknown'; why: string };

export interface CancelRequest {
  readonly user: string;
  /** '' for the default server. */
  readonly server: string;
  /** The pod the spawn belongs to. */
  readonly podUid: string;
  /** The hub's `started` of that spawn (the first check that proved it pending read it). */
  readonly started: string;
  /** Re-reads the pod, the hub's server model and the progress stream; runs before every attempt. */
  readonly recheck: () => Promise<Recheck>;
}

/** One answer to one DELETE. */
export type DeleteAnswer =
  | { kind: 'http'; status: number; message: string }
  | { kind: 'network'; message: string };

export type AnswerKind =
  | 'accepted'
  /** JupyterHub < 5.1 cannot cancel a pending spawn (400 "… is pending spawn, please wait"). */
  | 'pending-refused'
  | 'not-found'
  | 'unauthorized'
  /** Any other answer the hub gave on purpose (other 4xx). */
  | 'refused'
  /** 5xx, 429, timeout, reset: the hub may or may not have acted. */
  | 'ambiguous';

export function answerKind(a: DeleteAnswer): AnswerKind {
  if (a.kind === 'network') return 'ambiguous';
  const s = a.status;
  if (s === 202 || s === 204 || s === 200) return 'accepted';
  if (s === 400 && /\bis pending\b/i.test(a.message)) return 'pending-refused';
  if (s === 404) return 'not-found';
  if (s === 401 || s === 403) return 'unauthorized';
  if (s === 429 || s >= 500) return 'ambiguous';
  return 'refused';
}

export type CancelOutcome =
  | { kind: 'accepted'; status: number; attempts: number }
  /**
   * The check refused before an attempt. `afterAttempts` > 0: an earlier DELETE got an ambiguous
   * answer and the spawn is no longer pending (most likely that DELETE ended it).
   */
  | { kind: 'not-sent'; check: Exclude<Recheck, { same: true }>; afterAttempts: number; lastAnswer?: string }
  | {
      kind: 'pending-refused' | 'not-found' | 'unauthorized' | 'refused';
      status: number;
      message: string;
      attempts: number;
    }
  /** Every attempt was ambiguous while the check kept proving the same spawn pending. */
  | { kind: 'ambiguous'; attempts: number; lastAnswer: string }
  /** The check could not tell (the hub does not answer) for the whole budget: nothing was sent. */
  | { kind: 'unproven'; why: string; afterAttempts: number; lastAnswer?: string };

export function describeAnswer(a: DeleteAnswer): string {
  return a.kind === 'http' ? `HTTP ${a.status}${a.message ? `: ${a.message}` : ''}` : a.message;
}

/** A proof for another pod or spawn than the request's is a refusal (a bug in the caller's check). */
export function proofFits(req: Pick<CancelRequest, 'podUid' | 'started'>, r: Recheck): Recheck {
  if (!r.same) return r;
  if (r.uid !== req.podUid)
    return { same: false, kind: 'other', why: `the check proved pod ${r.uid}, not ${req.podUid}` };
  if (r.started !== req.started) {
    return {
      same: false,
      kind: 'other',
      why: `the check proved the spawn started ${r.started}, not ${req.started}`,
    };
  }
  return r;
}
