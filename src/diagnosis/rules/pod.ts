// Pod and sandbox family: the pod itself was evicted or preempted, or its sandbox (network,
// cgroups) could not be created (pkg/kubelet/eviction, pkg/kubelet/kuberuntime/kuberuntime_manager.go).
import type { Rule } from '../rule.js';
import { type Family, runRules } from '../rule.js';

const RULES: readonly Rule[] = [
  {
    id: 'pod.evicted',
    category: 'pod.evicted',
    strength: 'decisive',
    topic: 'pod',
    reasons: [
      'Evicted',
      'Preempted',
      'Preempting',
      'TaintManagerEviction',
      'NodeShutdown',
      'Terminated',
      'NodeLost',
      'NodeAffinity',
    ],
    pattern: /[\s\S]*/,
    params: (m) => {
      const node = /on node "?([^\s"]+?)"?(?:\.|$|\s)/.exec(m[0])?.[1];
      return node ? { node } : {};
    },
  },
  {
    id: 'sandbox.failed',
    category: 'sandbox.failed',
    strength: 'decisive',
    topic: 'sandbox',
    reasons: [
      'FailedCreatePodSandBox',
      'FailedCreatePodContainer',
      'NetworkNotReady',
      'FailedPodSandBoxStatus',
    ],
    pattern: /[\s\S]*/,
    params: (m) => ({ cause: m[0].replace(/^Failed to create pod sandbox:\s*/, '').slice(0, 300) }),
  },
];

export const podFamily: Family = (item, ctx) => runRules(RULES, item, ctx);
