// kube-state-metrics' series for nodes and pods, in its exact format (metric and label names, units,
// sanitised resource names, node label allowlist, one phase series per phase, node="" for unbound
// pods), rendered as OpenMetrics text with timestamps for `promtool tsdb create-blocks-from
// openmetrics`. Used where kube-state-metrics itself cannot be built (its Go module is not served
// here); the objects come from the real testbed's API server or from crafted fixtures.
import { parseQuantity } from '../../../src/diagnosis/quantity.js';

export interface KsmNode {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: Array<{ key?: string; value?: string; effect?: string }> };
  status?: { allocatable?: Record<string, string | number> };
}

type Resources = { requests?: Record<string, string | number> };
export interface KsmPod {
  metadata?: { name?: string; namespace?: string; uid?: string };
  spec?: {
    nodeName?: string;
    containers?: Array<{ name?: string; resources?: Resources }>;
    initContainers?: Array<{ name?: string; resources?: Resources }>;
  };
  status?: { phase?: string };
}

const PHASES = ['Pending', 'Succeeded', 'Failed', 'Unknown', 'Running'];
const sanitize = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_');
const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function unitOf(resource: string): string {
  if (resource === 'cpu') return 'core';
  if (resource === 'memory' || resource === 'ephemeral-storage' || resource === 'storage') return 'byte';
  if (resource.startsWith('hugepages-')) return 'byte';
  return 'integer';
}

/** Which resources kube-state-metrics exports for node allocatable: standard, hugepages, extended. */
function exported(resource: string): boolean {
  return (
    ['cpu', 'memory', 'ephemeral-storage', 'storage', 'pods'].includes(resource) ||
    resource.startsWith('hugepages-') ||
    resource.includes('/')
  );
}

export interface SeriesOptions {
  /** Node label keys kube-state-metrics is allowed to export (--metric-labels-allowlist=nodes=[…]). */
  labelAllowlist: string[];
  /** Unix seconds; every series gets one sample at each. */
  timestamps: number[];
}

export function ksmOpenMetrics(nodes: KsmNode[], pods: KsmPod[], opts: SeriesOptions): string {
  const families = new Map<string, Array<[Record<string, string>, number]>>();
  const add = (name: string, labels: Record<string, string>, value: number) => {
    if (!Number.isFinite(value)) return;
    const list = families.get(name) ?? [];
    list.push([labels, value]);
    families.set(name, list);
  };
  for (const n of nodes) {
    const node = n.metadata?.name ?? '';
    for (const [res, raw] of Object.entries(n.status?.allocatable ?? {})) {
      if (!exported(res)) continue;
      add(
        'kube_node_status_allocatable',
        { node, resource: sanitize(res), unit: unitOf(res) },
        parseQuantity(raw),
      );
    }
    add('kube_node_spec_unschedulable', { node }, n.spec?.unschedulable ? 1 : 0);
    const labels: Record<string, string> = { node };
    for (const key of opts.labelAllowlist) {
      const v = n.metadata?.labels?.[key];
      if (v !== undefined) labels[`label_${sanitize(key)}`] = v;
    }
    add('kube_node_labels', labels, 1);
    for (const t of n.spec?.taints ?? []) {
      add(
        'kube_node_spec_taint',
        { node, key: t.key ?? '', value: t.value ?? '', effect: t.effect ?? '' },
        1,
      );
    }
  }
  for (const p of pods) {
    const id = {
      namespace: p.metadata?.namespace ?? '',
      pod: p.metadata?.name ?? '',
      uid: p.metadata?.uid ?? '',
    };
    for (const phase of PHASES)
      add('kube_pod_status_phase', { ...id, phase }, p.status?.phase === phase ? 1 : 0);
    const node = p.spec?.nodeName ?? '';
    for (const [metric, list] of [
      ['kube_pod_container_resource_requests', p.spec?.containers ?? []],
      ['kube_pod_init_container_resource_requests', p.spec?.initContainers ?? []],
    ] as const) {
      for (const c of list) {
        for (const [res, raw] of Object.entries(c.resources?.requests ?? {})) {
          add(
            metric,
            { ...id, container: c.name ?? '', node, resource: sanitize(res), unit: unitOf(res) },
            parseQuantity(raw),
          );
        }
      }
    }
  }
  const lines: string[] = [];
  for (const [name, samples] of families) {
    lines.push(`# TYPE ${name} gauge`);
    for (const [labels, value] of samples) {
      // Prometheus drops empty-valued labels; writing them would only differ in the text.
      const body = Object.entries(labels)
        .filter(([, v]) => v !== '')
        .map(([k, v]) => `${k}="${esc(v)}"`)
        .join(',');
      for (const ts of opts.timestamps) lines.push(`${name}{${body}} ${value} ${ts}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
