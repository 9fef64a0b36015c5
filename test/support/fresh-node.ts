// A brand-new simulated node for one test: nothing is cached on it, so a slow image pull is really
// slow even when earlier tests pulled the image onto the shared nodes. Tainted, so only a pod that
// tolerates the taint (and selects the node) lands there; removed afterwards.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { nodeObject } from '../../testbed/sim/nodes.js';
import { waitFor } from './hub.js';

export interface FreshNode {
  name: string;
  /** As the REST API's node_selector object. */
  selector: Record<string, string>;
  /** As the demo form's node_selector field (key=value lines). */
  selectorLines: string;
  /** As the demo form's tolerations field (key=value:Effect). */
  toleration: string;
}

/**
 * `prefix` names the node; `hostIpBase` picks its host IPs (127.0.10.<base..base+9>) apart from
 * the default nodes and from other suites' fresh nodes.
 */
export async function withFreshNode<T>(
  fn: (node: FreshNode) => Promise<T>,
  opts: { prefix: string; hostIpBase: number },
): Promise<T> {
  const kc = new KubeConfig();
  kc.loadFromFile(process.env.KUBECONFIG ?? '.testbed/kubeconfig');
  const core = kc.makeApiClient(CoreV1Api);
  const name = `${opts.prefix}-fresh-${randomBytes(3).toString('hex')}`;
  const taint = { key: `spawn-doctor-${opts.prefix}`, value: name, effect: 'NoSchedule' as const };
  const body = nodeObject(
    {
      name,
      cpu: '16',
      memory: '64Gi',
      pods: 20,
      extended: {},
      labels: { 'cerit.io/jupyter-workload': 'true' },
      taints: [taint],
      unschedulable: false,
    },
    opts.hostIpBase + Math.floor(Math.random() * 10),
  );
  await core.createNode({ body });
  try {
    await waitFor(
      async () => {
        const n = await core.readNode({ name });
        const ready = n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        const notReady = n.spec?.taints?.some((t) => t.key.startsWith('node.kubernetes.io/'));
        return Boolean(ready) && !notReady;
      },
      { timeoutMs: 60_000, what: `fresh node ${name} ready` },
    );
    return await fn({
      name,
      selector: { 'cerit.io/jupyter-workload': 'true', 'kubernetes.io/hostname': name },
      selectorLines: `cerit.io/jupyter-workload=true\nkubernetes.io/hostname=${name}`,
      toleration: `${taint.key}=${taint.value}:${taint.effect}`,
    });
  } finally {
    await core.deleteNode({ name }).catch(() => undefined);
  }
}
