// The stop of one doomed spawn, as DESIGN section 4 tells it: check, announce, wait for the
// stream, cancel or fall back, clean up. Each step is a function of its own module; this file is
// only the order. A stop already recorded in Kubernetes (a restart, another replica) continues
// where it was (record.ts), so that it is announced once, cancelled at most once, cleaned once.
import type { CoreV1Event } from '@kubernetes/client-node';
import { ANNOTATION_KEY, diagnosisAnnotationSchema } from '../diagnosis/annotation.js';
import type { PodLike } from '../diagnosis/types.js';
import { isPodReady } from '../kube/tracker.js';
import type { SpawnRef } from '../plugins/types.js';
import { announce, type Delivery, deliver, type Wording } from './announce.js';
import { checkSpawn, HubSide } from './check.js';
import { finish, type Sweeper, sweep } from './cleanup.js';
import { hubOf, type StopDeps } from './context.js';
import { endSpawn } from './end-spawn.js';
import { validAnnotation } from './events.js';
import { RecordKeeper } from './keeper.js';
import { kubeErrorText } from './kube-errors.js';
import { deletePod, readPod, waitPodGone } from './pod.js';
import { pendingWork, type StopPhase } from './record.js';
import { type Recorded, readRecorded } from './record-store.js';
import { StopReport } from './report.js';
import { judge } from './spawn-check.js';
import type { Announcement, StopInput, StopOutcome, StopResult } from './types.js';

export async function runStop(d: StopDeps, sweeper: Sweeper, input: StopInput): Promise<StopResult> {
  const { spawn } = input;
  const report = new StopReport(d.log, spawn);
  let side: HubSide | undefined;
  try {
    // 0. A stop recorded in Kubernetes is finished, never begun again.
    const found = await readRecorded(d, spawn);
    if (found) return await resume(d, sweeper, spawn, found, report);
    if (!input.announcement)
      return report.done('failed', 'no stop is recorded for this pod, and nothing to announce');

    // 1. Check: the live pod is this spawn's, and the hub's pending spawn is this pod's.
    const checked = await check(d, spawn, input.announcement);
    if ('outcome' in checked) return report.done(checked.outcome, checked.note);
    side = checked.side;

    // 2. Announce.
    const { recorded, created } = await announce(d, spawn, checked.wording, checked.started);
    const at = created ? d.now() : new Date(String(recorded.event.firstTimestamp ?? d.now().toISOString()));
    report.announced(at, created, checked.category);

    // 3. Wait until the hub's progress stream carried it.
    noteDelivery(report, await deliver(d, spawn, side, recorded, checked.wording), side);

    // 4. Cancel, or fall back to deleting the pod; 5. clean up as soon as the spawn is over.
    return await endThenCleanUp(d, sweeper, spawn, side, new RecordKeeper(d, spawn, recorded), report);
  } catch (err) {
    return report.done('failed', `stop failed: ${kubeErrorText(err)}`);
  } finally {
    side?.close();
  }
}

type Checked =
  | { side: HubSide; wording: Wording; started?: string; category: string }
  | { outcome: StopOutcome; note: string };

/**
 * Step 1. The pod first (no hub is asked about a pod that is not a single-user pod of that user),
 * then the hub: it gets a moment to answer while the announcement is put together; a hub that
 * does not answer does not hold the announcement back (the cancel waits for its proof instead).
 */
async function check(d: StopDeps, spawn: SpawnRef, build: () => Promise<Announcement>): Promise<Checked> {
  const pod = await readPod(d, spawn);
  const local = judge(
    { pod: pod as PodLike | undefined, hub: { kind: 'no-hub' }, stream: 'none' },
    { spawn },
    d.selector,
  );
  if (local.kind !== 'same') {
    d.observe('announce', 'skipped', 0);
    return { outcome: local.kind === 'refused' ? 'failed' : 'ended', note: `not stopped: ${local.why}` };
  }
  const side = new HubSide(await hubOf(d, spawn, pod), spawn, d.timing.connectMs);
  const [announcement, answered] = await Promise.all([build(), side.answered(d.timing.hubAnswerMs)]);
  const valid = validAnnotation(announcement.annotation);
  if (!valid.ok) {
    side.close();
    d.observe('announce', 'error', 0);
    return { outcome: 'failed', note: valid.error };
  }
  const wording = { json: valid.json, sentence: announcement.sentence };
  const category = valid.annotation.category;
  const base = { side, wording, category };
  if (!answered) return base; // the hub hangs: announce now, prove later
  const v = await checkSpawn(d, spawn, side, { spawn });
  switch (v.kind) {
    case 'same':
      return v.started ? { ...base, started: v.started } : base;
    case 'unknown':
      return base;
    default:
      side.close();
      d.observe('announce', 'skipped', 0);
      return {
        outcome: v.kind === 'not-ours' ? 'not-ours' : v.kind === 'refused' ? 'failed' : 'ended',
        note: `${v.kind === 'not-ours' ? `hub ${side.hub?.name}: ` : 'not stopped: '}${v.why}`,
      };
  }
}

/** A stop found in Kubernetes: deliver and cancel if that was not done, else clean up. */
async function resume(d: StopDeps, sweeper: Sweeper, spawn: SpawnRef, found: Recorded, report: StopReport) {
  const phase = found.record.phase;
  report.resumed(phase, categoryOf(found.event));
  const keeper = new RecordKeeper(d, spawn, found);
  if (pendingWork(found.record) !== 'cancel')
    return cleanUp(d, sweeper, spawn, keeper, report, outcomeOf(phase));
  const side = new HubSide(await hubOf(d, spawn, await readPod(d, spawn)), spawn, d.timing.connectMs);
  try {
    await side.answered(d.timing.hubAnswerMs);
    noteDelivery(report, await deliver(d, spawn, side, found, wordingOf(found.event)), side);
    return await endThenCleanUp(d, sweeper, spawn, side, keeper, report);
  } finally {
    side.close();
  }
}

/** Steps 4 and 5: the cleanup starts the moment the spawn is over, even while a DELETE is out. */
async function endThenCleanUp(
  d: StopDeps,
  sweeper: Sweeper,
  spawn: SpawnRef,
  side: HubSide,
  keeper: RecordKeeper,
  report: StopReport,
): Promise<StopResult> {
  const retiring = once(() => retire(d, sweeper, spawn, keeper, report));
  const ending = endSpawn(d, spawn, side, keeper);
  const streamOver = side.witness?.settled().then((s) => {
    if (s.kind === 'ended' && d.cleanupEvents) void retiring();
  });
  const e = await ending;
  void streamOver;
  report.ended(e.outcome, e.at, e.note);
  if (e.outcome === 'failed' && keeper.recorded.record.phase !== 'retired') return report.done();
  await keeper.step(e.outcome === 'cancelled' || e.outcome === 'pod-deleted' ? e.outcome : 'ended');
  return cleanUp(d, sweeper, spawn, keeper, report, e.outcome, retiring);
}

/** Step 5. Retire and sweep now; once the pod is gone, the rest, the diagnosis last. */
async function cleanUp(
  d: StopDeps,
  sweeper: Sweeper,
  spawn: SpawnRef,
  keeper: RecordKeeper,
  report: StopReport,
  outcome: StopOutcome,
  retiring: () => Promise<void> = once(() => retire(d, sweeper, spawn, keeper, report)),
): Promise<StopResult> {
  if (!d.cleanupEvents) return report.done(undefined, 'event cleanup is off: the events stay');
  await retiring();
  try {
    let gone = await goneOrReady(d, spawn);
    if (gone === 'lingers' && (outcome === 'cancelled' || outcome === 'pod-deleted')) {
      // The hub accepted, but the pod is still there (its stop failed): end it ourselves.
      report.note('the pod was still there after the spawn ended: deleting it');
      if ((await deletePod(d, spawn)).result !== 'refused') gone = await goneOrReady(d, spawn);
    }
    if (gone !== 'gone') {
      report.result.unfinished = true;
      return report.done(
        undefined,
        `the pod ${gone === 'ready' ? 'is running' : 'did not disappear in time'}: the rest of its events are deleted once it is gone`,
      );
    }
    report.deleted(await finish(d, spawn, keeper.recorded.event));
    return report.done();
  } finally {
    sweeper.unwatch(spawn.uid);
  }
}

/** The spawn is over: the diagnosis stops naming the pod, and every other Event of it goes. */
async function retire(
  d: StopDeps,
  sweeper: Sweeper,
  spawn: SpawnRef,
  keeper: RecordKeeper,
  report: StopReport,
) {
  sweeper.watch(spawn);
  if (keeper.recorded.record.phase !== 'retired') {
    if ((await keeper.step('retired', { retire: true })) === 'conflict') {
      report.note('the stop record was moved by another replica while retiring it');
    }
  }
  report.deleted(await sweep(d, spawn));
}

async function goneOrReady(d: StopDeps, spawn: SpawnRef): Promise<'gone' | 'ready' | 'lingers'> {
  const pod = await readPod(d, spawn);
  if (!pod || pod.metadata?.uid !== spawn.uid) return 'gone';
  // A pod that is running and ready was not stopped by us: it goes when its user stops it.
  if (!pod.metadata?.deletionTimestamp && isPodReady(pod as PodLike)) return 'ready';
  return (await waitPodGone(d, spawn, d.timing.goneWaitMs)) ? 'gone' : 'lingers';
}

function noteDelivery(report: StopReport, delivery: Delivery, side: HubSide): void {
  if (side.problem) report.note(`hub progress stream: ${side.problem}`);
  if (delivery === 'carried') return;
  const text: Record<Exclude<Delivery, 'carried'>, string> = {
    'carried-again':
      'the progress stream skipped the diagnosis; announced it once more, and that was carried',
    'not-carried': 'the progress stream did not carry the diagnosis in time',
    'stream-ended': 'the progress stream ended before it carried the diagnosis',
    'no-stream': 'no progress stream to wait for',
  };
  report.note(text[delivery]);
}

function outcomeOf(phase: StopPhase): StopOutcome {
  return phase === 'cancelled' || phase === 'pod-deleted' ? phase : 'ended';
}

function categoryOf(e: CoreV1Event): string | undefined {
  try {
    return diagnosisAnnotationSchema.parse(JSON.parse(e.metadata?.annotations?.[ANNOTATION_KEY] ?? ''))
      .category;
  } catch {
    return undefined;
  }
}

function wordingOf(e: CoreV1Event): Wording | undefined {
  const json = e.metadata?.annotations?.[ANNOTATION_KEY];
  return json && e.message ? { json, sentence: e.message } : undefined;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => {
    p ??= fn();
    return p;
  };
}
