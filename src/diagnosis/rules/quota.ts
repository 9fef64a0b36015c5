// Quota family: admission refused the pod (ResourceQuota, LimitRange). The message is the API
// server's (plugin/pkg/admission/resourcequota, limitranger), seen in FailedCreate events of
// controllers and in KubeSpawner's logged API errors.
import type { Rule } from '../rule.js';
import { type Family, runRules } from '../rule.js';

const RULES: readonly Rule[] = [
  {
    id: 'quota.exceeded',
    category: 'quota.exceeded',
    strength: 'decisive',
    topic: 'pod',
    pattern: /exceeded quota: ([^,\s]+)/,
    params: (m) => ({ quota: m[1] }),
  },
  {
    id: 'quota.must-specify',
    category: 'quota.exceeded',
    strength: 'decisive',
    topic: 'pod',
    pattern: /failed quota: ([^:\s]+): must specify/,
    params: (m) => ({ quota: m[1] }),
  },
  {
    // The 1.1 admission's wording (`cpu is limited by quota, must make explicit request`,
    // `cpu quota is 200m, current usage is 200m, requesting 100m`).
    id: 'quota.v1-1',
    category: 'quota.exceeded',
    strength: 'decisive',
    topic: 'pod',
    pattern:
      /is forbidden: \S+ (?:is limited by quota, must make explicit request|quota is \S+, current usage is)/,
  },
  {
    id: 'quota.limitrange',
    category: 'quota.exceeded',
    strength: 'decisive',
    topic: 'pod',
    pattern:
      /is forbidden: (?:maximum|minimum) \S+ usage per (?:Container|Pod) is|is forbidden: \S+ max limit to request ratio/,
  },
];

export const quotaFamily: Family = (item, ctx) => runRules(RULES, item, ctx);
