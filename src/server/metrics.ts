// Prometheus metrics of the service. One Registry per service instance (tests run several).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120, 300, 600];

export class Metrics {
  readonly registry = new Registry();
  /** A diagnosis that is new for its pod (first one, or the category changed), by the decision taken. */
  readonly diagnoses = new Counter({
    name: 'spawn_doctor_diagnoses_total',
    help: 'Diagnoses new for their pod, by category and the decision taken (wait, notify, stop).',
    labelNames: ['category', 'action'] as const,
    registers: [this.registry],
  });
  readonly toAnnouncement = new Histogram({
    name: 'spawn_doctor_announce_seconds',
    help: 'Seconds from the decisive event to the SpawnDiagnosis event.',
    labelNames: ['category'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly toCancellation = new Histogram({
    name: 'spawn_doctor_cancel_seconds',
    help: 'Seconds from the decisive event to the cancelled spawn (or deleted pod).',
    labelNames: ['category', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly actions = new Counter({
    name: 'spawn_doctor_actions_total',
    help: 'Action attempts (announce, progress, cancel, delete-pod, cleanup-events, await-stream) by result.',
    labelNames: ['action', 'result'] as const,
    registers: [this.registry],
  });
  readonly actionFailures = new Counter({
    name: 'spawn_doctor_action_failures_total',
    help: 'Failed action attempts, by action.',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  readonly stops = new Counter({
    name: 'spawn_doctor_stops_total',
    help: 'Stopped spawns by outcome (cancelled, pod-deleted, ended, not-ours, failed).',
    labelNames: ['category', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly watchRestarts = new Counter({
    name: 'spawn_doctor_watch_restarts_total',
    help: 'Watch restarts by informer and reason (gone = 410 relist, error, closed, resync).',
    labelNames: ['informer', 'reason'] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'spawn_doctor_leader',
    help: '1 while this replica is the leader (or leader election is off).',
    registers: [this.registry],
  });
  readonly synced = new Gauge({
    name: 'spawn_doctor_informers_synced',
    help: '1 once every informer has listed.',
    registers: [this.registry],
  });
  readonly tracked = new Gauge({
    name: 'spawn_doctor_tracked_pods',
    help: 'Singleuser pods tracked (incl. recently deleted ones).',
    registers: [this.registry],
  });
  readonly evaluationErrors = new Counter({
    name: 'spawn_doctor_evaluation_errors_total',
    help: 'Unexpected errors while evaluating a pod (logged; the service keeps going).',
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'spawn_doctor_' });
  }
}
