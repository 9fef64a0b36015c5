// The spawn tracker: one record per pod UID with its latest pod object, its events and its
// timeline. Events are attached by `involvedObject.uid`, so a new pod with the same name never
// inherits the events of the one before it. Pure state; the informers feed it, the service reads it.
import { COMPONENT, DIAGNOSIS_REASON, PROGRESS_REASON } from '../diagnosis/annotation.js';
import type { Evidence, KubeEvent, PodLike } from '../diagnosis/types.js';
import type { SpawnRef } from '../plugins/types.js';
import type { SpawnTimeline } from '../policy/types.js';
import { spawnRefOf } from './ownership.js';
import type { Selector } from './selector.js';
import { eventFirstMs, toMs } from './time.js';

export interface TrackedSpawn {
  readonly ref: SpawnRef;
  pod: PodLike;
  /** This pod's events, keyed by event uid (or namespace/name when an event has none). */
  readonly events: Map<string, KubeEvent>;
  /** Milestones: each set once, at its first occurrence. */
  readonly timeline: SpawnTimeline;
  readonly firstSeen: number;
  /** When a cluster autoscaler reported a scale-up for this pod. */
  scaleUpAt?: number;
}

export interface TrackerOptions {
  selector: Selector;
  /** How long a deleted pod's record is kept (late events, restarts of the decision loop). */
  retentionMs?: number;
  /** Events whose pod is not known yet are held this long, at most `maxOrphans` of them. */
  orphanMs?: number;
  maxOrphans?: number;
}

export function eventKey(e: KubeEvent): string {
  return e.metadata?.uid || `${e.metadata?.namespace ?? ''}/${e.metadata?.name ?? ''}`;
}

/** Our own announcements are output, not evidence. */
export function isOwnEvent(e: KubeEvent): boolean {
  const own = e.source?.component === COMPONENT || e.reportingComponent === COMPONENT;
  return own && (e.reason === DIAGNOSIS_REASON || e.reason === PROGRESS_REASON);
}

function conditionTrue(pod: PodLike, type: string): { at?: number } | undefined {
  const c = pod.status?.conditions?.find((x) => x?.type === type);
  if (c?.status !== 'True') return undefined;
  const at = toMs((c as { lastTransitionTime?: string | Date }).lastTransitionTime);
  return at === undefined ? {} : { at };
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: PodLike | undefined): boolean {
  return !!pod && conditionTrue(pod, 'Ready') !== undefined;
}

function set(t: SpawnTimeline, key: keyof SpawnTimeline, at: number | undefined, now: number): boolean {
  if (t[key] !== undefined) return false;
  t[key] = at ?? now;
  return true;
}

const EVENT_MILESTONES: Record<string, keyof SpawnTimeline> = {
  Scheduled: 'scheduled',
  Pulling: 'pulling',
  Pulled: 'pulled',
  Started: 'started',
};

export class SpawnTracker {
  private readonly spawns = new Map<string, TrackedSpawn>();
  /** Live pod per namespace/name, to place the rare event that carries no uid. */
  private readonly byName = new Map<string, string>();
  private readonly orphans = new Map<string, { event: KubeEvent; at: number }>();
  private readonly retentionMs: number;
  private readonly orphanMs: number;
  private readonly maxOrphans: number;

  constructor(private readonly opts: TrackerOptions) {
    this.retentionMs = opts.retentionMs ?? 15 * 60_000;
    this.orphanMs = opts.orphanMs ?? 5 * 60_000;
    this.maxOrphans = opts.maxOrphans ?? 5000;
  }

  get(uid: string): TrackedSpawn | undefined {
    return this.spawns.get(uid);
  }

  list(): TrackedSpawn[] {
    return [...this.spawns.values()];
  }

  /** A pod was added or changed. Returns the UIDs whose state changed (a replaced pod's included). */
  upsertPod(pod: PodLike, now: number): string[] {
    const ref = spawnRefOf(pod, this.opts.selector);
    if (!ref) return [];
    const changed: string[] = [];
    const nameKey = `${ref.namespace}/${ref.pod}`;
    const previous = this.byName.get(nameKey);
    if (previous && previous !== ref.uid) {
      // Same name, new UID: the old pod is gone even if its delete notification was missed.
      const old = this.spawns.get(previous);
      if (old && set(old.timeline, 'deleted', undefined, now)) changed.push(previous);
    }
    this.byName.set(nameKey, ref.uid);
    let spawn = this.spawns.get(ref.uid);
    if (!spawn) {
      spawn = { ref, pod, events: new Map(), timeline: {}, firstSeen: now };
      this.spawns.set(ref.uid, spawn);
      for (const [key, o] of this.orphans) {
        if (o.event.involvedObject?.uid === ref.uid) {
          this.orphans.delete(key);
          this.attach(spawn, o.event, now);
        }
      }
    }
    spawn.pod = pod;
    this.podMilestones(spawn, now);
    changed.push(ref.uid);
    return changed;
  }

  deletePod(pod: PodLike, now: number): string[] {
    const uid = pod.metadata?.uid;
    const spawn = uid ? this.spawns.get(uid) : undefined;
    if (!spawn) return [];
    spawn.pod = pod;
    set(spawn.timeline, 'deleted', undefined, now);
    const nameKey = `${spawn.ref.namespace}/${spawn.ref.pod}`;
    if (this.byName.get(nameKey) === uid) this.byName.delete(nameKey);
    return [spawn.ref.uid];
  }

  /** An event was added or changed; returns the UID it belongs to, if it is a tracked pod's. */
  upsertEvent(event: KubeEvent, now: number): string | undefined {
    const io = event?.involvedObject;
    if (io?.kind !== 'Pod') return undefined;
    if (io.uid) {
      const spawn = this.spawns.get(io.uid);
      if (spawn) {
        this.attach(spawn, event, now);
        return spawn.ref.uid;
      }
      this.holdOrphan(event, now);
      return undefined;
    }
    // No uid (old or third-party emitters): only the live pod of that name, and only if the event
    // is not older than the pod.
    const uid = this.byName.get(`${io.namespace ?? event.metadata?.namespace}/${io.name}`);
    const spawn = uid ? this.spawns.get(uid) : undefined;
    if (!spawn) return undefined;
    const created = toMs(spawn.pod.metadata?.creationTimestamp);
    const at = eventFirstMs(event);
    if (created !== undefined && at !== undefined && at < created - 1000) return undefined;
    this.attach(spawn, event, now);
    return spawn.ref.uid;
  }

  deleteEvent(event: KubeEvent): string | undefined {
    const key = eventKey(event);
    this.orphans.delete(key);
    for (const spawn of this.candidates(event)) {
      if (spawn.events.delete(key)) return spawn.ref.uid;
    }
    return undefined;
  }

  /** What the classifier sees: the pod and its events, oldest first, without our own notes. */
  evidence(uid: string): Evidence | undefined {
    const spawn = this.spawns.get(uid);
    if (!spawn) return undefined;
    const events = [...spawn.events.values()]
      .filter((e) => !isOwnEvent(e))
      .sort((a, b) => (eventFirstMs(a) ?? 0) - (eventFirstMs(b) ?? 0));
    return { pod: spawn.pod, events };
  }

  /** Forgets deleted pods after the retention and stale orphan events. Returns the UIDs forgotten. */
  gc(now: number): string[] {
    const gone: string[] = [];
    for (const [uid, s] of this.spawns) {
      if (s.timeline.deleted !== undefined && now - s.timeline.deleted > this.retentionMs) {
        this.spawns.delete(uid);
        gone.push(uid);
      }
    }
    for (const [key, o] of this.orphans) if (now - o.at > this.orphanMs) this.orphans.delete(key);
    return gone;
  }

  get orphanCount(): number {
    return this.orphans.size;
  }

  private candidates(event: KubeEvent): TrackedSpawn[] {
    const uid = event.involvedObject?.uid;
    if (uid) {
      const s = this.spawns.get(uid);
      return s ? [s] : [];
    }
    return this.list();
  }

  private holdOrphan(event: KubeEvent, now: number): void {
    if (this.orphans.size >= this.maxOrphans) this.orphans.delete(this.orphans.keys().next().value!);
    this.orphans.set(eventKey(event), { event, at: now });
  }

  private attach(spawn: TrackedSpawn, event: KubeEvent, now: number): void {
    spawn.events.set(eventKey(event), event);
    const milestone = event.reason ? EVENT_MILESTONES[event.reason] : undefined;
    if (milestone) set(spawn.timeline, milestone, eventFirstMs(event), now);
    if (event.reason === 'TriggeredScaleUp' && spawn.scaleUpAt === undefined) {
      spawn.scaleUpAt = eventFirstMs(event) ?? now;
    }
  }

  private podMilestones(spawn: TrackedSpawn, now: number): void {
    const pod = spawn.pod;
    const t = spawn.timeline;
    set(t, 'created', toMs(pod.metadata?.creationTimestamp), now);
    const scheduled = conditionTrue(pod, 'PodScheduled');
    if (scheduled || pod.spec?.nodeName) set(t, 'scheduled', scheduled?.at, now);
    const running = pod.status?.containerStatuses?.find((c) => c?.state?.running);
    if (running) set(t, 'started', toMs(running.state?.running?.startedAt), now);
    const ready = conditionTrue(pod, 'Ready');
    if (ready) set(t, 'ready', ready.at, now);
    if (pod.metadata?.deletionTimestamp) set(t, 'deleted', toMs(pod.metadata.deletionTimestamp), now);
  }
}
