// Policy's contract: a Diagnosis plus what the tracker knows of the spawn → a Decision. Pure data.
import type { Diagnosis } from '../diagnosis/types.js';

/** Milestones of one pod (one UID), as epoch milliseconds. */
export interface SpawnTimeline {
  created?: number;
  scheduled?: number;
  pulling?: number;
  pulled?: number;
  started?: number;
  ready?: number;
  deleted?: number;
}

export const MILESTONES = ['created', 'scheduled', 'pulling', 'pulled', 'started', 'ready'] as const;

export interface PullProgress {
  image?: string;
  /** Bytes, from an earlier `Pulled` event of the same image. */
  imageSize?: number;
  /** Seconds left, from earlier pull durations of the same image; absent when unknown or overdue. */
  etaSeconds?: number;
  /** Seconds the pull has been running. */
  elapsedSeconds?: number;
}

export interface PolicyInput {
  diagnosis: Diagnosis;
  timeline: SpawnTimeline;
  /** When the decisive evidence of this category was first seen for this pod (epoch ms). */
  since: number;
  now: number;
  /** The pod's Ready condition is True: it is never stopped. */
  podReady: boolean;
  /** When a cluster autoscaler reported `TriggeredScaleUp` for this pod (epoch ms), if it did. */
  scaleUpAt?: number;
  /** For `image.pulling`: what earlier pulls of the image in the cluster tell. */
  pull?: PullProgress;
}

export type Decision =
  | {
      kind: 'wait';
      reason: string;
      /** Decide again at this time (epoch ms) even if nothing changes; absent: only on change. */
      recheckAt?: number;
      /** For `image.pulling`: a progress note to show. */
      progress?: PullProgress;
    }
  | { kind: 'notify'; reason: string }
  | { kind: 'stop'; reason: string };
