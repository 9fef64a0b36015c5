import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { advisorConfigSchema } from '../../../src/advice/config.js';
import { createAdvisorPlugin, placementFor, releasePod } from '../../../src/advice/plugin.js';
import type { Advice, LocalizedText } from '../../../src/diagnosis/annotation.js';
import type { CapacitySnapshot, Category, Diagnosis, PodLike } from '../../../src/diagnosis/types.js';
import type { DiagnosisContext } from '../../../src/plugins/types.js';
import { ALLOWED, GiB, node, testbedSnapshot } from './capacity-fixtures.js';

const config = advisorConfigSchema.parse({ enabled: true, allowed: ALLOWED });

function podRequesting(
  requests: Record<string, string>,
  extra: Partial<NonNullable<PodLike['spec']>> = {},
): PodLike {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: { containers: [{ name: 'nb', resources: { requests } }], ...extra },
  };
}

async function run(category: Category, pod: PodLike, snapshot: CapacitySnapshot | Error) {
  const registry = new Registry();
  const plugin = createAdvisorPlugin(config, {
    registry,
    provider: {
      snapshot: async () => {
        if (snapshot instanceof Error) throw snapshot;
        return snapshot;
      },
    },
  });
  const advice: Advice[] = [];
  const notes: LocalizedText[] = [];
  const diagnosis: Diagnosis = { category, severity: 'error', action: 'stop', params: {}, evidence: [] };
  const ctx: DiagnosisContext = {
    diagnosis,
    pod,
    spawn: { namespace: 'ns', pod: 'p', uid: 'u', user: 'x', server: '' },
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    addAdvice: (a) => advice.push(a),
    addNote: (n) => notes.push(n),
  };
  await plugin.onDiagnosis?.(ctx);
  const runs = await registry.getSingleMetric('spawn_doctor_advisor_runs_total')?.get();
  return {
    advice,
    notes,
    results: Object.fromEntries(runs?.values.map((v) => [v.labels.result, v.value]) ?? []),
  };
}

describe('advisor plugin (no LLM)', () => {
  it('unsatisfiable: says what the largest node offers, then the suggestions, each with a request', async () => {
    const r = await run(
      'scheduling.unsatisfiable',
      podRequesting({ cpu: '64', memory: '16Gi', 'nvidia.com/gpu': '4' }),
      testbedSnapshot(),
    );
    assert.match(r.advice[0]!.en, /No node .* 64 CPU, 512 GiB, 2 × nvidia\.com\/gpu/);
    assert.equal(r.advice[0]!.request, undefined);
    assert.deepEqual(r.advice[1]!.request, {
      cpu: 64,
      memory: 16,
      gpu: 'nvidia.com/mig-1g.10gb',
      gpu_count: 4,
    });
    assert.match(r.advice[1]!.cs, /Požádejte o 64 CPU, 16 GiB paměti a 4 × nvidia\.com\/mig-1g\.10gb/);
    assert.deepEqual(r.results, { suggested: 1 });
  });

  it('a request that fits now: says so and offers the same request again', async () => {
    const r = await run(
      'scheduling.insufficient_resources',
      podRequesting({ cpu: '2', memory: '4Gi' }),
      testbedSnapshot(),
    );
    assert.equal(r.advice.length, 1);
    assert.deepEqual(r.advice[0]!.request, { cpu: 2, memory: 4, gpu: 'none', gpu_count: 0 });
    assert.deepEqual(r.results, { 'fits-now': 1 });
  });

  it('after an OOM kill suggests more memory, counting the failed pod’s own share as free', async () => {
    const snapshot: CapacitySnapshot = {
      nodes: [node('n', { cpu: 8, memory: 16 * GiB }, { used: { cpu: 4, memory: 12 * GiB } })],
    };
    const pod = {
      ...podRequesting({ cpu: '4', memory: '4Gi' }, { nodeName: 'n' }),
      status: { phase: 'Running' },
    };
    const r = await run('runtime.oom_killed', pod, snapshot);
    assert.deepEqual(
      r.advice.map((a) => a.request?.memory),
      [8],
      '4 GiB free + its own 4 GiB back = 8 GiB',
    );
  });

  it('capacity errors, other categories and unmatched selectors add nothing', async () => {
    const pod = podRequesting({ cpu: '64', memory: '16Gi' });
    const err = await run('scheduling.insufficient_resources', pod, new Error('prometheus down'));
    assert.deepEqual(err.advice, []);
    assert.deepEqual(err.results, { 'capacity-error': 1 });
    assert.deepEqual((await run('image.not_found', pod, testbedSnapshot())).advice, []);
    assert.deepEqual((await run('scheduling.no_matching_node', pod, testbedSnapshot())).advice, []);
    const nowhere = await run(
      'scheduling.insufficient_resources',
      podRequesting({ cpu: '64' }, { nodeSelector: { zone: 'mars' } }),
      testbedSnapshot(),
    );
    assert.deepEqual(nowhere.advice, []);
    assert.deepEqual(nowhere.results, { 'no-eligible-node': 1 });
  });

  it('nothing within the allowed options: says so', async () => {
    const full = testbedSnapshot({
      'cpu-node-1': { cpu: 64 },
      'cpu-node-2': { cpu: 64 },
      'gpu-a40-1': { cpu: 32 },
      'gpu-mig-1': { cpu: 64 },
    });
    const r = await run(
      'scheduling.insufficient_resources',
      podRequesting({ cpu: '8', memory: '8Gi' }),
      full,
    );
    assert.equal(r.advice.length, 1);
    assert.match(r.advice[0]!.en, /Nothing within the offered options/);
    assert.deepEqual(r.results, { none: 1 });
  });
});

describe('advisor helpers', () => {
  it('releasePod gives back a bound pod’s request, capped at allocatable; terminal pods hold nothing', () => {
    const snap: CapacitySnapshot = {
      nodes: [node('n', { cpu: 8, memory: 16 * GiB }, { used: { cpu: 2, memory: GiB } })],
    };
    const back = releasePod(snap, { spec: { nodeName: 'n' } }, { cpu: 4, memory: 2 * GiB });
    assert.equal(back.nodes[0]!.free.cpu, 8, 'capped at allocatable');
    assert.equal(back.nodes[0]!.free.memory, 16 * GiB);
    assert.equal(
      releasePod(snap, { spec: { nodeName: 'n' }, status: { phase: 'Failed' } }, { cpu: 4 }),
      snap,
    );
  });

  it('placementFor sanitises selector keys only for Prometheus snapshots', () => {
    const p = { nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A40' }, tolerations: [] };
    assert.deepEqual(placementFor({ nodes: [], source: 'prometheus' }, p).nodeSelector, {
      nvidia_com_gpu_product: 'NVIDIA-A40',
    });
    assert.equal(placementFor({ nodes: [], source: 'kubernetes' }, p), p);
  });
});
