// The actions port (src/actions/types.ts) on a real cluster and hub. The stop itself is
// stop.ts (one procedure, one step a module); this file only builds what the steps share.
import { hostname } from 'node:os';
import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api as CoreV1ApiClass } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { HubRegistry } from '../hub/registry.js';
import { parseSelector } from '../kube/selector.js';
import { Sweeper } from './cleanup.js';
import { kubeCaller, type StopDeps } from './context.js';
import { StopLedger } from './ledger.js';
import { progressNotes } from './progress.js';
import { runStop } from './stop.js';
import type { ActionObserver, ActionsPort } from './types.js';

export { isOwnDiagnosis, isOwnEvent } from './events.js';
export type {
  ActionObserver,
  ActionsPort,
  Announcement,
  StopInput,
  StopOutcome,
  StopResult,
} from './types.js';

export interface ActionsConfig {
  cleanupEvents: boolean;
  /** How long to wait for the hub's progress stream to carry the diagnosis (default 3 s). */
  progressStreamWaitSeconds?: number;
  /** Which pods are JupyterHub single-user pods (default `component=singleuser-server`). */
  podSelector?: string;
  /** How long to wait for the pod to disappear after the cancel or the deletion (default 60 s). */
  podGoneWaitSeconds?: number;
  /** How long a hub that does not answer is asked again before the pod is deleted instead (default 20 s). */
  hubUnansweredSeconds?: number;
}

export interface ActionsDeps {
  /** Either a ready CoreV1Api or a KubeConfig to make one from. */
  core?: CoreV1Api;
  kubeConfig?: KubeConfig;
  hubs: HubRegistry;
  config: ActionsConfig;
  log: Logger;
  observe?: ActionObserver;
  /** reportingInstance of our Events and the stop record's `by`; the hostname by default. */
  instance?: string;
  /** Retry policy for Kubernetes calls (an API server restart takes seconds). */
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /** Labels of a namespace, for hubs chosen by namespaceSelector (needs `namespaces get`). */
  namespaceLabels?: (namespace: string) => Promise<Record<string, string> | undefined>;
  now?: () => Date;
  /** After a failed stop, how long until it may be tried again (default 15 s). */
  retryFailedMs?: number;
}

export function createActions(deps: ActionsDeps): ActionsPort {
  const core = deps.core ?? deps.kubeConfig?.makeApiClient(CoreV1ApiClass);
  if (!core) throw new Error('createActions: give core (CoreV1Api) or kubeConfig');
  const cfg = deps.config;
  const d: StopDeps = {
    core,
    hubs: deps.hubs,
    log: deps.log,
    observe: deps.observe ?? (() => undefined),
    selector: parseSelector(cfg.podSelector ?? 'component=singleuser-server'),
    instance: deps.instance ?? hostname(),
    now: deps.now ?? (() => new Date()),
    cleanupEvents: cfg.cleanupEvents,
    timing: {
      streamWaitMs: Math.max(0, (cfg.progressStreamWaitSeconds ?? 3) * 1000),
      afterCarriedMs: 1500,
      hubAnswerMs: 1000,
      connectMs: 10_000,
      unknownBudgetMs: Math.max(0, (cfg.hubUnansweredSeconds ?? 20) * 1000),
      goneWaitMs: Math.max(0, (cfg.podGoneWaitSeconds ?? 60) * 1000),
    },
    kube: kubeCaller(deps.log, deps.retry ?? { attempts: 8, baseDelayMs: 250, maxDelayMs: 4000 }),
    ...(deps.namespaceLabels ? { namespaceLabels: deps.namespaceLabels } : {}),
  };
  const ledger = new StopLedger(
    deps.retryFailedMs !== undefined ? { retryFailedMs: deps.retryFailedMs } : {},
  );
  const sweeper = new Sweeper(d);
  const notes = progressNotes(d);
  return {
    stop: (input) => ledger.run(input.spawn.uid, () => runStop(d, sweeper, input)),
    announceProgress: notes.announceProgress,
    observeEvent: (event) => {
      sweeper.observe(event);
      notes.observeEvent(event);
    },
    observePod: (pod) => notes.observePod(pod),
  };
}
