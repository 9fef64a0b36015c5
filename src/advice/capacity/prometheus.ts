// Capacity from Prometheus over kube-state-metrics series (for sites where the advisor must not list
// every pod through the API server). kube-state-metrics writes resource names sanitised for labels
// (`nvidia.com/gpu` → `nvidia_com_gpu`, `nvidia.com/mig-1g.10gb` → `nvidia_com_mig_1g_10gb`) and
// node labels as `label_<sanitised key>` (only those in its --metric-labels-allowlist), so the
// snapshot maps known resource names back and keeps node labels under their sanitised keys.
import { z } from 'zod';
import type { NodeCapacity, ResourceMap, Taint } from '../../diagnosis/types.js';
import { matchesSelector, type Selector } from '../../kube/selector.js';
import { parseNodeFilter } from './selector.js';
import { CapacityError, type CapacityProvider, type CapacitySnapshot } from './types.js';

/** kube-state-metrics' label sanitiser: anything outside [a-zA-Z0-9_] becomes `_`. */
export function ksmSanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * Used resources per node and resource, the way the scheduler counts a pod: its containers summed,
 * but at least its largest init container. The per-pod sides get a distinguishing `src` label so
 * that `or` keeps both and `max by` picks the larger; terminal pods are then removed with `unless`
 * (a set operation, about ten times cheaper here than joining every request to its phase).
 */
export const USED_QUERY = [
  'sum by (node, resource) (',
  '  max by (namespace, pod, node, resource) (',
  '    label_replace(sum by (namespace, pod, node, resource) (kube_pod_container_resource_requests{node!=""}), "src", "c", "", "")',
  '    or label_replace(max by (namespace, pod, node, resource) (kube_pod_init_container_resource_requests{node!=""}), "src", "i", "", "")',
  '  )',
  '  unless on (namespace, pod) (kube_pod_status_phase{phase=~"Succeeded|Failed"} == 1)',
  ')',
].join('\n');

export const QUERIES = {
  allocatable: 'kube_node_status_allocatable',
  unschedulable: 'kube_node_spec_unschedulable',
  labels: 'kube_node_labels',
  taints: 'kube_node_spec_taint',
  used: USED_QUERY,
} as const;

const vectorResponse = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('vector'),
    result: z.array(
      z.object({
        metric: z.record(z.string(), z.string()),
        value: z.tuple([z.number(), z.string()]),
      }),
    ),
  }),
});

export type Sample = { metric: Record<string, string>; value: number };

export interface PrometheusCapacityOptions {
  url: string;
  nodeFilter?: string;
  /** Resource names to map back from their sanitised form (the site's GPU kinds). */
  resourceNames?: readonly string[];
  /** Per query. */
  timeoutMs?: number;
  /** Extra PromQL label matchers for every kube-state-metrics series, e.g. `job="kube-state-metrics"`. */
  extraMatchers?: string;
  fetch?: typeof fetch;
  now?: () => Date;
}

const STANDARD = ['cpu', 'memory', 'ephemeral-storage', 'pods', 'hugepages-1Gi', 'hugepages-2Mi'];

export function capacityFromSamples(
  samples: Record<keyof typeof QUERIES, Sample[]>,
  opts: { filter?: Selector; resourceNames?: readonly string[]; takenAt?: string } = {},
): CapacitySnapshot {
  const names = new Map<string, string>();
  for (const n of [...STANDARD, ...(opts.resourceNames ?? [])]) names.set(ksmSanitize(n), n);
  const resource = (raw: string) => names.get(raw) ?? raw;

  const nodes = new Map<string, NodeCapacity>();
  const get = (name: string): NodeCapacity => {
    let n = nodes.get(name);
    if (!n) {
      n = { name, labels: {}, taints: [], unschedulable: false, allocatable: {}, free: {} };
      nodes.set(name, n);
    }
    return n;
  };
  for (const s of samples.allocatable) {
    const { node, resource: res } = s.metric;
    if (!node || !res || !Number.isFinite(s.value)) continue;
    get(node).allocatable[resource(res)] = s.value;
  }
  // Only nodes with allocatable series are nodes we know; the rest of the series just annotate them.
  for (const s of samples.unschedulable) {
    const n = s.metric.node ? nodes.get(s.metric.node) : undefined;
    if (n && s.value > 0) n.unschedulable = true;
  }
  for (const s of samples.labels) {
    const n = s.metric.node ? nodes.get(s.metric.node) : undefined;
    if (!n) continue;
    for (const [k, v] of Object.entries(s.metric)) if (k.startsWith('label_')) n.labels[k.slice(6)] = v;
  }
  for (const s of samples.taints) {
    const n = s.metric.node ? nodes.get(s.metric.node) : undefined;
    const { key, value, effect } = s.metric;
    if (!n || !key || !effect || s.value <= 0) continue;
    const taint: Taint = { key, effect, ...(value ? { value } : {}) };
    n.taints.push(taint);
  }
  const used = new Map<string, ResourceMap>();
  for (const s of samples.used) {
    const { node, resource: res } = s.metric;
    if (!node || !res || !Number.isFinite(s.value)) continue;
    const m = used.get(node) ?? {};
    m[resource(res)] = (m[resource(res)] ?? 0) + s.value;
    used.set(node, m);
  }
  const filter = (opts.filter ?? []).map((r) => ({ ...r, key: ksmSanitize(r.key) }));
  const out: NodeCapacity[] = [];
  for (const n of nodes.values()) {
    if (n.unschedulable || !matchesSelector(filter, n.labels)) continue;
    const u = used.get(n.name) ?? {};
    for (const [res, v] of Object.entries(n.allocatable)) n.free[res] = Math.max(0, v - (u[res] ?? 0));
    out.push(n);
  }
  out.sort((a, b) => a.name.localeCompare(b.name));
  return { nodes: out, source: 'prometheus', ...(opts.takenAt ? { takenAt: opts.takenAt } : {}) };
}

/** Adds extra label matchers (e.g. a job) to every kube-state-metrics selector in a query. */
export function withMatchers(query: string, matchers: string): string {
  if (!matchers.trim()) return query;
  return query.replace(/\b(kube_[a-z_]+)(\{([^}]*)\})?/g, (_m, metric: string, _b, inner?: string) =>
    inner ? `${metric}{${inner},${matchers}}` : `${metric}{${matchers}}`,
  );
}

export class PrometheusCapacityProvider implements CapacityProvider {
  private readonly filter: Selector;
  private readonly fetch: typeof fetch;
  private readonly base: string;

  constructor(private readonly opts: PrometheusCapacityOptions) {
    this.filter = parseNodeFilter(opts.nodeFilter ?? '');
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.base = opts.url.replace(/\/+$/, '');
  }

  async snapshot(signal?: AbortSignal): Promise<CapacitySnapshot> {
    const keys = Object.keys(QUERIES) as Array<keyof typeof QUERIES>;
    const results = await Promise.all(keys.map((k) => this.query(QUERIES[k], signal)));
    const samples = Object.fromEntries(keys.map((k, i) => [k, results[i]!])) as Record<
      keyof typeof QUERIES,
      Sample[]
    >;
    return capacityFromSamples(samples, {
      filter: this.filter,
      resourceNames: this.opts.resourceNames,
      takenAt: (this.opts.now?.() ?? new Date()).toISOString(),
    });
  }

  /** One instant query; errors carry the query's first words and the server's own message. */
  async query(promql: string, signal?: AbortSignal): Promise<Sample[]> {
    const q = withMatchers(promql, this.opts.extraMatchers ?? '');
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 5000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const short = q.slice(0, 60);
    let res: Response;
    try {
      res = await this.fetch(`${this.base}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: q }).toString(),
        signal: combined,
      });
    } catch (err) {
      throw new CapacityError(`query "${short}…" failed: ${(err as Error)?.message ?? err}`, 'prometheus', {
        cause: err,
      });
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      throw new CapacityError(`query "${short}…": HTTP ${res.status} ${text.slice(0, 200)}`, 'prometheus');
    }
    let parsed: z.infer<typeof vectorResponse>;
    try {
      parsed = vectorResponse.parse(JSON.parse(text));
    } catch (err) {
      throw new CapacityError(
        `query "${short}…": unexpected answer (${(err as Error).message.slice(0, 200)})`,
        'prometheus',
        {
          cause: err,
        },
      );
    }
    return parsed.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }
}
