// A brand-new simulated node for one test: nothing is cached on it, so a slow image pull is
// really slow even when earlier tests pulled the image onto the shared nodes. Tainted, so only
// a pod that tolerates the taint (and selects the node) lands there; removed afterwards.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { nodeObject } from '../../../testbed/sim/nodes.js';
import { waitFor } from '../../support/hub.js';

export interface FreshNode {
  name: string;
  /** For the demo form's node_selector field (key=value lines). */
  selector: string;
  /** For the demo form's tolerations field (key=value:Effect). */
  toleration: string;
}

export async function withFreshNode<T>(fn: (node: FreshNode) => Promise<T>): Promise<T> {
  const kc = new KubeConfig();
  kc.loadFromFile(process.env.KUBECONFIG ?? '.testbed/kubeconfig');
  const core = kc.makeApiClient(CoreV1Api);
  const name = `web-fresh-${randomBytes(3).toString('hex')}`;
  const taint = { key: 'spawn-doctor-web', value: name, effect: 'NoSchedule' as const };
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
    // host IPs 127.0.10.242-251: apart from the default nodes and other tests' fresh nodes
    240 + Math.floor(Math.random() * 10),
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
      selector: `cerit.io/jupyter-workload=true\nkubernetes.io/hostname=${name}`,
      toleration: `${taint.key}=${taint.value}:${taint.effect}`,
    });
  } finally {
    await core.deleteNode({ name }).catch(() => undefined);
  }
}
