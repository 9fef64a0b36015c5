// The kubelet's pod admission, as far as the testbed needs it: sysctls must be on the kubelet's
// safe list (kubelet v1.34.4 pkg/kubelet/sysctl/safe_sysctls.go, for a kernel new enough for all
// of them) or in --allowed-unsafe-sysctls; a prefix ending in `*` allows a family.
import type { V1Pod } from '@kubernetes/client-node';
import type { Catalog } from './catalog.js';
import { faults } from './fault-wording.js';

const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
];

/** `net/ipv4/ip_forward` is written `net.ipv4.ip_forward` (component-helpers sysctl.NormalizeName). */
function normalize(name: string): string {
  const first = name.search(/[./]/);
  if (first === -1 || name[first] === '.') return name;
  return name.replace(/[./]/g, (ch) => (ch === '/' ? '.' : '/'));
}

export interface Rejection {
  reason: string;
  message: string;
}

/** Why the kubelet refuses to run the pod at all, or undefined when it admits it. */
export function admit(catalog: Catalog, pod: V1Pod): Rejection | undefined {
  const allowed = [...SAFE_SYSCTLS, ...catalog.allowedUnsafeSysctls];
  for (const s of pod.spec?.securityContext?.sysctls ?? []) {
    const name = normalize(s.name);
    const ok = allowed.some((a) => (a.endsWith('*') ? name.startsWith(a.slice(0, -1)) : a === name));
    if (!ok) return { reason: faults.sysctlForbiddenReason, message: faults.sysctlForbidden(name) };
  }
  return undefined;
}
