import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CapacitySnapshot,
  eligibleNodes,
  judgeCapacity,
  type NodeCapacity,
  parseSchedulingMessage,
} from '../../../src/diagnosis/index.js';

const GiB = 2 ** 30;
function node(name: string, cpu: number, memGiB: number, extra: Partial<NodeCapacity> = {}): NodeCapacity {
  return {
    name,
    labels: {},
    taints: [],
    unschedulable: false,
    allocatable: { cpu, memory: memGiB * GiB },
    free: { cpu: cpu / 2, memory: (memGiB / 2) * GiB },
    ...extra,
  };
}
const pod = (requests: Record<string, string>, spec: object = {}) => ({
  spec: { containers: [{ name: 'nb', resources: { requests } }], ...spec },
});

describe('eligibleNodes', () => {
  const snapshot: CapacitySnapshot = {
    nodes: [
      node('plain', 8, 32),
      node('cordoned', 64, 512, { unschedulable: true }),
      node('gpu', 64, 512, {
        labels: { gpu: 'a100' },
        taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
      }),
      node('soft', 16, 64, { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }),
    ],
  };
  it('drops cordoned and untolerated-taint nodes, keeps PreferNoSchedule', () => {
    assert.deepEqual(
      eligibleNodes(pod({}), snapshot).map((n) => n.name),
      ['plain', 'soft'],
    );
  });
  it('honours tolerations (Equal and Exists)', () => {
    const equal = pod(
      {},
      { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }] },
    );
    const exists = pod({}, { tolerations: [{ operator: 'Exists' }] });
    assert.ok(eligibleNodes(equal, snapshot).some((n) => n.name === 'gpu'));
    assert.ok(eligibleNodes(exists, snapshot).some((n) => n.name === 'gpu'));
  });
  it('honours nodeSelector and required node affinity', () => {
    const sel = pod({}, { nodeSelector: { gpu: 'a100' }, tolerations: [{ operator: 'Exists' }] });
    assert.deepEqual(
      eligibleNodes(sel, snapshot).map((n) => n.name),
      ['gpu'],
    );
    const aff = pod(
      {},
      {
        tolerations: [{ operator: 'Exists' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }],
            },
          },
        },
      },
    );
    assert.deepEqual(
      eligibleNodes(aff, snapshot).map((n) => n.name),
      ['plain', 'soft'],
    );
  });
});

describe('judgeCapacity', () => {
  const snapshot: CapacitySnapshot = { nodes: [node('a', 32, 128), node('b', 16, 256)] };
  it('unsatisfiable when no single node could ever hold the whole request', () => {
    // 32 CPU fits a, 200 GiB fits b, but no node has both.
    const v = judgeCapacity(pod({ cpu: '32', memory: '200Gi' }), snapshot);
    assert.equal(v?.unsatisfiable, true);
    assert.deepEqual(v?.neverFits, []);
    assert.deepEqual(v?.largestAllocatable, { cpu: 32, memory: 256 * GiB });
  });
  it('satisfiable when it fits allocatable, even if nothing is free now', () => {
    const v = judgeCapacity(pod({ cpu: '30', memory: '100Gi' }), snapshot);
    assert.equal(v?.unsatisfiable, false);
    assert.deepEqual(v?.largestFree, { cpu: 16, memory: 128 * GiB });
  });
  it('an extended resource no node has can never fit; unknown standard ones are ignored', () => {
    assert.equal(judgeCapacity(pod({ cpu: '1', 'nvidia.com/gpu': '1' }), snapshot)?.unsatisfiable, true);
    assert.equal(
      judgeCapacity(pod({ cpu: '1', 'ephemeral-storage': '900Gi' }), snapshot)?.unsatisfiable,
      false,
    );
  });
  it('says nothing without a snapshot or a request', () => {
    assert.equal(judgeCapacity(pod({ cpu: '1' }), undefined), undefined);
    assert.equal(judgeCapacity(pod({ cpu: '1' }), { nodes: [] }), undefined);
    assert.equal(judgeCapacity({}, snapshot), undefined);
  });
});

describe('parseSchedulingMessage', () => {
  it('takes the brief example apart', () => {
    const r = parseSchedulingMessage(
      "0/6 nodes are available: 1 node(s) had untolerated taint {dedicated: ai-team}, 2 Insufficient cpu, 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector, 3 Insufficient nvidia.com/mig-1g.10gb. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.",
    );
    assert.deepEqual(r.short, ['cpu', 'nvidia.com/mig-1g.10gb']);
    assert.deepEqual(r.taints, ['dedicated=ai-team']);
    assert.deepEqual(r.selector, ['node affinity/selector']);
    assert.equal(r.unschedulableNodes, true);
  });
  it('reads old taint wording, empty taint values and unknown placement reasons', () => {
    const r = parseSchedulingMessage(
      "0/3 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate, 2 node(s) didn't match pod anti-affinity rules.",
    );
    assert.deepEqual(r.taints, ['node-role.kubernetes.io/master']);
    assert.deepEqual(r.placement, ["node(s) didn't match pod anti-affinity rules"]);
    assert.deepEqual(parseSchedulingMessage('0/2 nodes are available: 2 Too many pods.').short, ['pods']);
  });
});
