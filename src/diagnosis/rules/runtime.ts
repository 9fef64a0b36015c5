// Runtime family: the container was created but will not run: crash loops, OOM kills, start errors
// (pkg/kubelet/kuberuntime/kuberuntime_container.go, pkg/kubelet/container/sync_result.go).
import type { Rule } from '../rule.js';
import { type Family, runRules } from '../rule.js';

const KILLED = /\bKill(?:ed)? process (\d+) \(([^)]+)\)|victim process: ([^,\s]+)(?:, pid: (\d+))?/g;

/** The processes the kernel killed, the last one last (`python (pid 123)`). */
function oomParams(m: RegExpExecArray): { cause?: string } {
  const killed: string[] = [];
  for (const k of m.input.slice(0, 4096).matchAll(KILLED)) {
    const name = k[2] ?? k[3];
    const pid = k[1] ?? k[4];
    const text = pid ? `${name} (pid ${pid})` : `${name}`;
    if (name && !killed.includes(text)) killed.push(text);
  }
  return killed.length ? { cause: killed.join(', ') } : {};
}

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
    // Node-level reports: the node problem detector's `OOMKilling` (the kernel's `Memory cgroup out
    // of memory: Kill process 123 (python) …`), the kubelet's `SystemOOM` (`System OOM encountered,
    // victim process: python, pid: 123` since 1.15). They name the process, not the container.
    id: 'runtime.oom-event',
    category: 'runtime.oom_killed',
    strength: 'decisive',
    topic: 'runtime',
    reasons: ['OOMKilling', 'OOMKilled', 'SystemOOM'],
    pattern: /out of memory|OOM|oom/,
    priority: 2,
    params: oomParams,
  },
  {
    id: 'runtime.oom-text',
    category: 'runtime.oom_killed',
    strength: 'decisive',
    topic: 'runtime',
    pattern:
      /^(?:Memory cgroup out of memory|Out of memory): Kill(?:ed)? process \d+|^System OOM encountered\b|^Container \S+ was OOM killed/,
    priority: 2,
    params: oomParams,
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
    // The runtime's own words for a container it could not create or start, recognisable without
    // the event's reason (a pasted line, a container's last state).
    id: 'runtime.start-text',
    category: 'runtime.start_failed',
    strength: 'decisive',
    topic: 'container',
    pattern:
      /^(?:Error: )?(?:failed to (?:start|create) container\b|container create failed:|failed to create (?:containerd|shim) task\b|Error response from daemon: (?:OCI runtime|oci runtime error)|OCI runtime (?:create|start|exec) failed\b|cannot find volume "[^"]*" to mount into container|failed to reserve container name|Exec lifecycle hook \()/,
    params: (m) => ({ cause: m.input.replace(/^Error: /, '').slice(0, 300) }),
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
