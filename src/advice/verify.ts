// The verifier (DESIGN section 5, step 4): whatever proposed a request (the LLM, a site plugin),
// it reaches a user only if it is made of allowed form values and fits on ONE node of the snapshot
// now. Pure; the caller counts the drops.
import { type AdviceRequest, adviceRequestSchema } from '../diagnosis/annotation.js';
import type { CapacitySnapshot, ResourceMap } from '../diagnosis/types.js';
import { firstFit, type Placement, toResources } from './fit.js';
import type { AllowedValues } from './solver.js';

export type DropReason = 'invalid' | 'not-allowed' | 'does-not-fit' | 'duplicate';

export interface VerifyResult {
  kept: Array<{ request: AdviceRequest; node: string }>;
  dropped: Array<{ request: unknown; reason: DropReason }>;
}

const EPS = 1e-9;

function isAllowed(req: AdviceRequest, allowed: AllowedValues): boolean {
  const has = (list: readonly number[], v: number) => list.some((x) => Math.abs(x - v) < EPS);
  if (!has(allowed.cpu, req.cpu) || !has(allowed.memory, req.memory)) return false;
  if (!allowed.gpu.includes(req.gpu)) return false;
  if (req.gpu === 'none') return req.gpu_count === 0;
  return req.gpu_count >= 1 && has(allowed.gpuCount, req.gpu_count);
}

export function verifySuggestions(
  proposed: readonly unknown[],
  ctx: {
    snapshot: CapacitySnapshot;
    allowed: AllowedValues;
    placement: Placement;
    /** Non-form resources of the original request (ephemeral-storage …), still needed. */
    extras?: ResourceMap;
  },
): VerifyResult {
  const result: VerifyResult = { kept: [], dropped: [] };
  const seen = new Set<string>();
  const nodes = Array.isArray(ctx.snapshot?.nodes) ? ctx.snapshot.nodes : [];
  for (const raw of proposed) {
    const parsed = adviceRequestSchema.safeParse(raw);
    if (!parsed.success) {
      result.dropped.push({ request: raw, reason: 'invalid' });
      continue;
    }
    const req = parsed.data;
    if (!isAllowed(req, ctx.allowed)) {
      result.dropped.push({ request: req, reason: 'not-allowed' });
      continue;
    }
    const key = `${req.cpu}|${req.memory}|${req.gpu}|${req.gpu_count}`;
    if (seen.has(key)) {
      result.dropped.push({ request: req, reason: 'duplicate' });
      continue;
    }
    const node = firstFit(toResources(req, ctx.extras), nodes, ctx.placement);
    if (!node) {
      result.dropped.push({ request: req, reason: 'does-not-fit' });
      continue;
    }
    seen.add(key);
    result.kept.push({
      request: { cpu: req.cpu, memory: req.memory, gpu: req.gpu, gpu_count: req.gpu_count },
      node: node.name,
    });
  }
  return result;
}
