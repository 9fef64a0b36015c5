// The decision loop: tracker changes → classify → (capacity re-classify) → policy → plugins →
// actions. Each pod UID is evaluated serially (a debounce coalesces bursts of events). That a stop
// happens at most once per UID is the actions' business (src/actions/ledger.ts and the stop record
// in Kubernetes); a stop recorded there is finished here whatever the pod's evidence says now.
import type { Logger } from 'pino';
import { isOwnDiagnosis } from '../actions/events.js';
import { recordedSpawn } from '../actions/record.js';
import type { ActionsPort, StopResult } from '../actions/types.js';
import type { CapacityProvider } from '../advice/capacity/types.js';
import type { Config } from '../config/schema.js';
import { pendingAttachments, secondsUntilOverdue } from '../diagnosis/attachment.js';
import { categoryEntry } from '../diagnosis/catalogue.js';
import { classify as defaultClassify } from '../diagnosis/index.js';
import {
  type AttachmentEvidence,
  CATEGORIES,
  type CapacitySnapshot,
  type Category,
  type Diagnosis,
  type Evidence,
  type KubeEvent,
  type PodLike,
} from '../diagnosis/types.js';
import { podClaims } from '../kube/attachments.js';
import { parseSelector } from '../kube/selector.js';
import { eventFirstMs, toMs } from '../kube/time.js';
import { isPodReady, SpawnTracker, type TrackedSpawn } from '../kube/tracker.js';
import type { PluginHost, SpawnRef } from '../plugins/types.js';
import { decide } from '../policy/decide.js';
import { PullStats } from '../policy/pull-stats.js';
import type { Decision } from '../policy/types.js';
import type { RecentDiagnosis } from '../server/http.js';
import type { Metrics } from '../server/metrics.js';
import { attachingAnnotation, buildAnnotation, progressSentence } from './announcement.js';

export const NOOP_PLUGINS: PluginHost = {
  runOnDiagnosis: async () => ({ advice: [], notes: [] }),
  runOnStop: async () => {},
  close: async () => {},
};

export interface DoctorDeps {
  config: Config;
  actions: ActionsPort;
  log: Logger;
  metrics: Metrics;
  plugins?: PluginHost;
  capacity?: CapacityProvider;
  classify?: (e: Evidence) => Diagnosis;
  /** May this replica act now? (leader, and informers synced). Default: always. */
  canAct?: () => boolean;
  now?: () => number;
  /** Coalesces bursts of changes of one pod (ms). */
  debounceMs?: number;
  /** The watched VolumeAttachments a pod waits for (src/kube/attachments.ts); absent: not watched. */
  attachments?: { forPod(pod: PodLike, now: number): AttachmentEvidence[] };
}

interface SpawnState {
  /** When each category was first diagnosed for this pod (epoch ms, local clock). */
  firstSeen: Map<Category, number>;
  lastCategory?: Category;
  lastDecision?: Decision['kind'];
  recheck?: NodeJS.Timeout;
  debounce?: NodeJS.Timeout;
  running?: Promise<void>;
  again?: boolean;
  lastProgressNote?: number;
  notified?: Set<Category>;
  /** VolumeAttachments whose "attaching" note was shown. */
  attachNoted?: Set<string>;
}

const CAPACITY_TIMEOUT_MS = 4000;
const CAPACITY_CACHE_MS = 5000;
/** A pull gets a progress note only once it has lasted this long: quick pulls and failures need none. */
const PROGRESS_NOTE_AFTER_MS = 5000;

export class Doctor {
  readonly tracker: SpawnTracker;
  readonly pulls = new PullStats();
  private readonly states = new Map<string, SpawnState>();
  /** Stops recorded in Kubernetes (our diagnosis Events with a stop record), by pod UID. */
  private readonly stopRecords = new Map<string, SpawnRef>();
  private readonly recentList: RecentDiagnosis[] = [];
  private readonly plugins: PluginHost;
  private readonly classify: (e: Evidence) => Diagnosis;
  private readonly now: () => number;
  private readonly canAct: () => boolean;
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;
  private capacityCache?: { at: number; snapshot: Promise<CapacitySnapshot> };
  private gcTimer: NodeJS.Timeout;

  constructor(private readonly deps: DoctorDeps) {
    this.tracker = new SpawnTracker({ selector: parseSelector(deps.config.kube.podSelector) });
    this.plugins = deps.plugins ?? NOOP_PLUGINS;
    this.classify = deps.classify ?? defaultClassify;
    this.now = deps.now ?? Date.now;
    this.canAct = deps.canAct ?? (() => true);
    this.gcTimer = setInterval(() => this.gc(), 60_000);
    this.gcTimer.unref();
  }

  // ---- feeding (from informers) -------------------------------------------------------------

  podUpserted(pod: PodLike): void {
    this.deps.actions.observePod(pod);
    for (const uid of this.tracker.upsertPod(pod, this.now())) this.schedule(uid);
    this.deps.metrics.tracked.set(this.tracker.list().length);
  }

  podDeleted(pod: PodLike): void {
    this.deps.actions.observePod({
      ...pod,
      metadata: {
        ...pod.metadata,
        deletionTimestamp: pod.metadata?.deletionTimestamp ?? new Date().toISOString(),
      },
    });
    for (const uid of this.tracker.deletePod(pod, this.now())) this.schedule(uid);
  }

  eventUpserted(event: KubeEvent): void {
    this.deps.actions.observeEvent(event);
    this.pulls.observe(event);
    const recorded = this.stopRecordOf(event);
    if (recorded && !this.stopRecords.has(recorded.uid)) {
      // A stop this process may not know about (a restart, another replica): finish it.
      this.stopRecords.set(recorded.uid, recorded);
      this.schedule(recorded.uid);
    }
    const uid = this.tracker.upsertEvent(event, this.now());
    if (uid) this.schedule(uid);
  }

  eventDeleted(event: KubeEvent): void {
    const recorded = this.stopRecordOf(event);
    if (recorded) this.stopRecords.delete(recorded.uid);
    this.tracker.deleteEvent(event);
  }

  /** PersistentVolumes or VolumeAttachments of these `namespace/claim`s changed: look at their pods again. */
  attachmentsChanged(claims: readonly string[]): void {
    if (claims.length === 0) return;
    const wanted = new Set(claims);
    for (const s of this.tracker.list()) {
      if (s.timeline.deleted === undefined && podClaims(s.pod).some((c) => wanted.has(c)))
        this.schedule(s.ref.uid);
    }
  }

  /** After gaining leadership or syncing: look at every live pod, and every recorded stop, again. */
  evaluateAll(): void {
    for (const s of this.tracker.list()) if (s.timeline.deleted === undefined) this.schedule(s.ref.uid);
    for (const uid of this.stopRecords.keys()) this.schedule(uid);
  }

  private stopRecordOf(event: KubeEvent): SpawnRef | undefined {
    const uid = event.involvedObject?.uid;
    return uid && isOwnDiagnosis(event, uid) ? recordedSpawn(event) : undefined;
  }

  recent(): RecentDiagnosis[] {
    return [...this.recentList].reverse();
  }

  /** Resolves when no evaluation or stop is running (tests; graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.gcTimer);
    for (const st of this.states.values()) {
      clearTimeout(st.recheck);
      clearTimeout(st.debounce);
    }
    await this.idle();
  }

  // ---- scheduling ---------------------------------------------------------------------------

  private state(uid: string): SpawnState {
    let st = this.states.get(uid);
    if (!st) {
      st = { firstSeen: new Map() };
      this.states.set(uid, st);
    }
    return st;
  }

  private schedule(uid: string, delay = this.deps.debounceMs ?? 150): void {
    if (this.closed) return;
    const st = this.state(uid);
    clearTimeout(st.debounce);
    st.debounce = setTimeout(() => this.run(uid), delay).unref();
  }

  private run(uid: string): void {
    const st = this.state(uid);
    if (st.running) {
      st.again = true;
      return;
    }
    const p = this.evaluate(uid)
      .catch((err) => {
        this.deps.metrics.evaluationErrors.inc();
        this.deps.log.error({ err, uid }, 'evaluation failed');
      })
      .finally(() => {
        st.running = undefined;
        this.inflight.delete(p);
        if (st.again) {
          st.again = false;
          this.run(uid);
        }
      });
    st.running = p;
    this.inflight.add(p);
  }

  private gc(): void {
    for (const uid of this.tracker.gc(this.now())) {
      const st = this.states.get(uid);
      clearTimeout(st?.recheck);
      clearTimeout(st?.debounce);
      this.states.delete(uid);
    }
    this.deps.metrics.tracked.set(this.tracker.list().length);
  }

  // ---- evaluation ---------------------------------------------------------------------------

  private async evaluate(uid: string): Promise<void> {
    const spawn = this.tracker.get(uid);
    if (this.closed || !this.canAct()) return;
    const recorded = this.stopRecords.get(uid);
    if (recorded) return this.finishRecordedStop(recorded, spawn);
    if (!spawn || spawn.timeline.deleted !== undefined) return;
    const evidence = this.tracker.evidence(uid)!;
    const attachments = this.deps.attachments?.forPod(spawn.pod, this.now()) ?? [];
    if (attachments.length) evidence.attachments = attachments;
    let diagnosis = this.classify(evidence);
    if (categoryEntry(diagnosis.category).needsCapacity && this.deps.capacity) {
      diagnosis = await this.withCapacity(evidence, diagnosis, spawn.ref);
    }
    const now = this.now();
    const st = this.state(uid);
    const since = this.since(spawn, st, diagnosis, now);
    const decision = decide(
      {
        diagnosis,
        timeline: spawn.timeline,
        since,
        now,
        podReady: isPodReady(spawn.pod),
        ...(spawn.scaleUpAt !== undefined ? { scaleUpAt: spawn.scaleUpAt } : {}),
        ...(diagnosis.category === 'image.pulling'
          ? {
              pull: this.pulls.estimate(
                diagnosis.params.image ?? mainImage(spawn.pod),
                spawn.timeline.pulling,
                now,
              ),
            }
          : {}),
      },
      this.deps.config.categories,
    );
    const log = this.deps.log.child({
      pod: spawn.ref.pod,
      namespace: spawn.ref.namespace,
      uid,
      user: spawn.ref.user,
      server: spawn.ref.server,
      category: diagnosis.category,
      action: decision.kind,
    });
    if (st.lastCategory !== diagnosis.category || st.lastDecision !== decision.kind) {
      if (diagnosis.category !== 'normal') {
        this.deps.metrics.diagnoses.inc({ category: diagnosis.category, action: decision.kind });
        this.remember(spawn.ref, diagnosis, decision);
        log.info(
          { reason: decision.reason, params: diagnosis.params },
          `diagnosis: ${diagnosis.category} → ${decision.kind}`,
        );
      }
      st.lastCategory = diagnosis.category;
      st.lastDecision = decision.kind;
    }
    log.debug(
      {
        evidence: diagnosis.evidence,
        timeline: spawn.timeline,
        events: evidence.events.length,
        reason: decision.reason,
      },
      'evaluated',
    );

    clearTimeout(st.recheck);
    st.recheck = undefined;
    switch (decision.kind) {
      case 'wait': {
        // A watched attach still within its time: decide again when the time is up.
        const overdueIn = secondsUntilOverdue(attachments);
        const attachDue = overdueIn === undefined ? undefined : now + overdueIn * 1000;
        const recheckAt =
          decision.recheckAt === undefined || (attachDue !== undefined && attachDue < decision.recheckAt)
            ? attachDue
            : decision.recheckAt;
        if (recheckAt !== undefined) {
          st.recheck = setTimeout(() => this.run(uid), Math.max(50, recheckAt - now + 20)).unref();
        }
        if (decision.progress) await this.progressNote(spawn, st, diagnosis, decision, now, log);
        else await this.attachingNote(spawn, st, attachments, log);
        return;
      }
      case 'notify':
        await this.notify(spawn, st, diagnosis, log);
        return;
      case 'stop':
        await this.stop(spawn, diagnosis, decision, log);
        return;
    }
  }

  /** Re-classifies a scheduling diagnosis with a capacity snapshot, bounded in time; falls back to text-only. */
  private async withCapacity(evidence: Evidence, first: Diagnosis, ref: SpawnRef): Promise<Diagnosis> {
    try {
      const capacity = await this.capacitySnapshot();
      return this.classify({ ...evidence, capacity });
    } catch (err) {
      this.deps.log.warn(
        { err: String(err), pod: ref.pod, namespace: ref.namespace },
        'no capacity snapshot; text-only diagnosis',
      );
      return first;
    }
  }

  /** One snapshot serves every pending pod for a few seconds (a burst of spawns, one API read). */
  private capacitySnapshot(): Promise<CapacitySnapshot> {
    const now = this.now();
    if (this.capacityCache && now - this.capacityCache.at < CAPACITY_CACHE_MS)
      return this.capacityCache.snapshot;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), CAPACITY_TIMEOUT_MS);
    const snapshot = Promise.race([
      this.deps.capacity!.snapshot(controller.signal),
      new Promise<never>((_, reject) =>
        controller.signal.addEventListener('abort', () => reject(new Error('capacity snapshot timed out'))),
      ),
    ]).finally(() => clearTimeout(timer));
    this.capacityCache = { at: now, snapshot };
    snapshot.catch(() => {
      if (this.capacityCache?.snapshot === snapshot) this.capacityCache = undefined;
    });
    return snapshot;
  }

  /** When this category's evidence first appeared: the decisive event's first occurrence, or when we first saw it. */
  private since(spawn: TrackedSpawn, st: SpawnState, d: Diagnosis, now: number): number {
    if (!st.firstSeen.has(d.category)) st.firstSeen.set(d.category, now);
    let since = st.firstSeen.get(d.category)!;
    for (const ref of d.evidence) {
      if (ref.kind !== 'event' || !ref.ref) continue;
      const ev = [...spawn.events.values()].find((e) => e.metadata?.name === ref.ref);
      const at = ev ? eventFirstMs(ev) : toMs(ref.at);
      if (at !== undefined && at < since) since = at;
    }
    return since;
  }

  private decisiveAt(spawn: TrackedSpawn, d: Diagnosis, fallback: number): number {
    let at: number | undefined;
    for (const ref of d.evidence) {
      const ev = ref.ref ? [...spawn.events.values()].find((e) => e.metadata?.name === ref.ref) : undefined;
      const t = ev ? eventFirstMs(ev) : toMs(ref.at);
      if (t !== undefined && (at === undefined || t < at)) at = t;
    }
    return at ?? fallback;
  }

  private site() {
    return {
      ...(this.deps.config.support.contact ? { contact: this.deps.config.support.contact } : {}),
      ...(this.deps.config.support.docs ? { docs: this.deps.config.support.docs } : {}),
    };
  }

  private async progressNote(
    spawn: TrackedSpawn,
    st: SpawnState,
    diagnosis: Diagnosis,
    decision: Extract<Decision, { kind: 'wait' }>,
    now: number,
    log: Logger,
  ): Promise<void> {
    const cfg = this.deps.config.progressNotes;
    if (!cfg.enabled || !decision.progress) return;
    const interval = cfg.intervalSeconds * 1000;
    const pullingSince = spawn.timeline.pulling ?? now;
    if (now - pullingSince < PROGRESS_NOTE_AFTER_MS) {
      clearTimeout(st.recheck);
      st.recheck = setTimeout(
        () => this.run(spawn.ref.uid),
        pullingSince + PROGRESS_NOTE_AFTER_MS - now + 20,
      ).unref();
      return;
    }
    if (st.lastProgressNote !== undefined && now - st.lastProgressNote < interval) {
      clearTimeout(st.recheck);
      st.recheck = setTimeout(
        () => this.run(spawn.ref.uid),
        st.lastProgressNote + interval - now + 20,
      ).unref();
      return;
    }
    st.lastProgressNote = now;
    const { annotation } = buildAnnotation(diagnosis, 'wait', this.site(), { progress: decision.progress });
    try {
      await this.track(
        this.deps.actions.announceProgress(spawn.ref, annotation, progressSentence(decision.progress)),
      );
      log.info({ progress: decision.progress }, 'progress note');
    } catch (err) {
      log.warn({ err: String(err) }, 'progress note failed');
    }
    // Next note after the interval, while the pull lasts.
    clearTimeout(st.recheck);
    st.recheck = setTimeout(() => this.run(spawn.ref.uid), interval + 20).unref();
  }

  /** Once per attachment: "attaching your home from storage server X …" while it is pending. */
  private async attachingNote(
    spawn: TrackedSpawn,
    st: SpawnState,
    attachments: readonly AttachmentEvidence[],
    log: Logger,
  ): Promise<void> {
    if (!this.deps.config.progressNotes.enabled) return;
    const a = pendingAttachments(attachments).find((x) => !st.attachNoted?.has(x.name));
    if (!a) return;
    st.attachNoted ??= new Set();
    st.attachNoted.add(a.name);
    const { annotation, sentence } = attachingAnnotation(a, this.site());
    try {
      await this.track(this.deps.actions.announceProgress(spawn.ref, annotation, sentence));
      log.info({ volumeAttachment: a.name, pv: a.pv, storageServer: a.storageServer }, 'attaching note');
    } catch (err) {
      log.warn({ err: String(err) }, 'attaching note failed');
    }
  }

  private async notify(
    spawn: TrackedSpawn,
    st: SpawnState,
    diagnosis: Diagnosis,
    log: Logger,
  ): Promise<void> {
    st.notified ??= new Set();
    if (st.notified.has(diagnosis.category)) return;
    st.notified.add(diagnosis.category);
    const extra = await this.pluginAdvice(spawn, diagnosis, log);
    const { annotation, sentence } = buildAnnotation(diagnosis, 'notify', this.site(), extra);
    try {
      await this.track(this.deps.actions.announceProgress(spawn.ref, annotation, sentence));
      log.info('notified without stopping (configured action: notify)');
    } catch (err) {
      log.warn({ err: String(err) }, 'notification failed');
    }
  }

  private async stop(
    spawn: TrackedSpawn,
    diagnosis: Diagnosis,
    decision: Decision,
    log: Logger,
  ): Promise<void> {
    const decisiveAt = this.decisiveAt(spawn, diagnosis, this.now());
    const result = await this.track(
      this.deps.actions
        .stop({
          spawn: spawn.ref,
          // Built only when a stop really begins (not for one running or done already).
          announcement: async () => {
            const extra = await this.pluginAdvice(spawn, diagnosis, log);
            const a = buildAnnotation(diagnosis, 'stop', this.site(), extra);
            log.info({ reason: decision.reason, sentence: a.sentence }, 'stopping the spawn');
            return a;
          },
        })
        .catch(
          (err): StopResult => ({
            outcome: 'failed',
            run: 'new',
            eventsDeleted: 0,
            notes: [`actions.stop threw: ${err}`],
          }),
        ),
    );
    if (result.run === 'joined' || result.run === 'repeat') {
      if (result.outcome === 'failed') this.retryLater(spawn.ref.uid);
      return;
    }
    this.stopped(spawn.ref, spawn.pod, diagnosis, decisiveAt, result, log);
  }

  /** A stop recorded in Kubernetes: the actions finish it (or join the one running). */
  private async finishRecordedStop(ref: SpawnRef, spawn: TrackedSpawn | undefined): Promise<void> {
    const log = this.deps.log.child({
      pod: ref.pod,
      namespace: ref.namespace,
      uid: ref.uid,
      user: ref.user,
      server: ref.server,
    });
    const result = await this.track(
      this.deps.actions.stop({ spawn: ref }).catch(
        (err): StopResult => ({
          outcome: 'failed',
          run: 'new',
          eventsDeleted: 0,
          notes: [`actions.stop threw: ${err}`],
        }),
      ),
    );
    // An unfinished cleanup (the pod is still there) goes on when the pod is deleted (podDeleted).
    if (result.outcome === 'failed') this.retryLater(ref.uid);
    if (result.run !== 'resumed') return;
    // This process ended the spawn only if the recorded stop had not got that far before.
    const ended = result.resumedFrom === 'announced' || result.resumedFrom === 'cancelling';
    if (!ended) {
      log.info(
        { outcome: result.outcome, eventsDeleted: result.eventsDeleted, notes: result.notes },
        'recorded stop cleaned up',
      );
      return;
    }
    const category = (CATEGORIES as readonly string[]).includes(result.category ?? '')
      ? (result.category as Category)
      : 'unknown.warning';
    const diagnosis: Diagnosis = { category, severity: 'error', action: 'stop', params: {}, evidence: [] };
    const pod: PodLike = spawn?.pod ?? {
      metadata: { name: ref.pod, namespace: ref.namespace, uid: ref.uid },
    };
    this.stopped(ref, pod, diagnosis, this.now(), result, log);
  }

  /** A stop failed: look again later (the record makes it resume, not start again). */
  private retryLater(uid: string): void {
    const st = this.state(uid);
    if (st.recheck) return;
    st.recheck = setTimeout(() => {
      st.recheck = undefined;
      this.run(uid);
    }, 16_000).unref();
  }

  /** Metrics, the recent list, the log line and the plugins' onStop of a stop this process did. */
  private stopped(
    ref: SpawnRef,
    pod: PodLike,
    diagnosis: Diagnosis,
    decisiveAt: number,
    result: StopResult,
    log: Logger,
  ): void {
    const uid = ref.uid;
    const m = this.deps.metrics;
    m.stops.inc({ category: diagnosis.category, outcome: result.outcome });
    if (result.announcedAt) {
      m.toAnnouncement.observe(
        { category: diagnosis.category },
        Math.max(0, (result.announcedAt.getTime() - decisiveAt) / 1000),
      );
    }
    if (result.endedAt) {
      m.toCancellation.observe(
        { category: diagnosis.category, outcome: result.outcome },
        Math.max(0, (result.endedAt.getTime() - decisiveAt) / 1000),
      );
    }
    const entry = this.recentList.findLast((r) => r.uid === uid && r.category === diagnosis.category);
    if (entry) entry.outcome = result.outcome;
    const fields = {
      outcome: result.outcome,
      run: result.run,
      eventsDeleted: result.eventsDeleted,
      notes: result.notes,
    };
    if (result.outcome === 'not-ours') {
      // A pod of another hub: nothing was done, nothing to tell the plugins.
      log.info(fields, 'not stopped: the hub does not know this server (a pod of another hub?)');
      return;
    }
    log[result.outcome === 'failed' ? 'error' : 'info'](fields, `spawn stopped: ${result.outcome}`);
    const outcome = result.outcome;
    void this.track(
      this.plugins
        .runOnStop({ diagnosis, pod, spawn: ref, outcome })
        .catch((err) => log.warn({ err: String(err) }, 'plugin host failed in onStop')),
    );
  }

  /** Plugins add advice; their failure never blocks the decision (the host should not throw; be sure). */
  private async pluginAdvice(spawn: TrackedSpawn, diagnosis: Diagnosis, log: Logger) {
    try {
      return await this.plugins.runOnDiagnosis({ diagnosis, pod: spawn.pod, spawn: spawn.ref });
    } catch (err) {
      log.warn({ err: String(err) }, 'plugin host failed in onDiagnosis');
      return { advice: [], notes: [] };
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    return p.finally(() => this.inflight.delete(p));
  }

  private remember(ref: SpawnRef, d: Diagnosis, decision: Decision): void {
    const max = this.deps.config.server.recentDiagnoses;
    if (max === 0) return;
    this.recentList.push({
      at: new Date(this.now()).toISOString(),
      namespace: ref.namespace,
      pod: ref.pod,
      uid: ref.uid,
      user: ref.user,
      server: ref.server,
      category: d.category,
      decision: decision.kind,
      reason: decision.reason,
      params: { ...d.params },
    });
    while (this.recentList.length > max) this.recentList.shift();
  }
}

function mainImage(pod: PodLike): string | undefined {
  return pod.spec?.containers?.[0]?.image;
}
