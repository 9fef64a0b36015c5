// Counters of the advisor and the plugin host, created on the registry the service passes in.
// Get-or-create, so that two hosts on one registry (tests, a reload) never collide.
import { Counter, Histogram, type Registry } from 'prom-client';

export function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]) {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

export function histogram<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
  buckets: number[],
) {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<L>;
  return new Histogram<L>({ name, help, labelNames, buckets, registers: [registry] });
}

export function advisorMetrics(registry: Registry) {
  return {
    runs: counter(registry, 'spawn_doctor_advisor_runs_total', 'Advisor runs by result.', ['result']),
    dropped: counter(
      registry,
      'spawn_doctor_advisor_suggestions_dropped_total',
      'Suggestions the verifier dropped, by source and reason.',
      ['source', 'reason'],
    ),
    llm: counter(registry, 'spawn_doctor_advisor_llm_requests_total', 'LLM calls by outcome.', ['outcome']),
    llmSeconds: histogram(
      registry,
      'spawn_doctor_advisor_llm_seconds',
      'LLM latency (cache hits excluded).',
      ['outcome'],
      [0.25, 0.5, 1, 2, 4, 8, 16],
    ),
    capacitySeconds: histogram(
      registry,
      'spawn_doctor_advisor_capacity_seconds',
      'Time to read a capacity snapshot.',
      ['source'],
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    ),
  };
}
