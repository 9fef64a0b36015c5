// The advisor's node label filter (`cerit.io/jupyter-workload=true`, comma-separated): a label
// selector of src/kube/selector.ts restricted to equality, inequality, existence (`key`) and
// absence (`!key`); empty terms are ignored. Matching and formatting are that module's.
import { parseSelector, type Requirement, type Selector } from '../../kube/selector.js';

/** Parses the filter; throws with the offending part, so a config typo is a clear startup error. */
export function parseNodeFilter(filter: string): Selector {
  return filter
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part): Requirement => {
      let parsed: Selector;
      try {
        parsed = parseSelector(part);
      } catch {
        throw new Error(`node filter: cannot parse "${part}"`);
      }
      const [req] = parsed;
      if (!req || parsed.length !== 1 || req.op === 'in' || req.op === 'notin') {
        throw new Error(`node filter: cannot parse "${part}"`);
      }
      return req;
    });
}
