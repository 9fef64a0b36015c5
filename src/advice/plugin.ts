// The built-in advisor, a plugin like any site's (DESIGN section 5): for `scheduling.*` and
// `runtime.oom_killed` it reads capacity, runs the solver, optionally asks the LLM, verifies every
// suggestion and adds the survivors as advice with a `request` in the demo form's units.
import type { Registry } from 'prom-client';
import type { Advice } from '../diagnosis/annotation.js';
import { requestedResources } from '../diagnosis/quantity.js';
import type { CapacitySnapshot, PodLike, ResourceMap } from '../diagnosis/types.js';
import type { DiagnosisContext, Plugin } from '../plugins/types.js';
import { ksmSanitize } from './capacity/prometheus.js';
import type { CapacityProvider } from './capacity/types.js';
import type { AdvisorConfig } from './config.js';
import { extrasOf, GIB, type Placement, placementOf } from './fit.js';
import type { LlmAdvisor, LlmInput } from './llm.js';
import { advisorMetrics } from './metrics.js';
import { type AllowedValues, gpuKindsOf, type SolverResult, solve } from './solver.js';
import { freeNowAdvice, impossibleAdvice, NOTHING_FITS, suggestionAdvice } from './texts.js';
import { verifySuggestions } from './verify.js';

export const ADVISOR_PLUGIN_NAME = 'advisor';

export interface AdvisorDeps {
  provider: CapacityProvider;
  llm?: LlmAdvisor;
  registry: Registry;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/** After an OOM kill the failed pod still holds its node's resources until it is gone; give them back. */
export function releasePod(
  snapshot: CapacitySnapshot,
  pod: PodLike,
  requested: ResourceMap,
): CapacitySnapshot {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName || TERMINAL.has(pod.status?.phase ?? '')) return snapshot;
  return {
    ...snapshot,
    nodes: snapshot.nodes.map((n) => {
      if (n.name !== nodeName) return n;
      const free = { ...n.free };
      for (const [res, v] of Object.entries(requested)) {
        if (res in n.allocatable) free[res] = Math.min(n.allocatable[res]!, (free[res] ?? 0) + v);
      }
      return { ...n, free };
    }),
  };
}

/** kube-state-metrics keeps node labels under sanitised keys; match the pod's selector the same way. */
export function placementFor(snapshot: CapacitySnapshot, placement: Placement): Placement {
  if (snapshot.source !== 'prometheus') return placement;
  const nodeSelector: Record<string, string> = {};
  for (const [k, v] of Object.entries(placement.nodeSelector)) nodeSelector[ksmSanitize(k)] = v;
  return { ...placement, nodeSelector };
}

/** The largest admitting node's allocatable per requested resource, in form units (for the LLM). */
function largestNode(result: SolverResult) {
  const { cpu = 0, memory = 0, ...rest } = result.largestAllocatable;
  return { cpu, memory: Math.floor(memory / GIB), gpu: rest };
}

export function handles(category: string): boolean {
  return category.startsWith('scheduling.') || category === 'runtime.oom_killed';
}

export function createAdvisorPlugin(config: AdvisorConfig, deps: AdvisorDeps): Plugin {
  const m = advisorMetrics(deps.registry);
  const allowed: AllowedValues = config.allowed;

  async function onDiagnosis(ctx: DiagnosisContext): Promise<void> {
    const { diagnosis, pod } = ctx;
    if (!handles(diagnosis.category) || diagnosis.category === 'scheduling.no_matching_node') return;
    const requested =
      diagnosis.params.requested && Object.keys(diagnosis.params.requested).length > 0
        ? { ...diagnosis.params.requested }
        : requestedResources(pod as PodLike);
    const started = performance.now();
    let snapshot: CapacitySnapshot;
    try {
      snapshot = await deps.provider.snapshot(ctx.signal);
      m.capacitySeconds.observe(
        { source: snapshot.source ?? 'unknown' },
        (performance.now() - started) / 1000,
      );
    } catch (err) {
      m.runs.inc({ result: 'capacity-error' });
      ctx.log.warn({ err: (err as Error)?.message ?? String(err) }, 'advisor: capacity unavailable');
      return;
    }
    const oom = diagnosis.category === 'runtime.oom_killed';
    if (oom) snapshot = releasePod(snapshot, pod as PodLike, requested);
    const placement = placementFor(snapshot, placementOf(pod as PodLike));
    const result = solve({
      requested,
      placement,
      snapshot,
      allowed,
      mode: oom ? 'more-memory' : 'shrink',
      max: config.maxSuggestions,
    });

    if (result.eligibleNodes === 0) {
      m.runs.inc({ result: 'no-eligible-node' });
      return;
    }
    if (result.fitsNow && !oom) {
      m.runs.inc({ result: 'fits-now' });
      const o = result.original;
      const req = { cpu: o.cpu, memory: o.memory, gpu: o.gpu, gpu_count: o.gpu_count };
      ctx.addAdvice(
        o.cpu > 0 && o.memory > 0 ? freeNowAdvice(req) : { ...freeNowAdvice(req), request: undefined },
      );
      return;
    }
    const advice: Advice[] = [];
    if (result.impossible && !oom) advice.push(impossibleAdvice(result.largestAllocatable));

    const extras = extrasOf(requested, gpuKindsOf(requested, allowed));
    const solverRequests = result.suggestions.map((s) => s.request);
    let chosen = solverRequests;
    if (deps.llm && result.feasible.length > 0) {
      const input: LlmInput = {
        category: diagnosis.category,
        failed: result.original,
        allowed,
        feasible: result.feasible,
        solver: solverRequests,
        largestNode: largestNode(result),
      };
      const outcome = await deps.llm.advise(input, ctx.signal);
      m.llm.inc({ outcome: outcome.ok ? (outcome.cached ? 'cached' : 'ok') : outcome.reason });
      if (!(outcome.ok && outcome.cached))
        m.llmSeconds.observe({ outcome: outcome.ok ? 'ok' : outcome.reason }, outcome.ms / 1000);
      if (outcome.ok) {
        const verified = verifySuggestions(outcome.suggestions, { snapshot, allowed, placement, extras });
        for (const d of verified.dropped) m.dropped.inc({ source: 'llm', reason: d.reason });
        if (verified.dropped.length > 0) {
          ctx.log.info(
            { dropped: verified.dropped },
            'advisor: dropped LLM suggestions that would not start',
          );
        }
        if (outcome.explanationDropped) ctx.log.warn({}, 'advisor: LLM explanation not shown (unsafe text)');
        if (outcome.explanation) advice.push({ ...outcome.explanation });
        // The LLM's verified picks first, then the solver's, without duplicates, up to the limit.
        const seen = new Set<string>();
        chosen = [];
        for (const r of [...verified.kept.map((k) => k.request), ...solverRequests]) {
          const key = `${r.cpu}|${r.memory}|${r.gpu}|${r.gpu_count}`;
          if (seen.has(key) || chosen.length >= config.maxSuggestions) continue;
          seen.add(key);
          chosen.push(r);
        }
      } else {
        ctx.log.info(
          { reason: outcome.reason, detail: outcome.detail },
          'advisor: LLM unavailable, solver only',
        );
      }
    }
    // Belt and braces: even the solver's own picks pass the verifier before a user sees them.
    const final = verifySuggestions(chosen, { snapshot, allowed, placement, extras });
    for (const d of final.dropped) m.dropped.inc({ source: 'final', reason: d.reason });
    for (const k of final.kept) advice.push(suggestionAdvice(k.request));
    if (final.kept.length === 0 && !result.impossible) advice.push(NOTHING_FITS);
    m.runs.inc({ result: final.kept.length > 0 ? 'suggested' : result.impossible ? 'impossible' : 'none' });
    for (const a of advice) ctx.addAdvice(a);
  }

  return { name: ADVISOR_PLUGIN_NAME, onDiagnosis };
}
