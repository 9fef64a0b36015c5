// Crafted capacities for the advice tests: the testbed's node set (see testbed facts) as a snapshot,
// plus helpers to build nodes and pods. Memory in bytes, as in ResourceMap.
import type { CapacitySnapshot, NodeCapacity, ResourceMap, Taint } from '../../../src/diagnosis/types.js';

export const GiB = 2 ** 30;
export const JUPYTER = { 'cerit.io/jupyter-workload': 'true' };

export function node(
  name: string,
  allocatable: ResourceMap,
  opts: {
    used?: ResourceMap;
    labels?: Record<string, string>;
    taints?: Taint[];
    unschedulable?: boolean;
  } = {},
): NodeCapacity {
  const free: ResourceMap = {};
  for (const [k, v] of Object.entries(allocatable)) free[k] = Math.max(0, v - (opts.used?.[k] ?? 0));
  return {
    name,
    labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) },
    taints: opts.taints ?? [],
    unschedulable: opts.unschedulable ?? false,
    allocatable,
    free,
  };
}

/** The testbed's nodes, all empty. */
export function testbedSnapshot(used: Record<string, ResourceMap> = {}): CapacitySnapshot {
  return {
    source: 'test',
    nodes: [
      node(
        'cpu-node-1',
        { cpu: 64, memory: 256 * GiB, pods: 110 },
        { labels: JUPYTER, used: used['cpu-node-1'] },
      ),
      node(
        'cpu-node-2',
        { cpu: 64, memory: 256 * GiB, pods: 110 },
        { labels: JUPYTER, used: used['cpu-node-2'] },
      ),
      node(
        'gpu-a40-1',
        { cpu: 32, memory: 128 * GiB, 'nvidia.com/gpu': 2, pods: 110 },
        { labels: { ...JUPYTER, 'nvidia.com/gpu.product': 'NVIDIA-A40' }, used: used['gpu-a40-1'] },
      ),
      node(
        'gpu-mig-1',
        { cpu: 64, memory: 512 * GiB, 'nvidia.com/mig-1g.10gb': 7, pods: 110 },
        { labels: JUPYTER, used: used['gpu-mig-1'] },
      ),
      node(
        'tainted-1',
        { cpu: 128, memory: 1024 * GiB, 'nvidia.com/gpu': 8, pods: 110 },
        { labels: JUPYTER, taints: [{ key: 'dedicated', value: 'ai-team', effect: 'NoSchedule' }] },
      ),
      node(
        'cordoned-1',
        { cpu: 128, memory: 1024 * GiB, 'nvidia.com/gpu': 8, pods: 110 },
        { labels: JUPYTER, unschedulable: true },
      ),
    ],
  };
}

export const ALLOWED = {
  cpu: [1, 2, 4, 8, 16, 32, 64],
  memory: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  gpu: ['none', 'nvidia.com/gpu', 'nvidia.com/mig-1g.10gb'],
  gpuCount: [0, 1, 2, 3, 4, 7],
};

export const NO_PLACEMENT = { nodeSelector: {}, tolerations: [] };
