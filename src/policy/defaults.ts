// Default per-category policy (DESIGN sections 3 and 6). Grace: how long the decisive evidence
// must persist before acting. Budget: for categories that wait, the longest wait before stopping
// (0 = no limit); for `scheduling.insufficient_resources`, the longest wait while a cluster
// autoscaler reports a scale-up.
import type { CategoryPolicy } from '../config/schema.js';
import { CATEGORY_DEFAULTS } from '../diagnosis/defaults.js';
import { CATEGORIES, type Category } from '../diagnosis/types.js';

const OVERRIDES: Partial<Record<Category, Partial<CategoryPolicy>>> = {
  'image.pulling': { budgetSeconds: 0 },
  'image.registry_unreachable': { budgetSeconds: 180 },
  'volume.pvc_pending': { budgetSeconds: 120 },
  'sandbox.failed': { budgetSeconds: 120 },
  'scheduling.insufficient_resources': { budgetSeconds: 300 },
  // The brief: "every other error → stop", but a lone warning may be transient; give it a moment.
  'unknown.warning': { graceSeconds: 30 },
  // Kubelet reports BackOff/CrashLoopBackOff only after restarts; no extra grace needed.
};

export const DEFAULT_POLICY: Readonly<Record<Category, CategoryPolicy>> = Object.fromEntries(
  CATEGORIES.map((c) => [
    c,
    { action: CATEGORY_DEFAULTS[c].action, graceSeconds: 0, budgetSeconds: 0, ...OVERRIDES[c] },
  ]),
) as Record<Category, CategoryPolicy>;

/** Overrides (partial, per category) merged over the defaults. */
export function mergePolicy(
  overrides: Partial<Record<string, Partial<CategoryPolicy>>>,
): Record<Category, CategoryPolicy> {
  return Object.fromEntries(
    CATEGORIES.map((c) => [c, { ...DEFAULT_POLICY[c], ...(overrides[c] ?? {}) }]),
  ) as Record<Category, CategoryPolicy>;
}
