// The feasibility solver (DESIGN section 5, step 2): from a failed request, where the pod may run,
// the capacity and the site's allowed form values, the nearest requests that would start NOW on
// ONE node, ranked by how little they change. Pure and deterministic: no I/O, no clock.
import type { AdviceRequest } from '../diagnosis/annotation.js';
import type { CapacitySnapshot, NodeCapacity, ResourceMap } from '../diagnosis/types.js';
import { extrasOf, GIB, nodeAdmits, type Placement, within } from './fit.js';

/** The site's allowed form values (advisor config `allowed`). Memory in GiB. */
export interface AllowedValues {
  cpu: readonly number[];
  memory: readonly number[];
  gpu: readonly string[];
  gpuCount: readonly number[];
}

/** A request in form units where values may be 0 (a pod that requests nothing). */
export interface FormRequest {
  cpu: number;
  memory: number;
  gpu: string;
  gpu_count: number;
}

export type Change = 'cpu' | 'memory' | 'gpu' | 'gpu_count';

export interface Suggestion {
  request: AdviceRequest;
  changes: Change[];
  /** A node it fits on now (for logs; never shown to users). */
  node: string;
}

export interface SolverInput {
  requested: ResourceMap;
  placement: Placement;
  snapshot: CapacitySnapshot;
  allowed: AllowedValues;
  /** `shrink` for scheduling failures; `more-memory` after an OOM kill. */
  mode?: 'shrink' | 'more-memory';
  max?: number;
}

export interface SolverResult {
  original: FormRequest;
  /** The original request fits on one node right now (a transient failure; nothing to suggest). */
  fitsNow: boolean;
  /** No admitting node's allocatable could ever hold the request (`scheduling.unsatisfiable`). */
  impossible: boolean;
  /** Nodes the pod may land on (selector, taints, not cordoned). */
  eligibleNodes: number;
  /** Per requested resource, the largest allocatable among eligible nodes (ResourceMap units). */
  largestAllocatable: ResourceMap;
  /** Ranked, best first, at most `max`. */
  suggestions: Suggestion[];
  /** Every maximal request in allowed values that fits now (the "feasible set"), best first. */
  feasible: FormRequest[];
}

const LIKELY_GPU = /(^|\/)(gpu|mig-)|^nvidia\.com\/|^amd\.com\/|^gpu\.intel\.com\//;

/** The GPU kinds of this site: the allowed ones plus whatever GPU-like resource the pod asked for. */
export function gpuKindsOf(requested: ResourceMap, allowed: AllowedValues): string[] {
  const kinds = allowed.gpu.filter((g) => g !== 'none');
  for (const [name, value] of Object.entries(requested)) {
    if (value > 0 && !kinds.includes(name) && LIKELY_GPU.test(name)) kinds.push(name);
  }
  return kinds;
}

/** The pod's request in the form's units (cores, GiB, one GPU kind). */
export function toFormRequest(requested: ResourceMap, gpuKinds: readonly string[]): FormRequest {
  const gpu = gpuKinds.find((k) => (requested[k] ?? 0) > 0);
  return {
    cpu: requested.cpu ?? 0,
    memory: (requested.memory ?? 0) / GIB,
    gpu: gpu ?? 'none',
    gpu_count: gpu ? (requested[gpu] ?? 0) : 0,
  };
}

const WEIGHT: Record<Change, number> = { cpu: 1, memory: 2, gpu: 4, gpu_count: 8 };

function changesOf(c: FormRequest, o: FormRequest): Change[] {
  const out: Change[] = [];
  if (c.cpu !== o.cpu) out.push('cpu');
  if (c.memory !== o.memory) out.push('memory');
  if (c.gpu !== o.gpu) out.push('gpu');
  if (c.gpu_count !== o.gpu_count) out.push('gpu_count');
  return out;
}

function relDiff(a: number, b: number): number {
  return b > 0 ? Math.abs(a - b) / b : a;
}

/** Sort key: fewest changes, then the cheapest kind of change, then the nearest values. */
function rankKey(c: FormRequest, o: FormRequest): [number, number, number] {
  const changes = changesOf(c, o);
  const weight = changes.reduce((s, ch) => s + WEIGHT[ch], 0);
  const distance = relDiff(c.cpu, o.cpu) + relDiff(c.memory, o.memory) + relDiff(c.gpu_count, o.gpu_count);
  return [changes.length, weight, distance];
}

function compareKeys(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Node free/allocatable as flat numbers for the hot loop (1,000 nodes × ~1,000 candidates). */
interface FlatNode {
  name: string;
  cpu: number;
  memGiB: number;
  gpu: Map<string, number>;
}

function flatten(node: NodeCapacity, map: ResourceMap, kinds: readonly string[]): FlatNode {
  const gpu = new Map<string, number>();
  for (const k of kinds) gpu.set(k, map[k] ?? 0);
  return { name: node.name, cpu: map.cpu ?? 0, memGiB: (map.memory ?? 0) / GIB, gpu };
}

const EPS = 1e-9;

function fitsFlat(c: FormRequest, n: FlatNode): boolean {
  if (c.cpu > n.cpu + EPS) return false;
  if (c.memory > n.memGiB + EPS) return false;
  if (c.gpu !== 'none' && c.gpu_count > 0 && c.gpu_count > (n.gpu.get(c.gpu) ?? 0)) return false;
  return true;
}

function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values.filter((v) => Number.isFinite(v) && v >= 0))].sort((a, b) => a - b);
}

/** Candidate values for one numeric field: allowed steps not above the original (or the smallest). */
function atMost(allowed: readonly number[], original: number): number[] {
  const steps = sortedUnique(allowed).filter((v) => v > 0);
  const below = steps.filter((v) => v <= original + EPS);
  return below.length > 0 ? below : steps.slice(0, 1);
}

function dominates(a: FormRequest, b: FormRequest): boolean {
  return (
    a.gpu === b.gpu &&
    a.gpu_count >= b.gpu_count &&
    a.cpu >= b.cpu &&
    a.memory >= b.memory &&
    (a.gpu_count > b.gpu_count || a.cpu > b.cpu || a.memory > b.memory)
  );
}

export function solve(input: SolverInput): SolverResult {
  const { requested, placement, snapshot, allowed } = input;
  const mode = input.mode ?? 'shrink';
  const max = input.max ?? 3;
  const kinds = gpuKindsOf(requested, allowed);
  const original = toFormRequest(requested, kinds);
  const extras = extrasOf(requested, kinds);

  const nodes = (Array.isArray(snapshot?.nodes) ? snapshot.nodes : []).filter((n) =>
    nodeAdmits(n, placement),
  );
  // Extras (e.g. ephemeral-storage) are not negotiable: a node without them never counts.
  const withExtrasNow = nodes.filter((n) => within(extras, n.free));
  const withExtrasEver = nodes.filter((n) => within(extras, n.allocatable));
  const free = withExtrasNow.map((n) => flatten(n, n.free, kinds));
  const alloc = withExtrasEver.map((n) => flatten(n, n.allocatable, kinds));

  const largestAllocatable: ResourceMap = {};
  for (const name of Object.keys(requested)) {
    largestAllocatable[name] = nodes.reduce((m, n) => Math.max(m, n.allocatable[name] ?? 0), 0);
  }

  const fitsNow = free.some((n) => fitsFlat(original, n));
  const impossible = !alloc.some((n) => fitsFlat(original, n));
  const base = { original, fitsNow, impossible, eligibleNodes: nodes.length, largestAllocatable };
  if (fitsNow && mode === 'shrink') return { ...base, suggestions: [], feasible: [] };

  // After an OOM kill only memory should move; cpu stays at the nearest allowed step.
  const cpus =
    mode === 'more-memory' ? atMost(allowed.cpu, original.cpu).slice(-1) : atMost(allowed.cpu, original.cpu);
  const memories =
    mode === 'more-memory'
      ? sortedUnique(allowed.memory).filter((m) => m > original.memory + EPS)
      : atMost(allowed.memory, original.memory);
  const counts = sortedUnique(allowed.gpuCount).filter((c) => c >= 1 && c <= Math.max(1, original.gpu_count));
  const gpuOptions: Array<[string, number]> = [];
  if (original.gpu === 'none') gpuOptions.push(['none', 0]);
  else {
    const tryKinds =
      mode === 'more-memory' ? [original.gpu] : [original.gpu, ...kinds.filter((k) => k !== original.gpu)];
    for (const kind of tryKinds) {
      if (!allowed.gpu.includes(kind)) continue;
      for (const count of mode === 'more-memory' ? counts.slice(-1) : counts) gpuOptions.push([kind, count]);
    }
  }

  const fitting = (options: Array<[string, number]>): Array<{ c: FormRequest; node: string }> => {
    const out: Array<{ c: FormRequest; node: string }> = [];
    for (const [gpu, gpu_count] of options) {
      for (const cpu of cpus) {
        for (const memory of memories) {
          const c = { cpu, memory, gpu, gpu_count };
          const node = free.find((n) => fitsFlat(c, n));
          if (node) out.push({ c, node: node.name });
        }
      }
    }
    return out;
  };
  let found = fitting(gpuOptions);
  // Only when no GPU option fits at all is "no GPU" worth suggesting, and only if the site allows it.
  if (found.length === 0 && original.gpu !== 'none' && allowed.gpu.includes('none')) {
    found = fitting([['none', 0]]);
  }

  const maximal = found.filter(({ c }) => !found.some((o) => dominates(o.c, c)));
  if (mode === 'more-memory') {
    // After an OOM kill the nearest useful step is the smallest memory increase, at the same cpu/GPU.
    maximal.splice(0, maximal.length, ...found);
  }
  const key = (c: FormRequest): [number, number, number] =>
    mode === 'more-memory' ? [changesOf(c, original).length, c.memory, -c.cpu] : rankKey(c, original);
  maximal.sort((a, b) => compareKeys(key(a.c), key(b.c)));

  const feasible = maximal.map(({ c }) => c);
  const suggestions: Suggestion[] = [];
  for (const { c, node } of maximal) {
    if (suggestions.length >= max) break;
    if (c.cpu <= 0 || c.memory <= 0) continue; // not expressible as a form request
    suggestions.push({ request: { ...c }, changes: changesOf(c, original), node });
  }
  return { ...base, suggestions, feasible };
}
