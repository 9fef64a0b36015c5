// Default per-category policy (DESIGN sections 3 and 6), read from the category catalogue: the
// action, the grace (how long the decisive evidence must persist before acting) and the budget (for
// categories that wait, the longest wait before stopping, 0 = no limit; for categories that wait for a
// cluster autoscaler, the longest wait while it reports a scale-up).
import type { CategoryPolicy } from '../config/schema.js';
import { CATALOGUE, CATEGORIES, type Category } from '../diagnosis/catalogue.js';

export const DEFAULT_POLICY: Readonly<Record<Category, CategoryPolicy>> = Object.fromEntries(
  CATALOGUE.map((e) => [
    e.id,
    { action: e.action, graceSeconds: e.graceSeconds, budgetSeconds: e.budgetSeconds },
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
