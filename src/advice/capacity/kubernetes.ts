// Capacity from the Kubernetes API (the default): every node's allocatable minus the requests of the
// non-terminal pods bound to it, computed the way the scheduler does (containers summed, init
// containers as a maximum, pod overhead added). Cordoned nodes and nodes outside the filter are left
// out. `capacityFromObjects` is pure; `KubernetesCapacityProvider` only lists.
import type * as k8s from '@kubernetes/client-node';
import { parseQuantity, requestedResources } from '../../diagnosis/quantity.js';
import type { NodeCapacity, PodLike, ResourceMap, Taint } from '../../diagnosis/types.js';
import { formatSelector, matchesSelector, type Selector } from '../../kube/selector.js';
import { parseNodeFilter } from './selector.js';
import { CapacityError, type CapacityProvider, type CapacitySnapshot } from './types.js';

export interface NodeLike {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: Array<{ key?: string; value?: string; effect?: string }> };
  status?: { allocatable?: Record<string, string | number> };
}

export type BoundPodLike = PodLike & {
  spec?: PodLike['spec'] & { overhead?: Record<string, string | number> };
};

const TERMINAL = new Set(['Succeeded', 'Failed']);

function quantities(map: Record<string, string | number> | undefined): ResourceMap {
  const out: ResourceMap = {};
  for (const [name, raw] of Object.entries(map ?? {})) {
    const v = parseQuantity(raw);
    if (Number.isFinite(v) && v >= 0) out[name] = v;
  }
  return out;
}

/** What a bound, non-terminal pod takes from its node, as the scheduler counts it. */
export function podFootprint(pod: BoundPodLike): ResourceMap {
  const total = requestedResources(pod);
  for (const [name, v] of Object.entries(quantities(pod.spec?.overhead)))
    total[name] = (total[name] ?? 0) + v;
  return total;
}

export function capacityFromObjects(
  nodes: readonly NodeLike[],
  pods: readonly BoundPodLike[],
  filter: Selector = [],
  takenAt?: string,
): CapacitySnapshot {
  const used = new Map<string, ResourceMap>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (!node || TERMINAL.has(pod.status?.phase ?? '')) continue;
    const sum = used.get(node) ?? {};
    for (const [name, v] of Object.entries(podFootprint(pod))) sum[name] = (sum[name] ?? 0) + v;
    used.set(node, sum);
  }
  const out: NodeCapacity[] = [];
  for (const node of nodes) {
    const name = node.metadata?.name;
    if (!name || node.spec?.unschedulable) continue;
    const labels = { ...(node.metadata?.labels ?? {}) };
    if (!matchesSelector(filter, labels)) continue;
    const allocatable = quantities(node.status?.allocatable);
    const taken = used.get(name) ?? {};
    const free: ResourceMap = {};
    for (const [res, v] of Object.entries(allocatable)) free[res] = Math.max(0, v - (taken[res] ?? 0));
    const taints: Taint[] = (node.spec?.taints ?? [])
      .filter((t) => t.key && t.effect)
      .map((t) => ({ key: t.key!, value: t.value, effect: t.effect! }));
    out.push({ name, labels, taints, unschedulable: false, allocatable, free });
  }
  out.sort((a, b) => a.name.localeCompare(b.name));
  return { nodes: out, source: 'kubernetes', ...(takenAt ? { takenAt } : {}) };
}

/** A page of a list call; both client-node's typed lists and plain JSON fit. */
interface Page<T> {
  items: T[];
  metadata?: { _continue?: string; continue?: string };
}

export interface KubernetesCapacityOptions {
  /** Node label filter, e.g. `cerit.io/jupyter-workload=true`. */
  nodeFilter?: string;
  pageSize?: number;
  now?: () => Date;
}

export class KubernetesCapacityProvider implements CapacityProvider {
  private readonly filter: Selector;
  private readonly pageSize: number;
  private readonly now: () => Date;

  constructor(
    private readonly api: Pick<k8s.CoreV1Api, 'listNode' | 'listPodForAllNamespaces'>,
    options: KubernetesCapacityOptions = {},
  ) {
    this.filter = parseNodeFilter(options.nodeFilter ?? '');
    this.pageSize = options.pageSize ?? 500;
    this.now = options.now ?? (() => new Date());
  }

  async snapshot(signal?: AbortSignal): Promise<CapacitySnapshot> {
    const labelSelector = formatSelector(this.filter) || undefined;
    try {
      const [nodes, pods] = await Promise.all([
        this.listAll<NodeLike>(
          (cont) =>
            this.api.listNode({ labelSelector, limit: this.pageSize, _continue: cont }) as Promise<
              Page<NodeLike>
            >,
          signal,
        ),
        // Only bound pods count; terminal ones are filtered server-side too (and again in the pure part).
        this.listAll<BoundPodLike>(
          (cont) =>
            this.api.listPodForAllNamespaces({
              fieldSelector: 'spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed',
              limit: this.pageSize,
              _continue: cont,
            }) as Promise<Page<BoundPodLike>>,
          signal,
        ),
      ]);
      return capacityFromObjects(nodes, pods, this.filter, this.now().toISOString());
    } catch (err) {
      if (err instanceof CapacityError) throw err;
      throw new CapacityError(`listing nodes and pods failed: ${describe(err)}`, 'kubernetes', {
        cause: err,
      });
    }
  }

  private async listAll<T>(page: (cont?: string) => Promise<Page<T>>, signal?: AbortSignal): Promise<T[]> {
    const out: T[] = [];
    let cont: string | undefined;
    do {
      signal?.throwIfAborted();
      const res = await page(cont);
      out.push(...(res.items ?? []));
      cont = res.metadata?._continue ?? res.metadata?.continue ?? undefined;
    } while (cont);
    return out;
  }
}

function describe(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: number; statusCode?: number; message?: string };
    const code = e.code ?? e.statusCode;
    return `${code ? `HTTP ${code}: ` : ''}${e.message ?? String(err)}`.slice(0, 300);
  }
  return String(err);
}
