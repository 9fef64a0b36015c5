// The contract between the service loop (src/kube, src/policy, src/service) and the actions
// (src/actions, using src/hub). Actions are idempotent, retried, and done at most once per pod UID.
import type { DiagnosisAnnotation } from '../diagnosis/annotation.js';
import type { SpawnRef } from '../plugins/types.js';

export type StopOutcome = 'cancelled' | 'pod-deleted' | 'failed';

export interface StopInput {
  spawn: SpawnRef;
  annotation: DiagnosisAnnotation;
  /** One plain English sentence: the Event's `message`. */
  sentence: string;
}

export interface StopResult {
  outcome: StopOutcome;
  /** When the SpawnDiagnosis Event was created (or found, if an earlier run made it). */
  announcedAt?: Date;
  /** When the hub accepted the cancellation or the pod deletion was accepted. */
  endedAt?: Date;
  /** Events of the pod's UID deleted afterwards. */
  eventsDeleted: number;
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
   * The whole stop: SpawnDiagnosis (Warning) Event → wait (bounded) until the hub's progress stream
   * carried it → cancel via the hub (or delete the pod on an old hub / no hub) → once the pod is gone,
   * delete every Event of its UID (if cleanup is enabled). Never throws; failures are in the result.
   */
  stop(input: StopInput): Promise<StopResult>;
  /** True when an earlier run (maybe another replica, before a restart) already stopped this UID. */
  alreadyStopped(spawn: SpawnRef): Promise<boolean>;
  /** Deletes every Event whose involvedObject.uid is the pod's; returns how many. */
  cleanupEvents(spawn: SpawnRef): Promise<number>;
}
