// Pod and sandbox family: the pod itself was evicted or preempted, or its sandbox (network,
// cgroups) could not be created (pkg/kubelet/eviction, pkg/kubelet/kuberuntime/kuberuntime_manager.go,
// pkg/controller/tainteviction, pkg/scheduler/framework/preemption).
import type { Rule } from '../rule.js';
import { type Family, runRules } from '../rule.js';

const node = (m: RegExpExecArray) => {
  const name = /on node "?([^\s"]+?)"?(?:\.|$|\s)/.exec(m.input)?.[1];
  return name ? { node: name } : {};
};

const RULES: readonly Rule[] = [
  {
    // The taint manager also says `Cancelling deletion of Pod x` (Normal, same reason) when the taint
    // went away: that is the eviction called off, not an eviction.
    id: 'pod.eviction-cancelled',
    category: 'normal',
    strength: 'info',
    topic: 'pod',
    reasons: ['TaintManagerEviction'],
    pattern: /^Cancelling deletion of Pod\b/,
  },
  {
    id: 'pod.taint-eviction',
    category: 'pod.evicted',
    strength: 'decisive',
    topic: 'pod',
    reasons: ['TaintManagerEviction'],
    pattern: /^Marking for deletion Pod\b/,
    params: node,
  },
  {
    id: 'pod.evicted',
    category: 'pod.evicted',
    strength: 'decisive',
    topic: 'pod',
    reasons: ['Evicted', 'Preempted', 'Preempting', 'NodeShutdown', 'Terminated', 'NodeLost', 'NodeAffinity'],
    pattern: /[\s\S]*/,
    params: node,
  },
  {
    // The kubelet's eviction texts (event and pod status), recognisable without their reason.
    id: 'pod.evicted-text',
    category: 'pod.evicted',
    strength: 'decisive',
    topic: 'pod',
    pattern:
      /^(?:Pod )?(?:The node was low on resource: |The node had condition: \[)|^Preempted by \S+ on node |^Pod was terminated in response to imminent node shutdown/,
    params: node,
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
    params: (m) => ({ cause: m[0].replace(/^Failed (?:to )?create pod sandbox:\s*/, '').slice(0, 300) }),
  },
  {
    id: 'sandbox.failed-text',
    category: 'sandbox.failed',
    strength: 'decisive',
    topic: 'sandbox',
    pattern: /^Failed (?:to )?create pod sandbox:\s*/,
    params: (m) => ({ cause: m.input.slice(m[0].length, m[0].length + 300) }),
  },
];

export const podFamily: Family = (item, ctx) => runRules(RULES, item, ctx);
