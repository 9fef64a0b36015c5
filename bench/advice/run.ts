// Benchmark: time to advice (capacity snapshot → solver → verifier, through the advisor plugin as the
// service runs it) with the Kubernetes provider at 1,000 nodes and 10,000 pods, and with the
// Prometheus provider over the same objects. Where it can, it starts its own testbed instance with
// the large node set (TESTBED_NODES=large) and creates the pods there; otherwise (BENCH_RECORDED=1 or
// the testbed cannot start) it measures the pure provider path + solver on generated objects and
// says so. Baselines measured in the same run: the cheapest round trip to each source (a 1-item node
// list; PromQL `vector(1)`). The LLM's latency is excluded from time to advice and reported apart
// (against the local OpenAI-wire-format server: client and parsing overhead only). Asserts nothing.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  type BoundPodLike,
  capacityFromObjects,
  type NodeLike,
} from '../../src/advice/capacity/kubernetes.js';
import { PrometheusCapacityProvider } from '../../src/advice/capacity/prometheus.js';
import { parseNodeFilter } from '../../src/advice/capacity/selector.js';
import { advisorConfigSchema } from '../../src/advice/config.js';
import { LlmAdvisor } from '../../src/advice/llm.js';
import { solve } from '../../src/advice/solver.js';
import type { Diagnosis } from '../../src/diagnosis/types.js';
import { loadPluginHost } from '../../src/plugins/loader.js';
import { answers, startFakeLlm } from '../../test/support/fake-llm.js';
import { ksmOpenMetrics } from '../../test/support/ksm/series.js';
import { startPrometheus } from '../../test/support/prometheus.js';

const run = promisify(execFile);
const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const NODES = 1000;
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const FILTER = 'cerit.io/jupyter-workload=true';
const GPU_KINDS = ['nvidia.com/gpu', 'nvidia.com/mig-1g.10gb'];
const TB_ENV = {
  ...process.env,
  TESTBED_DIR: process.env.BENCH_TESTBED_DIR ?? '/tmp/spawn-doctor-bench-testbed',
  TESTBED_PORT_BASE: process.env.BENCH_TESTBED_PORT_BASE ?? '17640',
  TESTBED_NODES: 'large',
};
const GiB = 2 ** 30;

const diagnosis: Diagnosis = {
  category: 'scheduling.insufficient_resources',
  severity: 'error',
  action: 'stop',
  params: { requested: { cpu: 64, memory: 16 * GiB, 'nvidia.com/gpu': 4 } },
  evidence: [],
};
const failedPod = {
  metadata: { name: 'jupyter-bench', namespace: 'bench', uid: 'bench-uid' },
  spec: {
    containers: [
      { name: 'notebook', resources: { requests: { cpu: '64', memory: '16Gi', 'nvidia.com/gpu': '4' } } },
    ],
  },
};
const spawnRef = { namespace: 'bench', pod: 'jupyter-bench', uid: 'bench-uid', user: 'bench', server: '' };

async function time(fn: () => Promise<unknown>, rounds = ROUNDS): Promise<{ median: number; min: number }> {
  await fn(); // warm-up
  const t: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)]!, min: t[0]! };
}

/** Pods spread over the notebook nodes, each node kept within its allocatable. */
function podSpecs(nodes: Array<{ name: string; gpu: number }>): BoundPodLike[] {
  const out: BoundPodLike[] = [];
  for (let i = 0; i < PODS; i++) {
    const node = nodes[i % nodes.length]!;
    const gpu: Record<string, string> = node.gpu > 0 && i % 10 === 0 ? { 'nvidia.com/gpu': '1' } : {};
    out.push({
      metadata: { name: `bench-${i}`, namespace: 'bench', uid: `bench-${i}` } as never,
      spec: {
        nodeName: node.name,
        containers: [
          {
            name: 'notebook',
            image: 'bench/notebook:1',
            resources: {
              requests: { cpu: `${1 + (i % 4)}`, memory: `${2 + (i % 7)}Gi`, ...gpu },
              limits: gpu,
            },
          },
        ],
        initContainers:
          i % 5 === 0
            ? [{ name: 'init', image: 'bench/init:1', resources: { requests: { cpu: '2', memory: '1Gi' } } }]
            : [],
      },
      status: { phase: 'Running' },
    });
  }
  return out;
}

function generatedNodes(): NodeLike[] {
  const out: NodeLike[] = [];
  for (let i = 1; i <= NODES; i++) {
    const gpu = i > 900;
    out.push({
      metadata: {
        name: `${gpu ? 'bench-gpu' : 'bench-cpu'}-${i}`,
        labels: { 'cerit.io/jupyter-workload': 'true' },
      },
      spec: {},
      status: {
        allocatable: {
          cpu: gpu ? '32' : '64',
          memory: gpu ? '128Gi' : '256Gi',
          pods: '110',
          ...(gpu ? { 'nvidia.com/gpu': '4' } : {}),
        },
      },
    });
  }
  return out;
}

async function startTestbed(): Promise<k8s.KubeConfig | undefined> {
  if (process.env.BENCH_RECORDED === '1') return undefined;
  for (let attempt = 1; ; attempt++) {
    console.log(`starting a testbed instance with the large node set in ${TB_ENV.TESTBED_DIR} …`);
    try {
      await run('bash', [path.join(ROOT, 'testbed/scripts/up.sh')], {
        env: TB_ENV,
        cwd: ROOT,
        maxBuffer: 32 << 20,
        timeout: 15 * 60_000,
      });
      break;
    } catch (err) {
      const why = String((err as { stderr?: string }).stderr ?? err)
        .trim()
        .split('\n')
        .at(-1);
      await stopTestbed();
      // One retry: a failed start is sometimes transient (ports, a slow apiserver).
      if (attempt < 2) {
        console.log(`testbed start failed (${why}); retrying once`);
        continue;
      }
      console.log(`testbed unavailable (${why}); using generated objects`);
      return undefined;
    }
  }
  // The simulated kubelet would start to work on 10,000 pods; the benchmark only needs them bound.
  // It is a process this benchmark started (through up.sh), stopped by its recorded pid.
  try {
    const pid = Number(
      (await readFile(path.join(TB_ENV.TESTBED_DIR, 'pids/kubelet-sim.pid'), 'utf8')).trim(),
    );
    if (pid > 0) process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path.join(TB_ENV.TESTBED_DIR, 'kubeconfig'));
  return kc;
}

async function stopTestbed() {
  await run('bash', [path.join(ROOT, 'testbed/scripts/down.sh')], { env: TB_ENV, cwd: ROOT }).catch((e) =>
    console.log(`testbed-down: ${e}`),
  );
}

async function createPods(api: k8s.CoreV1Api, pods: BoundPodLike[]) {
  await api.createNamespace({ body: { metadata: { name: 'bench' } } }).catch(() => {});
  let next = 0;
  const worker = async () => {
    while (next < pods.length) {
      const pod = pods[next++]!;
      const { status: _s, ...body } = pod;
      for (let attempt = 0; ; attempt++) {
        try {
          await api.createNamespacedPod({ namespace: 'bench', body: body as k8s.V1Pod });
          break;
        } catch (err) {
          if ((err as { code?: number }).code === 409) break;
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 24 }, worker));
}

const rows: Array<[string, number, number, string]> = [];
const row = (name: string, r: { median: number; min: number }, base: number | undefined) =>
  rows.push([name, r.median, r.min, base ? `${(r.median / base).toFixed(1)}×` : '—']);

async function main() {
  const cleanup: Array<() => Promise<void>> = [];
  const logger = pino({ level: 'silent' });
  try {
    // Registered first: a half-started instance is still ours to stop (down.sh is idempotent).
    if (process.env.BENCH_RECORDED !== '1') cleanup.push(stopTestbed);
    const kc = await startTestbed();
    let nodes: NodeLike[];
    let pods: BoundPodLike[];
    let mode: string;
    if (kc) {
      const api = kc.makeApiClient(k8s.CoreV1Api);
      const live = (await api.listNode({ labelSelector: FILTER })).items;
      const targets = live
        .filter((n) => !n.spec?.unschedulable && !n.spec?.taints?.length)
        .map((n) => ({
          name: n.metadata!.name!,
          gpu: Number(n.status?.allocatable?.['nvidia.com/gpu'] ?? 0),
        }));
      const t0 = performance.now();
      await createPods(api, podSpecs(targets));
      console.log(
        `created ${PODS} bound pods in ${((performance.now() - t0) / 1000).toFixed(1)} s (setup, not measured)`,
      );
      nodes = (await api.listNode()).items as NodeLike[];
      pods = (await api.listPodForAllNamespaces()).items as BoundPodLike[];
      mode = `live testbed: ${nodes.length} nodes, ${pods.length} pods in a real kube-apiserver`;

      const baseK8s = await time(() => api.listNode({ limit: 1 }));
      row('baseline: 1-item node list (API round trip)', baseK8s, undefined);
      const registry = new Registry();
      const host = await loadPluginHost(
        {
          baseDir: ROOT,
          plugins: [],
          advisor: advisorConfigSchema.parse({
            enabled: true,
            capacity: { nodeSelector: FILTER, timeoutSeconds: 60 },
          }),
        },
        { logger, registry, kubeConfig: kc },
      );
      row(
        'Kubernetes provider: time to advice',
        await time(() => host.runOnDiagnosis({ diagnosis, pod: failedPod, spawn: spawnRef })),
        baseK8s.median,
      );
    } else {
      nodes = generatedNodes();
      pods = podSpecs(
        nodes.map((n) => ({
          name: n.metadata!.name!,
          gpu: Number(n.status?.allocatable?.['nvidia.com/gpu'] ?? 0),
        })),
      );
      mode = `recorded objects (no live testbed): ${nodes.length} nodes, ${pods.length} pods, pure provider path`;
      const baseParse = await time(async () => JSON.parse(JSON.stringify(nodes)));
      row('baseline: JSON round trip of the node list', baseParse, undefined);
      row(
        'Kubernetes provider (pure part) + solver',
        await time(async () =>
          solve({
            requested: diagnosis.params.requested!,
            placement: { nodeSelector: {}, tolerations: [] },
            snapshot: capacityFromObjects(nodes, pods, parseNodeFilter(FILTER)),
            allowed: advisorConfigSchema.parse({}).allowed,
          }),
        ),
        baseParse.median,
      );
    }

    const snapshot = capacityFromObjects(nodes, pods, parseNodeFilter(FILTER));
    const allowed = advisorConfigSchema.parse({}).allowed;
    row(
      'solver alone (on that snapshot)',
      await time(async () =>
        solve({
          requested: diagnosis.params.requested!,
          placement: { nodeSelector: {}, tolerations: [] },
          snapshot,
          allowed,
        }),
      ),
      undefined,
    );

    // Prometheus over kube-state-metrics-format series of the same objects.
    const now = Math.floor(Date.now() / 1000);
    const om = ksmOpenMetrics(nodes as never, pods as never, {
      labelAllowlist: ['cerit.io/jupyter-workload'],
      timestamps: [now - 60, now - 1],
    });
    const prom = await startPrometheus({ openMetrics: om });
    cleanup.push(prom.stop);
    const baseProm = await time(() =>
      fetch(`${prom.url}/api/v1/query?query=vector(1)`).then((r) => r.text()),
    );
    row('baseline: PromQL vector(1) round trip', baseProm, undefined);
    const promProvider = new PrometheusCapacityProvider({
      url: prom.url,
      nodeFilter: FILTER,
      resourceNames: GPU_KINDS,
      timeoutMs: 60_000,
    });
    row('Prometheus provider: snapshot', await time(() => promProvider.snapshot()), baseProm.median);
    const promHost = await loadPluginHost(
      {
        baseDir: ROOT,
        plugins: [],
        advisor: advisorConfigSchema.parse({
          enabled: true,
          capacity: {
            source: 'prometheus',
            prometheusUrl: prom.url,
            nodeSelector: FILTER,
            timeoutSeconds: 60,
          },
        }),
      },
      { logger, registry: new Registry() },
    );
    row(
      'Prometheus provider: time to advice',
      await time(() => promHost.runOnDiagnosis({ diagnosis, pod: failedPod, spawn: spawnRef })),
      baseProm.median,
    );

    // LLM, apart: the local OpenAI-wire-format server answers at once, so this is client overhead.
    const llm = await startFakeLlm();
    cleanup.push(llm.close);
    llm.fallback = answers.good([{ cpu: 32, memory: 16, gpu: 'nvidia.com/gpu', gpu_count: 2 }]);
    let n = 0;
    const advisor = new LlmAdvisor({ baseUrl: llm.url, model: 'bench', apiKey: 'x', cacheSize: 1 });
    const llmInput = () => ({
      category: 'scheduling.insufficient_resources',
      failed: { cpu: 64, memory: 16 + (n++ % 1000), gpu: 'nvidia.com/gpu', gpu_count: 4 }, // new key: no cache hit
      allowed,
      feasible: [{ cpu: 32, memory: 16, gpu: 'nvidia.com/gpu', gpu_count: 2 }],
      solver: [],
    });
    row('LLM call (local fake; excluded above)', await time(() => advisor.advise(llmInput())), undefined);
    const cached = llmInput();
    await advisor.advise(cached);
    row('LLM answer from cache', await time(() => advisor.advise(cached)), undefined);

    console.log(`\nmode: ${mode}`);
    console.log(
      `rounds: ${ROUNDS} (+1 warm-up), median and min in ms; ratio = median / the baseline above it\n`,
    );
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(`${'phase'.padEnd(w)}  ${'median'.padStart(9)}  ${'min'.padStart(9)}  ratio`);
    for (const [name, med, min, ratio] of rows) {
      console.log(
        `${name.padEnd(w)}  ${med.toFixed(2).padStart(9)}  ${min.toFixed(2).padStart(9)}  ${ratio}`,
      );
    }
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
