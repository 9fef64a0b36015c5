// Wiring of `spawn-doctor run`: Kubernetes informers → Doctor (tracker, classify, policy) →
// plugins → actions, with leader election and the status server. I/O lives here and at the edges.
import { hostname } from 'node:os';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import pino, { type Logger } from 'pino';
import { createActions } from '../actions/index.js';
import type { ActionsPort } from '../actions/types.js';
import { createCapacityProvider } from '../advice/capacity/index.js';
import type { CapacityProvider } from '../advice/capacity/types.js';
import type { Config } from '../config/schema.js';
import type { KubeEvent, PodLike } from '../diagnosis/types.js';
import { createHubRegistry } from '../hub/registry.js';
import { AttachmentIndex, attachmentInformers } from '../kube/attachments.js';
import { createKubeClients, type KubeClients, statusOf } from '../kube/client.js';
import { Informer } from '../kube/informer.js';
import { LeaderElector } from '../kube/leader.js';
import { eventSource, podSource } from '../kube/sources.js';
import { loadPluginHost } from '../plugins/loader.js';
import type { PluginHost } from '../plugins/types.js';
import { type StatusServer, startStatusServer } from '../server/http.js';
import { Metrics } from '../server/metrics.js';
import { Doctor, NOOP_PLUGINS } from './doctor.js';

export { Doctor, NOOP_PLUGINS } from './doctor.js';

export interface ServiceOptions {
  config: Config;
  /** A kubeconfig file; default KUBECONFIG / ~/.kube/config / in-cluster. */
  kubeconfig?: string;
  log?: Logger;
  env?: Record<string, string | undefined>;
  /** Replacements (tests); defaults are built from the config. */
  kube?: KubeClients;
  actions?: ActionsPort;
  plugins?: PluginHost;
  /** null: classify without a capacity snapshot. */
  capacity?: CapacityProvider | null;
  identity?: string;
  /** Skip the HTTP server (tests that do not need it). */
  noServer?: boolean;
}

export interface RunningService {
  doctor: Doctor;
  metrics: Metrics;
  server?: StatusServer;
  log: Logger;
  synced(): boolean;
  leader(): boolean;
  close(): Promise<void>;
}

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'spawn-doctor' }, timestamp: pino.stdTimeFunctions.isoTime });
}

export async function startService(opts: ServiceOptions): Promise<RunningService> {
  const { config } = opts;
  const env = opts.env ?? process.env;
  const log = opts.log ?? createLogger(config.logLevel);
  const kube = opts.kube ?? createKubeClients(opts.kubeconfig);
  const metrics = new Metrics({ defaultMetrics: true });

  const hubs = createHubRegistry(config.hubs, { baseDir: config.baseDir, env });
  const needsNamespaceLabels = config.hubs.some((h) => h.namespaceSelector !== undefined);
  const actions =
    opts.actions ??
    createActions({
      core: kube.core,
      hubs,
      config: {
        cleanupEvents: config.cleanupEvents,
        progressStreamWaitSeconds: config.progressStreamWaitSeconds,
        podSelector: config.kube.podSelector,
      },
      log: log.child({ component: 'actions' }),
      observe: (action, result) => {
        metrics.actions.inc({ action, result });
        if (result === 'error') metrics.actionFailures.inc({ action });
      },
      ...(needsNamespaceLabels
        ? {
            namespaceLabels: async (namespace: string) =>
              (await kube.core.readNamespace({ name: namespace })).metadata?.labels ?? undefined,
          }
        : {}),
    });
  const plugins =
    opts.plugins ??
    (await loadPluginHost(
      { plugins: config.plugins, advisor: config.advisor, baseDir: config.baseDir },
      {
        logger: log.child({ component: 'plugins' }),
        registry: metrics.registry,
        kubeConfig: kube.config,
        env,
      },
    ));
  let capacity: CapacityProvider | undefined;
  if (opts.capacity !== null) {
    try {
      capacity = opts.capacity ?? createCapacityProvider(config.advisor, { kubeConfig: kube.config });
    } catch (err) {
      log.warn({ err: String(err) }, 'no capacity source: scheduling diagnoses are text-only');
    }
  }

  // Leadership: without election this replica always leads.
  const le = config.leaderElection;
  let elector: LeaderElector | undefined;
  const informers: Informer<{ metadata?: object }>[] = [];
  const synced = () => informers.length > 0 && informers.every((i) => i.synced);
  const leader = () => (elector ? elector.isLeader : true);

  // VolumeAttachments of watched CSI drivers (a stuck sshfs attach in seconds, not 2 minutes).
  const aw = config.volumeAttachments;
  const attachments = aw.timeoutSeconds > 0 && aw.drivers.length > 0 ? new AttachmentIndex(aw) : undefined;
  const d = new Doctor({
    config,
    actions,
    log,
    metrics,
    plugins: plugins ?? NOOP_PLUGINS,
    ...(capacity ? { capacity } : {}),
    ...(attachments ? { attachments } : {}),
    canAct: () => leader() && synced(),
  });

  const namespaces: (string | undefined)[] = config.kube.namespaces.length
    ? config.kube.namespaces
    : [undefined];
  const onSynced = () => {
    if (!synced()) return;
    metrics.synced.set(1);
    log.info({ informers: informers.length }, 'informers synced');
    d.evaluateAll();
  };
  const restart = (name: string) => (reason: string, err?: unknown) => {
    metrics.watchRestarts.inc({ informer: name, reason });
    const level = reason === 'error' ? 'warn' : 'debug';
    log[level](
      { informer: name, reason, ...(err ? { err: String(err), status: statusOf(err) } : {}) },
      'watch restarted',
    );
  };
  const resyncMs = config.kube.resyncSeconds * 1000;
  for (const ns of namespaces) {
    const scope = ns ?? 'cluster';
    informers.push(
      new Informer<V1Pod>(
        `pods/${scope}`,
        podSource(kube, ns, config.kube.podSelector),
        {
          upsert: (p) => d.podUpserted(p as PodLike),
          delete: (p) => d.podDeleted(p as PodLike),
          restart: restart(`pods/${scope}`),
          synced: onSynced,
        },
        { resyncMs, statusOf },
      ) as Informer<{ metadata?: object }>,
      new Informer<CoreV1Event>(
        `events/${scope}`,
        eventSource(kube, ns),
        {
          upsert: (e) => d.eventUpserted(e as KubeEvent),
          delete: (e) => d.eventDeleted(e as KubeEvent),
          restart: restart(`events/${scope}`),
          synced: onSynced,
        },
        { resyncMs, statusOf },
      ) as Informer<{ metadata?: object }>,
    );
  }

  const optional = attachments
    ? attachmentInformers(
        kube,
        attachments,
        (claims) => d.attachmentsChanged(claims),
        { resyncMs, statusOf },
        restart,
      )
    : [];

  if (le.enabled) {
    const namespace = le.namespace ?? env.POD_NAMESPACE!;
    const identity = opts.identity ?? `${hostname()}-${process.pid}`;
    elector = new LeaderElector(kube.coordination, {
      namespace,
      name: le.leaseName,
      identity,
      leaseDurationSeconds: le.leaseDurationSeconds,
      renewSeconds: le.renewSeconds,
      onChange: (isLeader) => {
        metrics.leader.set(isLeader ? 1 : 0);
        log.info(
          { identity, lease: `${namespace}/${le.leaseName}` },
          isLeader ? 'became the leader' : 'not the leader',
        );
        if (isLeader) d.evaluateAll();
      },
      onError: (err) =>
        log.warn({ err: String(err), status: statusOf(err) }, 'leader election: API call failed'),
    });
    elector.start();
  } else {
    metrics.leader.set(1);
  }
  for (const i of [...informers, ...optional]) i.start();

  let server: StatusServer | undefined;
  if (!opts.noServer) {
    server = await startStatusServer(
      config.server,
      { synced, leader, leaderElection: le.enabled, recent: () => d.recent() },
      metrics,
    );
    log.info({ url: server.url }, 'status server listening');
  }
  log.info(
    {
      config: config.source,
      namespaces: config.kube.namespaces.length ? config.kube.namespaces : 'all',
      podSelector: config.kube.podSelector,
      hubs: config.hubs.map((h) => h.name),
      leaderElection: le.enabled,
    },
    'spawn-doctor running',
  );

  let closed = false;
  return {
    doctor: d,
    metrics,
    ...(server ? { server } : {}),
    log,
    synced,
    leader,
    async close() {
      if (closed) return;
      closed = true;
      for (const i of [...informers, ...optional]) i.stop();
      await d.close();
      await elector?.stop();
      await plugins?.close().catch(() => undefined);
      await server?.close();
    },
  };
}
