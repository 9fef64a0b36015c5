// What every step of a stop works with: the Kubernetes client (with retries), the hubs, the log,
// the observer for metrics, and the timing knobs. Built once by createActions.
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { HubClient } from '../hub/client.js';
import type { HubRegistry } from '../hub/registry.js';
import { retry } from '../hub/retry.js';
import type { Selector } from '../kube/selector.js';
import type { SpawnRef } from '../plugins/types.js';
import { isRetryableKube, kubeErrorText } from './kube-errors.js';
import type { ActionObserver } from './types.js';

export interface StopTiming {
  /** How long to wait for our progress stream to carry the diagnosis (default 3 s). */
  streamWaitMs: number;
  /**
   * After our stream carried it: one more poll of every other open stream (KubeSpawner polls its
   * Events once a second and JupyterHub drops what was not yet yielded when the spawn ends).
   */
  afterCarriedMs: number;
  /** How long to wait for the hub's first answer before announcing anyway (a hanging hub). */
  hubAnswerMs: number;
  /** How long the progress stream may take to open. */
  connectMs: number;
  /** How long a check that cannot tell (the hub does not answer) is repeated before falling back. */
  unknownBudgetMs: number;
  /** How long to wait for the pod to disappear after the cancel or the deletion (default 60 s). */
  goneWaitMs: number;
}

export interface StopDeps {
  core: CoreV1Api;
  hubs: HubRegistry;
  log: Logger;
  observe: ActionObserver;
  selector: Selector;
  /** This replica: reportingInstance of our Events and the `by` of the stop record. */
  instance: string;
  now: () => Date;
  cleanupEvents: boolean;
  timing: StopTiming;
  /** A Kubernetes call retried on network errors, 429 and 5xx. */
  kube: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
  /** Labels of a namespace, for hubs chosen by namespaceSelector. */
  namespaceLabels?: (namespace: string) => Promise<Record<string, string> | undefined>;
}

export function kubeCaller(
  log: Logger,
  policy: { attempts: number; baseDelayMs: number; maxDelayMs: number },
): StopDeps['kube'] {
  return (what, fn) =>
    retry(fn, {
      ...policy,
      retryable: isRetryableKube,
      onRetry: (err, attempt, delayMs) =>
        log.warn({ what, attempt, delayMs, err: kubeErrorText(err) }, 'retrying a Kubernetes call'),
    });
}

/** Times one action for the observer (metrics): ok or error, and how long it took. */
export async function timed<T>(
  d: Pick<StopDeps, 'observe'>,
  action: Parameters<ActionObserver>[0],
  fn: () => Promise<T>,
): Promise<T> {
  const t0 = performance.now();
  try {
    const v = await fn();
    d.observe(action, 'ok', (performance.now() - t0) / 1000);
    return v;
  } catch (err) {
    d.observe(action, 'error', (performance.now() - t0) / 1000);
    throw err;
  }
}

/** The hub that owns the pod, by the configured hubs (namespaces, namespace or pod labels). */
export async function hubOf(d: StopDeps, spawn: SpawnRef, pod?: V1Pod): Promise<HubClient | undefined> {
  const namespaceLabels = d.namespaceLabels
    ? await d.namespaceLabels(spawn.namespace).catch(() => undefined)
    : undefined;
  return d.hubs.forPod({
    namespace: spawn.namespace,
    ...(pod?.metadata?.labels ? { labels: pod.metadata.labels } : {}),
    ...(namespaceLabels ? { namespaceLabels } : {}),
  });
}

/** Log fields of a spawn. */
export function spawnFields(spawn: SpawnRef): Record<string, string> {
  return {
    namespace: spawn.namespace,
    pod: spawn.pod,
    uid: spawn.uid,
    user: spawn.user,
    server: spawn.server,
  };
}
