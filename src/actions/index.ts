// The actions port (src/actions/types.ts) on a real cluster and hub: announce, wait until the
// hub's progress stream carried the announcement, cancel through the hub (or delete the pod),
// then delete the failed pod's Events. Every step re-checks the live pod, is retried with
// backoff where that helps, and never throws out of `stop`.
import { hostname } from 'node:os';
import type { CoreV1Api, CoreV1Event, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { CoreV1Api as CoreV1ApiClass } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { DiagnosisAnnotation } from '../diagnosis/annotation.js';
import type { PodLike } from '../diagnosis/types.js';
import type { HubClient } from '../hub/client.js';
import { HubHttpError } from '../hub/errors.js';
import { carriesEvent, type ProgressEvent } from '../hub/progress.js';
import type { HubRegistry } from '../hub/registry.js';
import { retry, sleep } from '../hub/retry.js';
import { parseSelector } from '../kube/selector.js';
import type { SpawnRef } from '../plugins/types.js';
import {
  diagnosisEvent,
  isOwnDiagnosis,
  progressEvent,
  progressEventName,
  progressPatch,
  validAnnotation,
} from './events.js';
import { checkPod } from './guard.js';
import { isRetryableKube, kubeErrorText, statusOf } from './kube-errors.js';
import type { ActionObserver, ActionsPort, StopInput, StopResult } from './types.js';

export { isOwnDiagnosis, isOwnEvent } from './events.js';
export type { ActionObserver, ActionsPort, StopInput, StopResult } from './types.js';

export interface ActionsConfig {
  cleanupEvents: boolean;
  /** How long to wait for the hub's progress stream to carry the diagnosis (default 3 s). */
  progressStreamWaitSeconds?: number;
  /** Which pods are JupyterHub single-user pods (default `component=singleuser-server`). */
  podSelector?: string;
  /** How long to wait for the pod to disappear after the cancel or the deletion (default 60 s). */
  podGoneWaitSeconds?: number;
}

export interface ActionsDeps {
  /** Either a ready CoreV1Api or a KubeConfig to make one from. */
  core?: CoreV1Api;
  kubeConfig?: KubeConfig;
  hubs: HubRegistry;
  config: ActionsConfig;
  log: Logger;
  observe?: ActionObserver;
  /** reportingInstance of our Events; the hostname (the pod's name in a Deployment) by default. */
  instance?: string;
  /** Retry policy for Kubernetes calls. */
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /** Labels of a namespace, for hubs chosen by namespaceSelector (needs `namespaces get`). */
  namespaceLabels?: (namespace: string) => Promise<Record<string, string> | undefined>;
  now?: () => Date;
}

/** Bounded memory for the "same progress content" short-cut. */
const PROGRESS_CACHE_MAX = 5000;

export function createActions(deps: ActionsDeps): ActionsPort {
  const maybeCore = deps.core ?? deps.kubeConfig?.makeApiClient(CoreV1ApiClass);
  if (!maybeCore) throw new Error('createActions: give core (CoreV1Api) or kubeConfig');
  const core: CoreV1Api = maybeCore;
  const log = deps.log;
  const observe: ActionObserver = deps.observe ?? (() => undefined);
  const selector = parseSelector(deps.config.podSelector ?? 'component=singleuser-server');
  const streamWaitMs = Math.max(0, (deps.config.progressStreamWaitSeconds ?? 3) * 1000);
  const goneWaitMs = Math.max(0, (deps.config.podGoneWaitSeconds ?? 60) * 1000);
  const instance = deps.instance ?? hostname();
  const now = deps.now ?? (() => new Date());
  const policy = deps.retry ?? { attempts: 5, baseDelayMs: 250, maxDelayMs: 4000 };
  const lastProgress = new Map<string, string>();

  const kube = <T>(what: string, fn: () => Promise<T>): Promise<T> =>
    retry(fn, {
      ...policy,
      retryable: isRetryableKube,
      onRetry: (err, attempt, delayMs) =>
        log.warn({ what, attempt, delayMs, err: kubeErrorText(err) }, 'retrying a Kubernetes call'),
    });

  async function timed<T>(action: Parameters<ActionObserver>[0], fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      const v = await fn();
      observe(action, 'ok', (performance.now() - t0) / 1000);
      return v;
    } catch (err) {
      observe(action, 'error', (performance.now() - t0) / 1000);
      throw err;
    }
  }

  async function readPod(spawn: SpawnRef): Promise<V1Pod | undefined> {
    try {
      return await kube('read pod', () =>
        core.readNamespacedPod({ name: spawn.pod, namespace: spawn.namespace }),
      );
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Reads the live pod; it must be the spawn's single-user pod. Returns the pod or why not. */
  async function livePod(spawn: SpawnRef): Promise<{ pod: V1Pod } | { gone: boolean; reason: string }> {
    const pod = await readPod(spawn);
    if (!pod) return { gone: true, reason: 'pod not found' };
    const check = checkPod(pod as PodLike, spawn, selector);
    if (!check.ok) return { gone: pod.metadata?.uid !== spawn.uid, reason: check.reason };
    return { pod };
  }

  async function listEventsOf(spawn: SpawnRef): Promise<CoreV1Event[]> {
    const out: CoreV1Event[] = [];
    let cont: string | undefined;
    do {
      const page = await kube('list events', () =>
        core.listNamespacedEvent({
          namespace: spawn.namespace,
          fieldSelector: `involvedObject.uid=${spawn.uid}`,
          limit: 500,
          ...(cont ? { _continue: cont } : {}),
        }),
      );
      // The field selector is the server's job; we check again so that nothing else is ever touched.
      out.push(...page.items.filter((e) => e.involvedObject?.uid === spawn.uid));
      cont = page.metadata?._continue || undefined;
    } while (cont);
    return out;
  }

  /** Creates our SpawnDiagnosis Event, or finds the one an earlier attempt made. */
  async function announce(
    spawn: SpawnRef,
    json: string,
    sentence: string,
  ): Promise<{ event: CoreV1Event; created: boolean }> {
    const body = diagnosisEvent({ spawn, annotationJson: json, sentence, now: now(), instance });
    try {
      const event = await kube('create diagnosis event', () =>
        core.createNamespacedEvent({ namespace: spawn.namespace, body }),
      );
      return { event, created: true };
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
      const name = body.metadata!.name!;
      const event = await kube('read diagnosis event', () =>
        core.readNamespacedEvent({ name, namespace: spawn.namespace }),
      );
      if (!isOwnDiagnosis(event, spawn.uid))
        throw new Error(`event ${spawn.namespace}/${name} exists and is not ours`);
      return { event, created: false };
    }
  }

  /** Reads an open progress stream until it forwarded our Event, or ended, or the time is up. */
  async function awaitCarried(
    hub: HubClient,
    stream: AsyncGenerator<ProgressEvent>,
    abort: AbortController,
    event: CoreV1Event,
  ): Promise<'carried' | 'timeout' | 'ended'> {
    const target = { uid: event.metadata?.uid ?? '', name: event.metadata?.name ?? '' };
    const timer = setTimeout(() => abort.abort(new Error('progress stream wait is over')), streamWaitMs);
    try {
      for await (const ev of stream) {
        if (carriesEvent(ev, target)) return 'carried';
        if (ev.failed || ev.ready) return 'ended';
      }
      return abort.signal.aborted ? 'timeout' : 'ended';
    } catch (err) {
      if (abort.signal.aborted) return 'timeout';
      log.warn(
        { hub: hub.name, err: err instanceof Error ? err.message : String(err) },
        'progress stream broke',
      );
      return 'ended';
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Opens the hub's progress stream for the spawn before anything is announced: a 404 means this
   * hub does not know the user or server, so the pod is not its own and nothing may be done.
   */
  async function openStream(
    hub: HubClient,
    spawn: SpawnRef,
  ): Promise<{
    stream?: AsyncGenerator<ProgressEvent>;
    abort: AbortController;
    notOurs?: string;
    problem?: string;
  }> {
    const abort = new AbortController();
    const connect = setTimeout(
      () => abort.abort(new Error('connecting to the progress stream timed out')),
      10_000,
    );
    let bad = 0;
    try {
      const stream = await hub.openProgress(spawn.user, spawn.server, {
        signal: abort.signal,
        onBadEvent: () => void bad++,
      });
      return { stream, abort };
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (err instanceof HubHttpError && err.status === 404) return { abort, notOurs: text };
      return { abort, problem: text };
    } finally {
      clearTimeout(connect);
      if (bad) log.warn({ hub: hub.name, bad }, 'progress stream carried events that are not JSON objects');
    }
  }

  /** Deletes exactly this pod (UID precondition) after checking the live object once more. */
  async function deletePod(spawn: SpawnRef): Promise<'deleted' | 'gone' | 'refused'> {
    const live = await livePod(spawn);
    if (!('pod' in live)) {
      if (live.gone) return 'gone';
      log.error(
        { namespace: spawn.namespace, pod: spawn.pod, reason: live.reason },
        'refusing to delete a pod',
      );
      return 'refused';
    }
    try {
      await kube('delete pod', () =>
        core.deleteNamespacedPod({
          name: spawn.pod,
          namespace: spawn.namespace,
          body: { preconditions: { uid: spawn.uid }, gracePeriodSeconds: 1 },
        }),
      );
      return 'deleted';
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 || status === 409) return 'gone'; // gone, or the name is now another pod
      throw err;
    }
  }

  async function waitPodGone(spawn: SpawnRef, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (let delay = 200; ; delay = Math.min(delay * 2, 2000)) {
      const pod = await readPod(spawn);
      if (!pod || pod.metadata?.uid !== spawn.uid) return true;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    }
  }

  async function cleanupEvents(spawn: SpawnRef): Promise<number> {
    return timed('cleanup-events', async () => {
      // Events of a live pod are what the hub shows its user: only a gone pod's are removed.
      const pod = await readPod(spawn);
      if (pod && pod.metadata?.uid === spawn.uid) {
        log.info(
          { namespace: spawn.namespace, pod: spawn.pod, uid: spawn.uid },
          'pod still exists: its events are kept',
        );
        return 0;
      }
      const events = await listEventsOf(spawn);
      // Oldest first, as KubeSpawner orders them (lastTimestamp or eventTime): a new spawn of the
      // same name hides events up to the newest one it saw at its start, so that one must go last.
      // On equal times our diagnosis goes last: until then it still marks the UID as handled.
      const key = (e: CoreV1Event) =>
        new Date(String(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0)).getTime() || 0;
      events.sort(
        (a, b) =>
          key(a) - key(b) || Number(isOwnDiagnosis(a, spawn.uid)) - Number(isOwnDiagnosis(b, spawn.uid)),
      );
      let deleted = 0;
      for (const e of events) {
        const name = e.metadata?.name;
        if (!name) continue;
        try {
          await kube('delete event', () =>
            core.deleteNamespacedEvent({
              name,
              namespace: spawn.namespace,
              body: e.metadata?.uid ? { preconditions: { uid: e.metadata.uid } } : {},
            }),
          );
          deleted++;
        } catch (err) {
          const status = statusOf(err);
          if (status !== 404 && status !== 409) throw err;
        }
      }
      lastProgress.delete(spawn.uid);
      return deleted;
    });
  }

  async function resolveHub(spawn: SpawnRef, pod: V1Pod): Promise<HubClient | undefined> {
    const namespaceLabels = deps.namespaceLabels
      ? await deps.namespaceLabels(spawn.namespace).catch(() => undefined)
      : undefined;
    return deps.hubs.forPod({
      namespace: spawn.namespace,
      ...(pod.metadata?.labels ? { labels: pod.metadata.labels } : {}),
      ...(namespaceLabels ? { namespaceLabels } : {}),
    });
  }

  // One stop per pod UID at a time in this process: a second call joins the running one.
  const stopping = new Map<string, Promise<StopResult>>();

  function stopOnce(input: StopInput): Promise<StopResult> {
    const running = stopping.get(input.spawn.uid);
    if (running) return running;
    const p = stop(input).finally(() => stopping.delete(input.spawn.uid));
    stopping.set(input.spawn.uid, p);
    return p;
  }

  async function stop(input: StopInput): Promise<StopResult> {
    const { spawn } = input;
    const ctx = {
      namespace: spawn.namespace,
      pod: spawn.pod,
      uid: spawn.uid,
      user: spawn.user,
      server: spawn.server,
      category: input.annotation.category,
    };
    const result: StopResult = { outcome: 'failed', eventsDeleted: 0, notes: [] };
    const note = (text: string) => result.notes.push(text);
    try {
      // 0. The live pod must still be this spawn's single-user pod.
      const live = await livePod(spawn);
      if (!('pod' in live)) {
        note(`not stopped: ${live.reason}`);
        if (live.gone && deps.config.cleanupEvents) result.eventsDeleted = await cleanupEvents(spawn);
        log.warn({ ...ctx, reason: live.reason }, 'stop skipped');
        return result;
      }
      const valid = validAnnotation(input.annotation);
      if (!valid.ok) {
        observe('announce', 'error', 0);
        note(valid.error);
        log.error({ ...ctx, error: valid.error }, 'not announcing an invalid diagnosis');
        return result;
      }
      if (valid.note) note(valid.note);

      // 1. The hub that owns the pod: its progress stream must exist (else the pod is not its own).
      const hub = await resolveHub(spawn, live.pod);
      const opened = hub ? await openStream(hub, spawn) : undefined;
      if (hub && opened?.notOurs) {
        observe('await-stream', 'skipped', 0);
        observe('cancel', 'skipped', 0);
        note(`hub ${hub.name} does not know this server (${opened.notOurs}): not its pod, nothing done`);
        log.warn({ ...ctx, hub: hub.name }, 'the hub does not know this server: leaving the pod alone');
        return result;
      }
      if (opened?.problem) note(`hub progress stream: ${opened.problem}`);

      try {
        // 2. Announce.
        const { event, created } = await timed('announce', () => announce(spawn, valid.json, input.sentence));
        result.announcedAt = created
          ? now()
          : new Date(String(event.firstTimestamp ?? event.metadata?.creationTimestamp ?? now()));
        if (!created) note('diagnosis event already existed (an earlier attempt)');

        // 3. Let the hub's stream carry it (bounded).
        if (hub && opened?.stream) {
          const t0 = performance.now();
          const carried = await awaitCarried(hub, opened.stream, opened.abort, event);
          observe('await-stream', carried === 'carried' ? 'ok' : 'error', (performance.now() - t0) / 1000);
          // Every open progress stream (the user's browser, not only ours) polls KubeSpawner's
          // events once a second, and JupyterHub drops what was not yet yielded when the spawn
          // ends: give them all one more poll before cancelling.
          if (carried === 'carried') await sleep(1500);
          if (carried !== 'carried') {
            note(
              `hub progress stream ${carried === 'ended' ? 'ended before it carried the diagnosis' : 'did not carry the diagnosis in time'}`,
            );
          }
        } else {
          observe('await-stream', hub ? 'error' : 'skipped', 0);
        }
      } finally {
        opened?.abort.abort();
      }

      // 4. Cancel through the hub; else (or if it cannot) delete the pod.
      let fallback: string | undefined;
      if (!hub) {
        observe('cancel', 'skipped', 0);
        fallback = 'no hub configured for this pod: deleting the pod; the hub gives up only at start_timeout';
      } else {
        const t1 = performance.now();
        const cancel = await hub.cancelSpawn(spawn.user, spawn.server);
        const seconds = (performance.now() - t1) / 1000;
        if (cancel.kind === 'accepted') {
          observe('cancel', 'ok', seconds);
          result.outcome = 'cancelled';
          result.endedAt = now();
          log.info({ ...ctx, hub: hub.name, status: cancel.status }, 'spawn cancelled through the hub');
        } else if (cancel.kind === 'not-found') {
          observe('cancel', 'error', seconds);
          note(`hub ${hub.name} does not know this server (${cancel.message}): not its pod, left alone`);
          return result;
        } else {
          observe('cancel', 'error', seconds);
          fallback =
            cancel.kind === 'pending-refused'
              ? `JupyterHub older than 5.1 cannot cancel a pending spawn (${cancel.message}): deleting the pod; the hub gives up only at start_timeout`
              : `hub ${hub.name} did not cancel (${cancel.kind}${'status' in cancel && cancel.status ? ` ${cancel.status}` : ''}: ${cancel.message}): deleting the pod; the hub gives up only at start_timeout`;
        }
      }

      if (fallback) {
        note(fallback);
        log.warn({ ...ctx, hub: hub?.name }, fallback);
        const r = await timed('delete-pod', () => deletePod(spawn));
        if (r === 'refused') {
          note('pod deletion refused by the safety check');
          return result;
        }
        result.outcome = 'pod-deleted';
        result.endedAt = now();
      }

      // 4. Once the pod is gone, its Events go too.
      let gone = await waitPodGone(spawn, goneWaitMs);
      if (!gone && result.outcome === 'cancelled') {
        // The hub accepted but the pod lingers (e.g. the hub's stop failed): end it ourselves.
        note('pod still present after the hub cancelled: deleting it');
        const r = await timed('delete-pod', () => deletePod(spawn));
        if (r !== 'refused') gone = await waitPodGone(spawn, goneWaitMs);
      }
      if (!gone) {
        note('pod did not disappear in time: its events are kept for now');
      } else if (deps.config.cleanupEvents) {
        result.eventsDeleted = await cleanupEvents(spawn);
      }
      log.info(
        { ...ctx, outcome: result.outcome, eventsDeleted: result.eventsDeleted, notes: result.notes },
        'stop done',
      );
      return result;
    } catch (err) {
      const text = kubeErrorText(err);
      note(`stop failed: ${text}`);
      log.error({ ...ctx, err: text }, 'stop failed');
      return result;
    }
  }

  async function announceProgress(
    spawn: SpawnRef,
    annotation: DiagnosisAnnotation,
    sentence: string,
  ): Promise<void> {
    const valid = validAnnotation(annotation);
    if (!valid.ok) {
      observe('progress', 'error', 0);
      log.error(
        { namespace: spawn.namespace, pod: spawn.pod, error: valid.error },
        'not announcing invalid progress',
      );
      return;
    }
    const content = `${sentence}\n${valid.json}`;
    if (lastProgress.get(spawn.uid) === content) {
      observe('progress', 'skipped', 0);
      return;
    }
    const live = await livePod(spawn);
    if (!('pod' in live)) {
      observe('progress', 'skipped', 0);
      log.debug({ namespace: spawn.namespace, pod: spawn.pod, reason: live.reason }, 'no progress note');
      return;
    }
    await timed('progress', async () => {
      const at = now();
      try {
        await kube('create progress event', () =>
          core.createNamespacedEvent({
            namespace: spawn.namespace,
            body: progressEvent({ spawn, annotationJson: valid.json, sentence, now: at, instance }),
          }),
        );
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
        const name = progressEventName(spawn);
        const existing = await kube('read progress event', () =>
          core.readNamespacedEvent({ name, namespace: spawn.namespace }),
        );
        const same =
          existing.message === sentence &&
          existing.metadata?.annotations?.['spawn-doctor/diagnosis'] === valid.json;
        if (!same) {
          await kube('patch progress event', () =>
            core.patchNamespacedEvent({
              name,
              namespace: spawn.namespace,
              body: progressPatch({ spawn, annotationJson: valid.json, sentence, now: at }, existing.count),
            }),
          );
        }
      }
    });
    if (lastProgress.size >= PROGRESS_CACHE_MAX)
      lastProgress.delete(lastProgress.keys().next().value as string);
    lastProgress.set(spawn.uid, content);
  }

  async function alreadyStopped(spawn: SpawnRef): Promise<boolean> {
    const events = await listEventsOf(spawn);
    return events.some((e) => isOwnDiagnosis(e, spawn.uid));
  }

  return { stop: stopOnce, announceProgress, alreadyStopped, cleanupEvents };
}
