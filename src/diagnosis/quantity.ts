// Kubernetes resource quantities (resource.Quantity) as plain numbers, and a pod's total request.
// Units follow ResourceMap: cpu in cores, memory and storage in bytes, everything else a count.
import type { PodLike, ResourceMap } from './types.js';

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/**
 * Parses a Kubernetes quantity ("500m", "1.5Gi", "2e3", "64", 4). Returns NaN for anything that is
 * not a quantity, so callers decide how to treat garbage instead of this function guessing.
 */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return Number.isFinite(q) ? q : Number.NaN;
  if (typeof q !== 'string') return Number.NaN;
  const match = QUANTITY.exec(q.trim());
  if (!match) return Number.NaN;
  const base = Number(match[1]);
  if (match[2]) return Number(`${match[1]}${match[2]}`);
  return base * (SUFFIX[match[3] ?? ''] ?? Number.NaN);
}

type Container = {
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
};

/** One container's effective request: requests, falling back to limits (as the API server defaults). */
function containerRequests(c: Container | undefined): ResourceMap {
  const out: ResourceMap = {};
  const requests = c?.resources?.requests ?? {};
  const limits = c?.resources?.limits ?? {};
  for (const source of [limits, requests]) {
    if (!source || typeof source !== 'object') continue;
    for (const [name, raw] of Object.entries(source)) {
      const value = parseQuantity(raw as string | number);
      if (Number.isFinite(value) && value >= 0) out[name] = value;
    }
  }
  return out;
}

/**
 * The pod's effective request as the scheduler computes it: the sum over app containers, but at
 * least the largest init container's request for each resource. Garbage quantities are skipped.
 */
export function requestedResources(pod: PodLike | undefined): ResourceMap {
  const total: ResourceMap = {};
  const containers = Array.isArray(pod?.spec?.containers) ? pod.spec.containers : [];
  for (const c of containers) {
    for (const [name, value] of Object.entries(containerRequests(c)))
      total[name] = (total[name] ?? 0) + value;
  }
  const inits = Array.isArray(pod?.spec?.initContainers) ? pod.spec.initContainers : [];
  for (const c of inits) {
    for (const [name, value] of Object.entries(containerRequests(c))) {
      if (value > (total[name] ?? 0)) total[name] = value;
    }
  }
  return total;
}
