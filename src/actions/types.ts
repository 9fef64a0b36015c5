// The contract between the service loop (src/kube, src/policy, src/service) and the actions
// (src/actions, using src/hub). A stop happens at most once per pod UID: the actions own that
// (ledger.ts in this process, the stop record on the diagnosis Event across processes).
import type { DiagnosisAnnotation } from '../diagnosis/annotation.js';
import type { KubeEvent, PodLike } from '../diagnosis/types.js';
import type { SpawnRef } from '../plugins/types.js';
import type { StopPhase } from './record.js';

/**
 * How a stop ended: `cancelled` through the hub; `pod-deleted` (old hub, no hub, hub unreachable);
 * `ended`: the spawn was over before we could cancel it (the user stopped it, it failed, a newer
 * spawn began); `not-ours`: the hub does not know the user or server (a pod of another hub);
 * `failed`: refused by the safety check, or an error.
 */
export type StopOutcome = 'cancelled' | 'pod-deleted' | 'ended' | 'not-ours' | 'failed';

export interface Announcement {
  annotation: DiagnosisAnnotation;
  /** One plain English sentence: the Event's `message`. */
  sentence: string;
}

export interface StopInput {
  spawn: SpawnRef;
  /**
   * Builds the announcement (plugins add advice). Called only when a new stop begins: never for
   * one that is running, done, or recorded in Kubernetes already. Without it, only a recorded stop
   * can be finished.
   */
  announcement?: () => Promise<Announcement>;
}

export interface StopResult {
  outcome: StopOutcome;
  /**
   * `new`: this call did the stop; `resumed`: it finished one recorded in Kubernetes (a restart,
   * another replica); `joined`: it waited for the one running in this process; `repeat`: this
   * process had done it before (the earlier result).
   */
  run: 'new' | 'resumed' | 'joined' | 'repeat';
  /** The phase the stop record had when a resumed stop was picked up. */
  resumedFrom?: StopPhase;
  /** The category of the announced diagnosis (from the Event when resumed). */
  category?: string;
  /** When the SpawnDiagnosis Event was created (or found, if an earlier run made it). */
  announcedAt?: Date;
  /** When the hub accepted the cancellation or the pod deletion was accepted. */
  endedAt?: Date;
  /** Events of the pod's UID deleted afterwards. */
  eventsDeleted: number;
  /** Cleanup is not over (the pod was still there): another call finishes it. */
  unfinished?: boolean;
  /** Human-readable notes for the log, e.g. "hub older than 5.1: waits for start_timeout". */
  notes: string[];
}

/** Called for every action attempt, for metrics and logs. */
export type ActionObserver = (
  action: 'announce' | 'progress' | 'cancel' | 'delete-pod' | 'cleanup-events' | 'await-stream',
  result: 'ok' | 'error' | 'skipped',
  seconds: number,
) => void;

export interface ActionsPort {
  /** A calm SpawnProgress (Normal) Event, e.g. pull progress. Idempotent per UID and content. */
  announceProgress(spawn: SpawnRef, annotation: DiagnosisAnnotation, sentence: string): Promise<void>;
  /**
   * The whole stop (DESIGN section 4): check, announce, wait for the stream, cancel or fall back,
   * clean up; or the rest of one recorded in Kubernetes. Never throws; failures are in the result.
   */
  stop(input: StopInput): Promise<StopResult>;
  /** Every Event the informer sees: late Events of a stopped pod are deleted at once. */
  observeEvent(event: KubeEvent): void;
  /** Every pod change the informer sees: a progress note goes once its pod is ready or going. */
  observePod(pod: PodLike): void;
}
