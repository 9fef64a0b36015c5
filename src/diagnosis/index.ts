// The pure core's entry point: evidence (pod, events, optional capacity) in, the decisive Diagnosis out.

import { CATEGORY_DEFAULTS } from './catalogue.js';
import { decide } from './classify.js';
import { excerpt } from './normalize.js';
import type { Diagnosis, Evidence } from './types.js';

export { eligibleNodes, judgeCapacity } from './capacity.js';
export { CATEGORY_DEFAULTS } from './catalogue.js';
export { normalizeMessage } from './normalize.js';
export { parseQuantity, requestedResources } from './quantity.js';
export { registryOf } from './rules/image.js';
export { parseSchedulingMessage } from './rules/scheduling.js';
export * from './types.js';

/**
 * Pure and total: never throws, whatever arrives (garbage, huge strings, cycles in objects the rules
 * never touch). A bug in a rule degrades to `unknown.warning` with the error named, not a crash.
 */
export function classify(evidence: Evidence): Diagnosis {
  try {
    const input: Evidence = evidence && typeof evidence === 'object' ? evidence : { events: [] };
    return decide(input);
  } catch (err) {
    const d = CATEGORY_DEFAULTS['unknown.warning'];
    const message = excerpt(
      `spawn-doctor could not classify the evidence: ${err instanceof Error ? err.message : String(err)}`,
    );
    return {
      category: 'unknown.warning',
      ...d,
      params: { reason: 'ClassifierError', message },
      evidence: [],
    };
  }
}
