// Node-pressure eviction as the kubelet's eviction manager words it (kubelet v1.34.4
// pkg/kubelet/eviction/helpers.go evictionMessage): the starved resource, the threshold met
// (the default hard threshold memory.available<100Mi) and each container using more than it
// requested, with the event annotations the manager adds.
import type { V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from '../../src/diagnosis/quantity.js';
import { binaryQuantity, faults } from './fault-wording.js';

const THRESHOLD_BYTES = 100 * 2 ** 20;

export interface Eviction {
  message: string;
  annotations: Record<string, string>;
}

/** `usage`: each container's working set in bytes. */
export function memoryEviction(pod: V1Pod, usage: Record<string, number>): Eviction {
  // What was left when the threshold was crossed: page-aligned, somewhere below the threshold.
  const available = Math.floor((THRESHOLD_BYTES * (0.5 + Math.random() * 0.45)) / 4096) * 4096;
  const over: Array<{ name: string; usage: string; request: string }> = [];
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const used = usage[c.name];
    if (used === undefined) continue;
    const raw = c.resources?.requests?.memory;
    const request = raw === undefined ? 0 : parseQuantity(String(raw));
    if (used > request) {
      over.push({
        name: c.name,
        usage: binaryQuantity(used),
        request: raw === undefined ? '0' : String(raw),
      });
    }
  }
  return {
    message: faults.evicted({
      resource: 'memory',
      threshold: binaryQuantity(THRESHOLD_BYTES),
      available: binaryQuantity(available),
      containers: over,
    }),
    annotations: {
      offending_containers: over.map((c) => c.name).join(','),
      offending_containers_usage: over.map((c) => c.usage).join(','),
      starved_resource: 'memory',
    },
  };
}
