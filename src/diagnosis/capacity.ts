// Could any node ever hold the pod? Uses node ALLOCATABLE (not free): a request that exceeds every
// eligible node's allocatable can never be scheduled, however long the user waits.
import { requestedResources } from './quantity.js';
import type { CapacitySnapshot, NodeCapacity, PodLike, ResourceMap, Taint } from './types.js';

type Toleration = NonNullable<NonNullable<PodLike['spec']>['tolerations']>[number];

function tolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (!t || typeof t !== 'object') return false;
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

interface Requirement {
  key?: unknown;
  operator?: unknown;
  values?: unknown;
}

function requirementHolds(labels: Record<string, string>, r: Requirement): boolean {
  if (typeof r?.key !== 'string') return false;
  const value = labels[r.key];
  const values = Array.isArray(r.values) ? r.values.map(String) : [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

/** Required node affinity: OR over terms, AND within a term. Unreadable affinity constrains nothing. */
function affinityHolds(labels: Record<string, string>, affinity: unknown): boolean {
  const terms = (
    affinity as {
      nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: unknown } };
    }
  )?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!Array.isArray(terms) || terms.length === 0) return true;
  return terms.some((term) => {
    const exprs = (term as { matchExpressions?: unknown })?.matchExpressions;
    if (!Array.isArray(exprs)) return false;
    return exprs.every((e) => requirementHolds(labels, e as Requirement));
  });
}

/** Nodes the pod could land on at all: selector, required affinity, tolerated taints, not cordoned. */
export function eligibleNodes(pod: PodLike | undefined, capacity: CapacitySnapshot): NodeCapacity[] {
  const nodes = Array.isArray(capacity?.nodes) ? capacity.nodes : [];
  const selector =
    pod?.spec?.nodeSelector && typeof pod.spec.nodeSelector === 'object' ? pod.spec.nodeSelector : {};
  const tolerations = Array.isArray(pod?.spec?.tolerations) ? pod.spec.tolerations : [];
  return nodes.filter((n) => {
    if (!n || typeof n !== 'object' || n.unschedulable) return false;
    const labels = n.labels && typeof n.labels === 'object' ? n.labels : {};
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return false;
    if (!affinityHolds(labels, pod?.spec?.affinity)) return false;
    const taints = Array.isArray(n.taints) ? n.taints : [];
    return taints.every(
      (t) => (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') || tolerates(tolerations, t),
    );
  });
}

function fits(request: ResourceMap, available: ResourceMap | undefined): boolean {
  return Object.entries(request).every(([name, want]) => want <= 0 || want <= (available?.[name] ?? 0));
}

export interface CapacityVerdict {
  /** No eligible node's allocatable can hold the request. */
  unsatisfiable: boolean;
  requested: ResourceMap;
  largestAllocatable: ResourceMap;
  largestFree: ResourceMap;
  /** Resources no single eligible node could ever hold, even when empty. */
  neverFits: string[];
}

/** Undefined when the snapshot or request says nothing (then the caller stays with "insufficient"). */
export function judgeCapacity(
  pod: PodLike | undefined,
  capacity: CapacitySnapshot | undefined,
): CapacityVerdict | undefined {
  if (!capacity || !Array.isArray(capacity.nodes) || capacity.nodes.length === 0) return undefined;
  const requested = requestedResources(pod);
  // Judge only what the snapshot knows about (cpu, memory, GPUs...): a snapshot without
  // ephemeral-storage must not make every pod look unsatisfiable. Extended resources (with a
  // slash) count even when no node has them: then no node can ever hold them.
  const known = new Set(capacity.nodes.flatMap((n) => Object.keys(n?.allocatable ?? {})));
  const names = Object.keys(requested).filter(
    (k) => (requested[k] ?? 0) > 0 && (known.has(k) || k.includes('/')),
  );
  if (names.length === 0) return undefined;
  const nodes = eligibleNodes(pod, capacity);
  const largestAllocatable: ResourceMap = {};
  const largestFree: ResourceMap = {};
  for (const name of names) {
    largestAllocatable[name] = Math.max(0, ...nodes.map((n) => finite(n.allocatable?.[name])));
    largestFree[name] = Math.max(0, ...nodes.map((n) => finite(n.free?.[name])));
  }
  const neverFits = names.filter((name) => (requested[name] ?? 0) > (largestAllocatable[name] ?? 0));
  const wanted = Object.fromEntries(names.map((k) => [k, requested[k] ?? 0]));
  const unsatisfiable = !nodes.some((n) => fits(wanted, n.allocatable));
  return { unsatisfiable, requested, largestAllocatable, largestFree, neverFits };
}

function finite(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
