// Per-node feasibility, shared by the solver and the verifier: a request "fits" when ONE node that
// the pod may land on (selector, taints, not cordoned) has all of it free now. Pure.
import type { AdviceRequest } from '../diagnosis/annotation.js';
import type { NodeCapacity, PodLike, ResourceMap, Taint } from '../diagnosis/types.js';

export const GIB = 2 ** 30;

/** Resources that the form controls; everything else in a request is carried along unchanged. */
const FORM_RESOURCES = new Set(['cpu', 'memory']);

export type Toleration = NonNullable<NonNullable<PodLike['spec']>['tolerations']>[number];

export interface Placement {
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
}

export function placementOf(pod: PodLike | undefined): Placement {
  const selector = pod?.spec?.nodeSelector;
  const tolerations = pod?.spec?.tolerations;
  return {
    nodeSelector: selector && typeof selector === 'object' ? { ...selector } : {},
    tolerations: Array.isArray(tolerations) ? tolerations : [],
  };
}

function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  // An empty key with operator Exists tolerates everything.
  if (!t.key) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/** Whether the scheduler could place the pod on this node at all (ignoring resources). */
export function nodeAdmits(node: NodeCapacity, placement: Placement): boolean {
  if (node.unschedulable) return false;
  for (const [key, value] of Object.entries(placement.nodeSelector)) {
    if (node.labels[key] !== value) return false;
  }
  for (const taint of node.taints) {
    // PreferNoSchedule never keeps a pod off a node.
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!placement.tolerations.some((t) => tolerates(t, taint))) return false;
  }
  return true;
}

/** A form request (cores, GiB, gpu kind + count) as a ResourceMap, plus the untouched extras. */
export function toResources(req: AdviceRequest, extras: ResourceMap = {}): ResourceMap {
  const out: ResourceMap = { ...extras, cpu: req.cpu, memory: req.memory * GIB };
  if (req.gpu !== 'none' && req.gpu_count > 0) out[req.gpu] = (out[req.gpu] ?? 0) + req.gpu_count;
  return out;
}

/** Every resource of `need` is within `have` (missing in `have` means 0). */
export function within(need: ResourceMap, have: ResourceMap): boolean {
  for (const [name, value] of Object.entries(need)) {
    if (value <= 0) continue;
    // A small epsilon absorbs float noise from unit conversions (millicores, GiB).
    if (value > (have[name] ?? 0) + 1e-9 * Math.max(1, value)) return false;
  }
  return true;
}

/** The first node (in snapshot order) that admits the pod and has `need` free, or undefined. */
export function firstFit(
  need: ResourceMap,
  nodes: readonly NodeCapacity[],
  placement: Placement,
): NodeCapacity | undefined {
  return nodes.find((n) => nodeAdmits(n, placement) && within(need, n.free));
}

/** Resources of a request that the form does not control (e.g. ephemeral-storage, hugepages). */
export function extrasOf(requested: ResourceMap, gpuKinds: readonly string[]): ResourceMap {
  const out: ResourceMap = {};
  for (const [name, value] of Object.entries(requested)) {
    if (FORM_RESOURCES.has(name) || gpuKinds.includes(name)) continue;
    if (value > 0) out[name] = value;
  }
  return out;
}
