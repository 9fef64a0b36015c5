// Runtime family: the container was created but will not run: crash loops, OOM kills, start errors
// (pkg/kubelet/kuberuntime/kuberuntime_container.go, pkg/kubelet/container/sync_result.go).
import type { Rule } from '../rule.js';
import { type Family, runRules } from '../rule.js';

const RULES: readonly Rule[] = [
  {
    id: 'runtime.oom-status',
    category: 'runtime.oom_killed',
    strength: 'decisive',
    topic: 'runtime',
    reasons: ['OOMKilled'],
    pattern: /[\s\S]*/,
    priority: 2,
  },
  {
    id: 'runtime.oom-event',
    category: 'runtime.oom_killed',
    strength: 'decisive',
    topic: 'runtime',
    reasons: ['OOMKilling', 'OOMKilled'],
    pattern: /out of memory|OOM|oom/,
    priority: 2,
  },
  {
    // `Back-off restarting failed container notebook in pod jupyter-x_ns(uid)`; older: no names.
    id: 'runtime.crash-backoff',
    category: 'runtime.crash_loop',
    strength: 'decisive',
    topic: 'runtime',
    reasons: ['BackOff', 'CrashLoopBackOff'],
    pattern:
      /^(?:Back-off restarting failed container|back-off \S+ restarting failed container)(?:[ =](\S+))?/i,
    params: (m) => (m[1] && m[1] !== 'in' ? { container: m[1] } : {}),
    priority: 1,
  },
  {
    id: 'runtime.crash-status',
    category: 'runtime.crash_loop',
    strength: 'decisive',
    topic: 'runtime',
    reasons: ['CrashLoopBackOff'],
    pattern: /[\s\S]*/,
    priority: 1,
  },
  {
    id: 'runtime.exited',
    category: 'runtime.crash_loop',
    strength: 'weak',
    topic: 'runtime',
    reasons: ['Error', 'Completed'],
    pattern: /[\s\S]*/,
  },
  {
    id: 'runtime.start-status',
    category: 'runtime.start_failed',
    strength: 'decisive',
    topic: 'container',
    reasons: [
      'CreateContainerError',
      'RunContainerError',
      'StartError',
      'ContainerCannotRun',
      'PreStartHookError',
      'PostStartHookError',
    ],
    pattern: /[\s\S]*/,
    params: (m) => ({ cause: m[0].slice(0, 300) }),
    // Over the CrashLoopBackOff that follows a failed start: the start failure is the cause.
    priority: 2,
  },
  {
    id: 'runtime.poststart-hook',
    category: 'runtime.start_failed',
    strength: 'decisive',
    topic: 'container',
    reasons: ['FailedPostStartHook', 'FailedPreStartHook'],
    pattern: /[\s\S]*/,
    params: (m) => ({ cause: m[0].slice(0, 300) }),
  },
  {
    // kuberuntime's `Error: <cause>` after image and config errors were ruled out by earlier families.
    id: 'runtime.start-error',
    category: 'runtime.start_failed',
    strength: 'decisive',
    topic: 'container',
    reasons: ['Failed'],
    pattern: /^Error: ([\s\S]+)$/,
    params: (m) => ({ cause: (m[1] ?? '').slice(0, 300) }),
  },
];

export const runtimeFamily: Family = (item, ctx) => runRules(RULES, item, ctx);
