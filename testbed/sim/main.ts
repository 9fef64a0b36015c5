// The simulated kubelet: one process for all of the testbed's nodes. It watches the pods
// bound to them and acts like a kubelet with containerd would (see worker.ts), plays the CSI
// external attacher (attacher.ts), and answers /healthz on 127.0.0.1:<--health-port>.
//   node --import tsx testbed/sim/main.ts --kubeconfig K --catalog C --state-dir D --health-port P --pod-net 127.1
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CoreV1Api,
  type Informer,
  KubeConfig,
  type KubernetesObject,
  makeInformer,
  StorageV1Api,
  type V1Node,
  type V1Pod,
  type V1VolumeAttachment,
} from '@kubernetes/client-node';
import { SimAttacher } from './attacher.js';
import { Backoff } from './backoff.js';
import { loadCatalog } from './catalog.js';
import { EventRecorder } from './events.js';
import { IpPool } from './ippool.js';
import { SIMULATED_LABEL } from './nodes.js';
import { findVenv } from './procs.js';
import { PodWorker, type SimNode, type WorkerDeps } from './worker.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

function watchForever<T extends KubernetesObject>(name: string, informer: Informer<T>): void {
  informer.on('error', (err: unknown) => {
    log(`${name} watch failed (${String(err)}); restarting in 2s`);
    setTimeout(() => void informer.start().catch((e) => log(`${name} restart: ${String(e)}`)), 2000);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      catalog: { type: 'string', default: join(repoRoot, 'testbed/catalog.yaml') },
      'state-dir': { type: 'string', default: join(repoRoot, '.testbed') },
      'health-port': { type: 'string', default: '0' },
      'pod-net': { type: 'string', default: '127.1' },
    },
  });
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  const catalog = loadCatalog(values.catalog);
  const stateDir = resolve(values['state-dir']);
  mkdirSync(join(stateDir, 'sim'), { recursive: true });
  const kc = new KubeConfig();
  kc.loadFromFile(values.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const storage = kc.makeApiClient(StorageV1Api);

  // Images pulled onto each node survive restarts of the simulated kubelet, as on disk.
  const imagesFile = join(stateDir, 'sim', 'images.json');
  let savedImages: Record<string, string[]> = {};
  try {
    savedImages = JSON.parse(readFileSync(imagesFile, 'utf8')) as Record<string, string[]>;
  } catch {
    // first start
  }
  const nodes = new Map<string, SimNode>();
  const workers = new Map<string, PodWorker>();
  let venvPath: Promise<string> | undefined;
  const deps: WorkerDeps = {
    core,
    storage,
    catalog,
    events: new EventRecorder(core, log),
    ips: new IpPool(values['pod-net']),
    pullBackoff: new Backoff(),
    crashBackoff: new Backoff(),
    pullErrors: new Map(),
    stateDir,
    venv: () => {
      venvPath ??= findVenv(repoRoot).catch((err) => {
        venvPath = undefined;
        throw err;
      });
      return venvPath;
    },
    imagesChanged: () => {
      const out: Record<string, string[]> = {};
      for (const [n, s] of nodes) out[n] = [...s.images];
      writeFileSync(imagesFile, JSON.stringify(out));
    },
    log,
  };

  let podsSeen: () => readonly V1Pod[] = () => [];
  const nodeInformer = makeInformer(
    kc,
    '/api/v1/nodes',
    () => core.listNode({ labelSelector: `${SIMULATED_LABEL}=true` }),
    `${SIMULATED_LABEL}=true`,
  );
  const onNode = (n: V1Node) => {
    const name = n.metadata?.name ?? '';
    const hostIP = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '127.0.0.1';
    const known = nodes.get(name);
    if (known) {
      known.hostIP = hostIP;
      return;
    }
    nodes.set(name, { name, hostIP, images: new Set(savedImages[name] ?? []), pullQueue: Promise.resolve() });
    // Pods seen before their node was known are picked up now.
    for (const pod of podsSeen()) if (pod.spec?.nodeName === name) onPod(pod);
  };
  nodeInformer.on('add', onNode);
  nodeInformer.on('update', onNode);
  watchForever('nodes', nodeInformer);
  await nodeInformer.start();

  const podInformer = makeInformer(kc, '/api/v1/pods', () => core.listPodForAllNamespaces());
  podsSeen = () => podInformer.list();
  function onPod(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const node = nodes.get(pod.spec?.nodeName ?? '');
    if (!node || !uid) return;
    const w = workers.get(uid);
    if (w && !w.gone) {
      w.update(pod);
      return;
    }
    if (w?.gone) return;
    const worker = new PodWorker(pod, node, deps);
    workers.set(uid, worker);
    worker.update(pod);
  }
  podInformer.on('add', onPod);
  podInformer.on('update', onPod);
  podInformer.on('delete', (pod: V1Pod) => {
    const uid = pod.metadata?.uid ?? '';
    const w = workers.get(uid);
    if (!w) return;
    workers.delete(uid);
    void w.removed();
  });
  watchForever('pods', podInformer);
  await podInformer.start();

  const vaInformer = makeInformer(kc, '/apis/storage.k8s.io/v1/volumeattachments', () =>
    storage.listVolumeAttachment(),
  );
  const attacher = new SimAttacher(core, storage, catalog, log);
  const onVa = (va: V1VolumeAttachment) => {
    if (nodes.has(va.spec.nodeName)) attacher.onChange(va);
  };
  vaInformer.on('add', onVa);
  vaInformer.on('update', onVa);
  vaInformer.on('delete', (va: V1VolumeAttachment) => attacher.onDelete(va));
  watchForever('volumeattachments', vaInformer);
  await vaInformer.start();

  const port = Number(values['health-port']);
  const health = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    res.writeHead(404).end();
  });
  health.listen(port, '127.0.0.1', () =>
    log(`simulated kubelet for ${nodes.size} nodes; health on 127.0.0.1:${port}`),
  );

  const stop = () => {
    // Pod processes are left running on purpose: a restarted simulated kubelet re-adopts them,
    // and testbed-down stops them by their pid files.
    log('stopping');
    health.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  log(`fatal: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
