// Creates the testbed's nodes from a node-set file (testbed/nodes/*.yaml) (existing ones are
// kept) and, with --wait-ready, then waits until kwok reports them all Ready.
//   node --import tsx testbed/sim/nodes.ts --kubeconfig K --nodes FILE [--wait-ready]
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { z } from 'zod';

/** Label that marks a node as the testbed's: kwok and the simulated kubelet manage these. */
export const SIMULATED_LABEL = 'spawn-doctor.testbed/simulated';

const Resources = {
  cpu: z.string(),
  memory: z.string(),
  pods: z.number().int().positive().default(110),
  extended: z.record(z.string(), z.string()).default({}),
  labels: z.record(z.string(), z.string()).default({}),
  taints: z
    .array(
      z.object({
        key: z.string(),
        value: z.string().optional(),
        effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
      }),
    )
    .default([]),
  unschedulable: z.boolean().default(false),
};
const NodeSpec = z.object({ name: z.string().min(1), ...Resources }).strict();
const Generate = z
  .object({ prefix: z.string().min(1), count: z.number().int().positive(), ...Resources })
  .strict();
const NodeSet = z
  .object({
    include: z.string().optional(),
    nodes: z.array(NodeSpec).default([]),
    generate: z.array(Generate).default([]),
  })
  .strict();

export type NodeSpec = z.infer<typeof NodeSpec>;

/** Reads a node-set file (following `include`) into a flat list of node specs. */
export function loadNodeSet(file: string, seen = new Set<string>()): NodeSpec[] {
  const path = resolve(file);
  if (seen.has(path)) throw new Error(`${path}: include loop`);
  seen.add(path);
  const parsed = NodeSet.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const out: NodeSpec[] = parsed.data.include
    ? loadNodeSet(resolve(dirname(path), parsed.data.include), seen)
    : [];
  out.push(...parsed.data.nodes);
  for (const g of parsed.data.generate) {
    const { prefix, count, ...rest } = g;
    for (let i = 1; i <= count; i++) out.push({ name: `${prefix}-${i}`, ...rest });
  }
  const names = new Set<string>();
  for (const n of out) {
    if (names.has(n.name)) throw new Error(`${path}: node ${n.name} defined twice`);
    names.add(n.name);
  }
  return out;
}

/** The Node object for a spec; node i gets the host IP 127.0.<i/250>.<i%250+2>. */
export function nodeObject(spec: NodeSpec, index: number): V1Node {
  const capacity = {
    cpu: spec.cpu,
    memory: spec.memory,
    pods: String(spec.pods),
    'ephemeral-storage': '500Gi',
    ...spec.extended,
  };
  const ip = `127.0.${10 + Math.floor(index / 250)}.${(index % 250) + 2}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'testbed',
        type: 'kwok',
        [SIMULATED_LABEL]: 'true',
        ...spec.labels,
      },
      annotations: {
        // Lets the real attach-detach controller attach CSI volumes for this node.
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        'node.alpha.kubernetes.io/ttl': '0',
      },
    },
    spec: {
      unschedulable: spec.unschedulable || undefined,
      taints: spec.taints.length ? spec.taints : undefined,
    },
    status: {
      capacity,
      allocatable: capacity,
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: spec.name },
      ],
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { kubeconfig: { type: 'string' }, nodes: { type: 'string' }, 'wait-ready': { type: 'boolean' } },
  });
  if (!values.kubeconfig || !values.nodes)
    throw new Error('usage: nodes.ts --kubeconfig FILE --nodes FILE [--wait-ready]');
  const kc = new KubeConfig();
  kc.loadFromFile(values.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const specs = loadNodeSet(values.nodes);
  const started = Date.now();
  {
    let created = 0;
    const queue = specs.map((s, i) => [s, i] as const);
    const workers = Array.from({ length: 16 }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        try {
          await core.createNode({ body: nodeObject(item[0], item[1]) });
          created++;
        } catch (err) {
          if ((err as { code?: number }).code !== 409)
            throw new Error(`creating node ${item[0].name}: ${String(err)}`);
        }
      }
    });
    await Promise.all(workers);
    console.log(`created ${created} of ${specs.length} nodes in ${Date.now() - started}ms`);
    if (!values['wait-ready']) return;
  }
  // Ready means usable: kwok reports the nodes Ready, the node lifecycle controller has lifted
  // its not-ready taints, and the default namespace has its service account and CA bundle
  // (without them the first pods would fail to schedule or to mount their token volume).
  const deadline = Date.now() + 180_000;
  const want = new Set(specs.map((s) => s.name));
  const transient = new Set(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
  for (;;) {
    const list = await core.listNode({ labelSelector: `${SIMULATED_LABEL}=true` });
    const usable = list.items.filter(
      (n) =>
        want.has(n.metadata?.name ?? '') &&
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
        !n.spec?.taints?.some((t) => transient.has(t.key)),
    ).length;
    const basics = await Promise.all([
      core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }).then(
        () => true,
        () => false,
      ),
      core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: 'default' }).then(
        () => true,
        () => false,
      ),
    ]);
    if (usable === want.size && basics.every(Boolean)) {
      console.log(`${usable} nodes Ready`);
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `after 180s: ${usable} of ${want.size} nodes Ready without not-ready taints; default service account ${basics[0] ? 'present' : 'missing'}; kube-root-ca.crt ${basics[1] ? 'present' : 'missing'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  main().catch((err) => {
    console.error(`nodes: ${(err as Error).message}`);
    process.exit(1);
  });
}
