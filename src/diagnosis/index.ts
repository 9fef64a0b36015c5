// The pure core's entry point: evidence (pod, events, optional capacity) in, the decisive Diagnosis out.
import { CATEGORY_DEFAULTS } from './defaults.js';
import type { Diagnosis, Evidence } from './types.js';

export { CATEGORY_DEFAULTS } from './defaults.js';
export { parseQuantity, requestedResources } from './quantity.js';
export * from './types.js';

/** Pure and total: never throws, whatever arrives. (Early version; rules land next.) */
export function classify(evidence: Evidence): Diagnosis {
  const events = Array.isArray(evidence?.events) ? evidence.events : [];
  const warning = events.some((e) => e?.type === 'Warning');
  const category = warning ? 'unknown.warning' : 'normal';
  return { category, ...CATEGORY_DEFAULTS[category], params: {}, evidence: [] };
}
