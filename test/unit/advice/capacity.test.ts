import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BoundPodLike,
  capacityFromObjects,
  KubernetesCapacityProvider,
  type NodeLike,
} from '../../../src/advice/capacity/kubernetes.js';
import {
  capacityFromSamples,
  ksmSanitize,
  type Sample,
  USED_QUERY,
  withMatchers,
} from '../../../src/advice/capacity/prometheus.js';
import { parseNodeFilter } from '../../../src/advice/capacity/selector.js';
import { formatSelector, matchesSelector } from '../../../src/kube/selector.js';
import { GiB } from './capacity-fixtures.js';

function kNode(
  name: string,
  alloc: Record<string, string>,
  extra: Partial<NodeLike['spec']> = {},
  labels = {},
): NodeLike {
  return { metadata: { name, labels }, spec: { ...extra }, status: { allocatable: alloc } };
}

function kPod(
  node: string | undefined,
  phase: string,
  containers: Array<Record<string, string>>,
  inits: Array<Record<string, string>> = [],
  overhead?: Record<string, string>,
): BoundPodLike {
  return {
    metadata: { name: `p-${Math.random()}`, namespace: 'ns' },
    spec: {
      nodeName: node,
      containers: containers.map((requests, i) => ({ name: `c${i}`, resources: { requests } })),
      initContainers: inits.map((requests, i) => ({ name: `i${i}`, resources: { requests } })),
      ...(overhead ? { overhead } : {}),
    },
    status: { phase },
  };
}

describe('node filter', () => {
  it('parses equality, inequality, existence and absence, and renders a label selector', () => {
    const reqs = parseNodeFilter('cerit.io/jupyter-workload=true, zone!=b,gpu,!legacy');
    assert.equal(formatSelector(reqs), 'cerit.io/jupyter-workload=true,zone!=b,gpu,!legacy');
    assert.ok(matchesSelector(reqs, { 'cerit.io/jupyter-workload': 'true', gpu: '' }));
    assert.ok(!matchesSelector(reqs, { 'cerit.io/jupyter-workload': 'true', gpu: '', legacy: 'x' }));
    assert.ok(!matchesSelector(reqs, { 'cerit.io/jupyter-workload': 'false', gpu: '' }));
    assert.deepEqual(parseNodeFilter('  '), []);
  });
  it('rejects garbage with the offending part', () => {
    assert.throws(() => parseNodeFilter('a=b,=c'), /"=c"/);
    assert.throws(() => parseNodeFilter('a in (b)'), /cannot parse/);
  });
});

describe('Kubernetes capacity (pure part)', () => {
  it('subtracts non-terminal bound pods, init containers as max and overhead, skips cordoned and filtered nodes', () => {
    const nodes = [
      kNode(
        'n1',
        { cpu: '64', memory: '256Gi', 'nvidia.com/gpu': '2', pods: '110' },
        {},
        { role: 'jupyter' },
      ),
      kNode('n2', { cpu: '32', memory: '128Gi' }, { unschedulable: true }, { role: 'jupyter' }),
      kNode('n3', { cpu: '32', memory: '128Gi' }, {}, { role: 'batch' }),
      kNode(
        'n4',
        { cpu: '16', memory: '64Gi' },
        { taints: [{ key: 'dedicated', value: 'ai', effect: 'NoSchedule' }] },
        { role: 'jupyter' },
      ),
    ];
    const pods = [
      // containers 2 + 1.5 = 3.5 cpu; init 6 cpu → counts 6; memory 4Gi + 2Gi = 6Gi vs init 1Gi → 6Gi
      kPod(
        'n1',
        'Running',
        [
          { cpu: '2', memory: '4Gi' },
          { cpu: '1500m', memory: '2Gi', 'nvidia.com/gpu': '1' },
        ],
        [{ cpu: '6', memory: '1Gi' }],
      ),
      kPod('n1', 'Pending', [{ cpu: '1', memory: '1Gi' }], [], { cpu: '250m', memory: '128Mi' }),
      kPod('n1', 'Succeeded', [{ cpu: '30', memory: '100Gi' }]),
      kPod('n1', 'Failed', [{ cpu: '30', memory: '100Gi' }]),
      kPod(undefined, 'Pending', [{ cpu: '30', memory: '100Gi' }]),
      kPod('n4', 'Running', [{ cpu: '4', memory: 'garbage' }]),
    ];
    const snap = capacityFromObjects(nodes, pods, parseNodeFilter('role=jupyter'), '2026-01-01T00:00:00Z');
    assert.deepEqual(
      snap.nodes.map((n) => n.name),
      ['n1', 'n4'],
    );
    const n1 = snap.nodes[0]!;
    assert.equal(n1.allocatable.cpu, 64);
    assert.equal(n1.free.cpu, 64 - 6 - 1.25);
    assert.equal(n1.free.memory, 256 * GiB - 6 * GiB - 1 * GiB - 128 * 2 ** 20);
    assert.equal(n1.free['nvidia.com/gpu'], 1);
    assert.equal(n1.free.pods, 110, 'pods is not a request');
    const n4 = snap.nodes[1]!;
    assert.deepEqual(n4.taints, [{ key: 'dedicated', value: 'ai', effect: 'NoSchedule' }]);
    assert.equal(n4.free.cpu, 12);
    assert.equal(n4.free.memory, 64 * GiB, 'a garbage quantity is skipped, not a crash');
    assert.equal(snap.source, 'kubernetes');
  });

  it('the provider pages through lists with continue tokens and passes the filter server-side', async () => {
    const seen: Array<{ kind: string; arg: Record<string, unknown> }> = [];
    const nodes = Array.from({ length: 5 }, (_, i) => kNode(`n${i}`, { cpu: '8', memory: '32Gi' }));
    const pods = Array.from({ length: 7 }, (_, i) =>
      kPod(`n${i % 5}`, 'Running', [{ cpu: '1', memory: '1Gi' }]),
    );
    const page = <T>(items: T[], arg: { limit?: number; _continue?: string }) => {
      const start = Number(arg._continue ?? 0);
      const end = start + (arg.limit ?? 1000);
      return {
        items: items.slice(start, end),
        metadata: end < items.length ? { _continue: String(end) } : {},
      };
    };
    const api = {
      listNode: async (arg: Record<string, unknown>) => {
        seen.push({ kind: 'nodes', arg });
        return page(nodes, arg);
      },
      listPodForAllNamespaces: async (arg: Record<string, unknown>) => {
        seen.push({ kind: 'pods', arg });
        return page(pods, arg);
      },
    };
    const provider = new KubernetesCapacityProvider(api as never, { nodeFilter: 'gpu!=none', pageSize: 2 });
    const snap = await provider.snapshot();
    assert.equal(snap.nodes.length, 5);
    assert.equal(snap.nodes.find((n) => n.name === 'n0')?.free.cpu, 6);
    assert.equal(seen.filter((s) => s.kind === 'nodes').length, 3);
    assert.equal(seen.filter((s) => s.kind === 'pods').length, 4);
    assert.equal(seen[0]?.arg.labelSelector, 'gpu!=none');
    assert.match(String(seen.find((s) => s.kind === 'pods')?.arg.fieldSelector), /status\.phase!=Succeeded/);
  });

  it('wraps API errors with context', async () => {
    const api = {
      listNode: async () => {
        throw Object.assign(new Error('forbidden: nodes is forbidden'), { code: 403 });
      },
      listPodForAllNamespaces: async () => ({ items: [] }),
    };
    const provider = new KubernetesCapacityProvider(api as never);
    await assert.rejects(
      provider.snapshot(),
      /capacity \(kubernetes\): listing nodes and pods failed: HTTP 403/,
    );
  });
});

describe('Prometheus capacity (pure part)', () => {
  const s = (metric: Record<string, string>, value: number): Sample => ({ metric, value });
  it('maps kube-state-metrics names back, subtracts used, skips unschedulable, filters on sanitised labels', () => {
    const snap = capacityFromSamples(
      {
        allocatable: [
          s({ node: 'gpu-a40-1', resource: 'cpu', unit: 'core' }, 32),
          s({ node: 'gpu-a40-1', resource: 'memory', unit: 'byte' }, 128 * GiB),
          s({ node: 'gpu-a40-1', resource: 'nvidia_com_gpu', unit: 'integer' }, 2),
          s({ node: 'gpu-mig-1', resource: 'cpu', unit: 'core' }, 64),
          s({ node: 'gpu-mig-1', resource: 'nvidia_com_mig_1g_10gb', unit: 'integer' }, 7),
          s({ node: 'cordoned-1', resource: 'cpu', unit: 'core' }, 64),
          s({ node: 'other', resource: 'cpu', unit: 'core' }, 64),
        ],
        unschedulable: [s({ node: 'cordoned-1' }, 1), s({ node: 'gpu-a40-1' }, 0)],
        labels: [
          s(
            {
              node: 'gpu-a40-1',
              label_cerit_io_jupyter_workload: 'true',
              label_nvidia_com_gpu_product: 'NVIDIA-A40',
            },
            1,
          ),
          s({ node: 'gpu-mig-1', label_cerit_io_jupyter_workload: 'true' }, 1),
          s({ node: 'cordoned-1', label_cerit_io_jupyter_workload: 'true' }, 1),
          s({ node: 'other' }, 1),
        ],
        taints: [s({ node: 'gpu-mig-1', key: 'dedicated', value: 'ai-team', effect: 'NoSchedule' }, 1)],
        used: [
          s({ node: 'gpu-a40-1', resource: 'cpu' }, 4.5),
          s({ node: 'gpu-a40-1', resource: 'nvidia_com_gpu' }, 1),
          s({ node: 'gpu-mig-1', resource: 'nvidia_com_mig_1g_10gb' }, 3),
        ],
      },
      {
        filter: parseNodeFilter('cerit.io/jupyter-workload=true'),
        resourceNames: ['nvidia.com/gpu', 'nvidia.com/mig-1g.10gb'],
      },
    );
    assert.deepEqual(
      snap.nodes.map((n) => n.name),
      ['gpu-a40-1', 'gpu-mig-1'],
    );
    const a40 = snap.nodes[0]!;
    assert.equal(a40.free.cpu, 27.5);
    assert.equal(a40.free['nvidia.com/gpu'], 1);
    assert.equal(a40.labels.nvidia_com_gpu_product, 'NVIDIA-A40');
    const mig = snap.nodes[1]!;
    assert.equal(mig.free['nvidia.com/mig-1g.10gb'], 4);
    assert.deepEqual(mig.taints, [{ key: 'dedicated', value: 'ai-team', effect: 'NoSchedule' }]);
  });

  it('sanitises like kube-state-metrics and adds matchers to every series selector', () => {
    assert.equal(ksmSanitize('nvidia.com/mig-1g.10gb'), 'nvidia_com_mig_1g_10gb');
    assert.equal(ksmSanitize('cerit.io/jupyter-workload'), 'cerit_io_jupyter_workload');
    const q = withMatchers(USED_QUERY, 'job="ksm"');
    const selectors = q.match(/kube_[a-z_]+(\{[^}]*\})?/g) ?? [];
    assert.ok(selectors.length >= 3, q);
    for (const sel of selectors) assert.match(sel, /job="ksm"\}$/);
    assert.match(q, /kube_pod_status_phase\{phase=~"Succeeded\|Failed",job="ksm"\}/);
    assert.match(q, /kube_pod_container_resource_requests\{node!="",job="ksm"\}/);
    assert.equal(withMatchers('kube_node_labels', ''), 'kube_node_labels');
    assert.equal(withMatchers('kube_node_labels', 'job="a"'), 'kube_node_labels{job="a"}');
  });
});
