// The pod sandbox's network as Multus (thin plugin) sets it up: the cluster network always works;
// each secondary network the pod asks for with the k8s.v1.cni.cncf.io/networks annotation must be
// a NetworkAttachmentDefinition the catalog lists, and its whereabouts range must have a free
// address. Wording: fault-wording.ts.
import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import type { Catalog, CatalogNetwork } from './catalog.js';
import { faults } from './fault-wording.js';

export const NETWORKS_ANNOTATION = 'k8s.v1.cni.cncf.io/networks';

export type SandboxOutcome =
  | { ok: true }
  | {
      ok: false;
      /** The kubelet's FailedCreatePodSandBox message. */
      message: string;
      /** Multus's own NoNetworkFound event, when a definition is missing. */
      noNetworkFound?: string;
    };

/** `a, ns/b, c@eth1` or the JSON list form: the requested networks as namespace and name. */
export function requestedNetworks(pod: V1Pod): Array<{ namespace: string; name: string }> {
  const raw = pod.metadata?.annotations?.[NETWORKS_ANNOTATION]?.trim();
  const podNs = pod.metadata?.namespace ?? 'default';
  if (!raw) return [];
  if (raw.startsWith('[')) {
    try {
      const list = JSON.parse(raw) as Array<{ name?: string; namespace?: string }>;
      return list
        .filter((n) => typeof n?.name === 'string')
        .map((n) => ({ namespace: n.namespace ?? podNs, name: n.name ?? '' }));
    } catch {
      return [{ namespace: podNs, name: raw }];
    }
  }
  return raw
    .split(',')
    .map((s) => s.trim().replace(/@.*$/, ''))
    .filter(Boolean)
    .map((s) => {
      const slash = s.indexOf('/');
      return slash > 0
        ? { namespace: s.slice(0, slash), name: s.slice(slash + 1) }
        : { namespace: podNs, name: s };
    });
}

function ipRange(cidr: string): { first: string; last: string; cidr: string } {
  const [ip, bits] = cidr.split('/');
  const parts = (ip ?? '0.0.0.0').split('.').map(Number);
  const base = ((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0);
  const size = 2 ** (32 - Number(bits));
  const net = (base >>> 0) - ((base >>> 0) % size);
  const str = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
  return { first: str(net + 1), last: str(net + size - 2), cidr: `${str(net)}/${bits}` };
}

/**
 * One attempt at the sandbox's network, `sinceFirstMs` after the pod's first attempt (a pool that
 * leaked addresses is freed by whereabouts' reconciler after a while).
 */
export function setUpNetwork(catalog: Catalog, pod: V1Pod, sinceFirstMs: number): SandboxOutcome {
  const who = {
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
  };
  const sandbox = randomBytes(32).toString('hex');
  for (const want of requestedNetworks(pod)) {
    const nad: CatalogNetwork | undefined = catalog.networks.find((n) => n.name === want.name);
    if (!nad) {
      const missing = faults.nadNotFound(want.name, want.namespace);
      return {
        ok: false,
        message: faults.sandboxFailed(sandbox, faults.multusNoNad(who, missing)),
        noNetworkFound: missing,
      };
    }
    if (sinceFirstMs < nad.exhaustedForSeconds * 1000) {
      return {
        ok: false,
        message: faults.sandboxFailed(sandbox, faults.poolExhausted(who, nad.name, ipRange(nad.range))),
      };
    }
  }
  return { ok: true };
}
