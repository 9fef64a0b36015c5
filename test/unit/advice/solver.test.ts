import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { GIB, nodeAdmits, toResources, within } from '../../../src/advice/fit.js';
import { solve } from '../../../src/advice/solver.js';
import type { CapacitySnapshot, NodeCapacity } from '../../../src/diagnosis/types.js';
import { ALLOWED, GiB, JUPYTER, NO_PLACEMENT, node, testbedSnapshot } from './capacity-fixtures.js';

/** Independent check: the nodes a request fits on now, ignoring the solver's own code paths. */
function nodesThatFit(
  snapshot: CapacitySnapshot,
  req: { cpu: number; memory: number; gpu: string; gpu_count: number },
) {
  return snapshot.nodes.filter((n) => {
    if (n.unschedulable || n.taints.some((t) => t.effect === 'NoSchedule')) return false;
    if ((n.free.cpu ?? 0) < req.cpu) return false;
    if ((n.free.memory ?? 0) < req.memory * GiB) return false;
    if (req.gpu !== 'none' && (n.free[req.gpu] ?? 0) < req.gpu_count) return false;
    return true;
  });
}

describe('solver', () => {
  it('64 CPU + 4 A40 GPUs: impossible as asked, suggests a MIG slice first (one change), every suggestion fits one node', () => {
    const snapshot = testbedSnapshot();
    const r = solve({
      requested: { cpu: 64, memory: 16 * GiB, 'nvidia.com/gpu': 4 },
      placement: NO_PLACEMENT,
      snapshot,
      allowed: ALLOWED,
    });
    assert.equal(r.impossible, true, 'no admitting node has 4 nvidia.com/gpu allocatable');
    assert.equal(r.fitsNow, false);
    assert.deepEqual(r.original, { cpu: 64, memory: 16, gpu: 'nvidia.com/gpu', gpu_count: 4 });
    assert.ok(r.suggestions.length >= 2);
    assert.deepEqual(r.suggestions[0]?.request, {
      cpu: 64,
      memory: 16,
      gpu: 'nvidia.com/mig-1g.10gb',
      gpu_count: 4,
    });
    assert.deepEqual(r.suggestions[0]?.changes, ['gpu']);
    assert.equal(r.suggestions[0]?.node, 'gpu-mig-1');
    // The A40 option keeps the GPU kind but must drop to 32 cores and 2 GPUs (the only A40 node).
    assert.ok(
      r.suggestions.some(
        (s) => s.request.gpu === 'nvidia.com/gpu' && s.request.cpu === 32 && s.request.gpu_count === 2,
      ),
      JSON.stringify(r.suggestions),
    );
    for (const s of r.suggestions) {
      assert.ok(nodesThatFit(snapshot, s.request).length > 0, `fits nowhere: ${JSON.stringify(s)}`);
      assert.notEqual(s.node, 'tainted-1');
      assert.notEqual(s.node, 'cordoned-1');
    }
    // Ranked: fewer changes never come after more.
    for (let i = 1; i < r.suggestions.length; i++) {
      assert.ok(r.suggestions[i - 1]!.changes.length <= r.suggestions[i]!.changes.length);
    }
    assert.equal(r.largestAllocatable['nvidia.com/gpu'], 2);
    assert.equal(r.largestAllocatable.cpu, 64);
  });

  it('feasibility is per node: 2 × 32 free cores elsewhere do not make 64', () => {
    const snapshot: CapacitySnapshot = {
      nodes: [
        node('a', { cpu: 64, memory: 256 * GiB }, { used: { cpu: 32 } }),
        node('b', { cpu: 64, memory: 256 * GiB }, { used: { cpu: 32 } }),
      ],
    };
    const r = solve({
      requested: { cpu: 64, memory: 8 * GiB },
      placement: NO_PLACEMENT,
      snapshot,
      allowed: ALLOWED,
    });
    assert.equal(r.impossible, false, 'each node could hold 64 cores when empty');
    assert.equal(r.fitsNow, false);
    assert.deepEqual(r.suggestions[0]?.request, { cpu: 32, memory: 8, gpu: 'none', gpu_count: 0 });
    assert.deepEqual(r.suggestions[0]?.changes, ['cpu']);
  });

  it('a request that fits now is a transient failure: no suggestions', () => {
    const r = solve({
      requested: { cpu: 4, memory: 8 * GiB },
      placement: NO_PLACEMENT,
      snapshot: testbedSnapshot(),
      allowed: ALLOWED,
    });
    assert.equal(r.fitsNow, true);
    assert.deepEqual(r.suggestions, []);
  });

  it('honours taints: only the tainted node has room, so nothing without a toleration, something with it', () => {
    const busy = { cpu: 64, memory: 256 * GiB };
    const snapshot = testbedSnapshot({
      'cpu-node-1': busy,
      'cpu-node-2': busy,
      'gpu-a40-1': { cpu: 32, memory: 128 * GiB },
      'gpu-mig-1': { cpu: 64, memory: 512 * GiB },
    });
    const requested = { cpu: 256, memory: 16 * GiB };
    const without = solve({ requested, placement: NO_PLACEMENT, snapshot, allowed: ALLOWED });
    assert.equal(without.impossible, true);
    assert.deepEqual(without.suggestions, []);
    const tolerated = solve({
      requested,
      placement: {
        nodeSelector: {},
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ai-team', effect: 'NoSchedule' }],
      },
      snapshot,
      allowed: ALLOWED,
    });
    assert.equal(tolerated.suggestions[0]?.node, 'tainted-1');
    assert.equal(tolerated.suggestions[0]?.request.cpu, 64, 'the largest allowed step');
    // A toleration for another value does not count.
    const wrong = solve({
      requested,
      placement: { nodeSelector: {}, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'other' }] },
      snapshot,
      allowed: ALLOWED,
    });
    assert.deepEqual(wrong.suggestions, []);
  });

  it('never uses a cordoned node, however empty', () => {
    const snapshot: CapacitySnapshot = {
      nodes: [
        node('cordoned', { cpu: 128, memory: 1024 * GiB }, { unschedulable: true }),
        node('small', { cpu: 8, memory: 32 * GiB }),
      ],
    };
    const r = solve({
      requested: { cpu: 64, memory: 64 * GiB },
      placement: NO_PLACEMENT,
      snapshot,
      allowed: ALLOWED,
    });
    assert.equal(r.impossible, true);
    assert.deepEqual(r.suggestions[0]?.request, { cpu: 8, memory: 32, gpu: 'none', gpu_count: 0 });
    assert.equal(r.suggestions[0]?.node, 'small');
  });

  it('honours the node selector: an A40 pod stays on the A40 node', () => {
    const r = solve({
      requested: { cpu: 64, memory: 16 * GiB, 'nvidia.com/gpu': 4 },
      placement: { nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A40' }, tolerations: [] },
      snapshot: testbedSnapshot(),
      allowed: ALLOWED,
    });
    assert.equal(r.eligibleNodes, 1);
    assert.ok(r.suggestions.length > 0);
    for (const s of r.suggestions) assert.equal(s.node, 'gpu-a40-1');
    assert.deepEqual(r.suggestions[0]?.request, { cpu: 32, memory: 16, gpu: 'nvidia.com/gpu', gpu_count: 2 });
  });

  it('keeps to the allowed values: a 48-core node yields 32, never 48', () => {
    const snapshot: CapacitySnapshot = { nodes: [node('n', { cpu: 48, memory: 100 * GiB })] };
    const r = solve({
      requested: { cpu: 64, memory: 100 * GiB },
      placement: NO_PLACEMENT,
      snapshot,
      allowed: ALLOWED,
    });
    assert.deepEqual(r.suggestions[0]?.request, { cpu: 32, memory: 64, gpu: 'none', gpu_count: 0 });
    assert.deepEqual(r.suggestions[0]?.changes, ['cpu', 'memory']);
  });

  it('suggests dropping the GPU only when no GPU option fits at all', () => {
    const snapshot: CapacitySnapshot = {
      nodes: [
        node('g', { cpu: 32, memory: 128 * GiB, 'nvidia.com/gpu': 2 }, { used: { 'nvidia.com/gpu': 2 } }),
      ],
    };
    const r = solve({
      requested: { cpu: 8, memory: 16 * GiB, 'nvidia.com/gpu': 1 },
      placement: NO_PLACEMENT,
      snapshot,
      allowed: ALLOWED,
    });
    assert.deepEqual(r.suggestions[0]?.request, { cpu: 8, memory: 16, gpu: 'none', gpu_count: 0 });
    const noNone = solve({
      requested: { cpu: 8, memory: 16 * GiB, 'nvidia.com/gpu': 1 },
      placement: NO_PLACEMENT,
      snapshot,
      allowed: { ...ALLOWED, gpu: ['nvidia.com/gpu'] },
    });
    assert.deepEqual(noNone.suggestions, []);
  });

  it('non-form resources (ephemeral-storage) stay required', () => {
    const snapshot: CapacitySnapshot = {
      nodes: [
        node('big-no-disk', { cpu: 64, memory: 256 * GiB, 'ephemeral-storage': 10 * GiB }),
        node('small-disk', { cpu: 16, memory: 64 * GiB, 'ephemeral-storage': 500 * GiB }),
      ],
    };
    const r = solve({
      requested: { cpu: 64, memory: 64 * GiB, 'ephemeral-storage': 100 * GiB },
      placement: NO_PLACEMENT,
      snapshot,
      allowed: ALLOWED,
    });
    assert.equal(r.suggestions[0]?.node, 'small-disk');
    assert.equal(r.suggestions[0]?.request.cpu, 16);
  });

  it('after an OOM kill suggests the smallest memory step up that fits', () => {
    const snapshot: CapacitySnapshot = {
      nodes: [node('n', { cpu: 16, memory: 64 * GiB }, { used: { cpu: 4, memory: 20 * GiB } })],
    };
    const r = solve({
      requested: { cpu: 4, memory: 8 * GiB },
      placement: NO_PLACEMENT,
      snapshot,
      allowed: ALLOWED,
      mode: 'more-memory',
    });
    assert.deepEqual(
      r.suggestions.map((s) => s.request.memory),
      [16, 32],
      'steps above 8 GiB that fit in 44 GiB free',
    );
    for (const s of r.suggestions) assert.equal(s.request.cpu, 4);
  });

  it('a snapshot with no admitting node yields nothing and says so', () => {
    const r = solve({
      requested: { cpu: 1, memory: GIB },
      placement: { nodeSelector: { zone: 'mars' }, tolerations: [] },
      snapshot: testbedSnapshot(),
      allowed: ALLOWED,
    });
    assert.equal(r.eligibleNodes, 0);
    assert.deepEqual(r.suggestions, []);
  });

  it('property: every suggestion is allowed and fits on one admitting node; impossible means no allocatable fits', () => {
    const nodeArb = fc.record({
      cpu: fc.constantFrom(4, 8, 16, 32, 48, 64, 96),
      mem: fc.constantFrom(16, 32, 64, 128, 256, 512),
      gpus: fc.constantFrom(0, 0, 1, 2, 4, 8),
      mig: fc.constantFrom(0, 0, 7),
      usedFrac: fc.double({ min: 0, max: 1, noNaN: true }),
      cordoned: fc.boolean(),
      tainted: fc.boolean(),
    });
    const reqArb = fc.record({
      cpu: fc.constantFrom(1, 2, 4, 8, 16, 32, 64, 128),
      mem: fc.constantFrom(1, 4, 16, 64, 256, 1024),
      gpu: fc.constantFrom('none', 'nvidia.com/gpu', 'nvidia.com/mig-1g.10gb'),
      count: fc.constantFrom(1, 2, 4, 7),
    });
    fc.assert(
      fc.property(fc.array(nodeArb, { minLength: 1, maxLength: 8 }), reqArb, (specs, q) => {
        const nodes: NodeCapacity[] = specs.map((s, i) =>
          node(
            `n${i}`,
            { cpu: s.cpu, memory: s.mem * GiB, 'nvidia.com/gpu': s.gpus, 'nvidia.com/mig-1g.10gb': s.mig },
            {
              labels: JUPYTER,
              unschedulable: s.cordoned,
              taints: s.tainted ? [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] : [],
              used: {
                cpu: Math.floor(s.cpu * s.usedFrac),
                memory: Math.floor(s.mem * s.usedFrac) * GiB,
                'nvidia.com/gpu': Math.floor(s.gpus * s.usedFrac),
              },
            },
          ),
        );
        const snapshot = { nodes };
        const requested: Record<string, number> = { cpu: q.cpu, memory: q.mem * GiB };
        if (q.gpu !== 'none') requested[q.gpu] = q.count;
        const r = solve({ requested, placement: NO_PLACEMENT, snapshot, allowed: ALLOWED });
        const admitting = nodes.filter((n) => nodeAdmits(n, NO_PLACEMENT));
        const need = toResources(r.original as never);
        assert.equal(r.impossible, !admitting.some((n) => within(need, n.allocatable)));
        assert.equal(
          r.fitsNow,
          admitting.some((n) => within(need, n.free)),
        );
        for (const s of r.suggestions) {
          assert.ok(ALLOWED.cpu.includes(s.request.cpu) && ALLOWED.memory.includes(s.request.memory));
          assert.ok(ALLOWED.gpu.includes(s.request.gpu));
          assert.ok(nodesThatFit(snapshot, s.request).length > 0, JSON.stringify({ s, nodes }));
          assert.ok(s.request.cpu <= q.cpu && s.request.memory <= Math.max(q.mem, 1));
        }
        for (let i = 1; i < r.suggestions.length; i++) {
          assert.ok(r.suggestions[i - 1]!.changes.length <= r.suggestions[i]!.changes.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
