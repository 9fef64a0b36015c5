// A second, independent testbed instance (own TESTBED_DIR and ports, so the shared one is not
// touched): up starts everything and creates the nodes, a restarted simulated kubelet
// re-adopts running pods, and down leaves no process behind.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { freePortBlock } from '../../support/ports.js';
import {
  IMAGES,
  NODES,
  pidAlive,
  podManifest,
  poll,
  REPO_ROOT,
  startHubApi,
  waitForPod,
} from '../../support/testbed.js';

const scripts = join(REPO_ROOT, 'testbed/scripts');
let dir = '';
let env: NodeJS.ProcessEnv = {};

function run(script: string): { code: number; out: string } {
  const r = spawnSync('bash', [join(scripts, script)], { env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** Every pid the instance recorded: components and per-pod servers. */
function recordedPids(): number[] {
  const files: string[] = [];
  const pids = join(dir, 'pids');
  if (existsSync(pids)) for (const f of readdirSync(pids)) if (f.endsWith('.pid')) files.push(join(pids, f));
  const pods = join(dir, 'pods');
  if (existsSync(pods)) {
    for (const d of readdirSync(pods)) {
      for (const f of readdirSync(join(pods, d))) if (f.endsWith('.pid')) files.push(join(pods, d, f));
    }
  }
  return files.map((f) => Number(readFileSync(f, 'utf8').trim())).filter((n) => Number.isInteger(n) && n > 0);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tb-instance-'));
  env = { ...process.env, TESTBED_DIR: dir, TESTBED_PORT_BASE: String(await freePortBlock(7)) };
  delete env.KUBECONFIG;
});
after(() => {
  if (!dir) return;
  run('down.sh');
  rmSync(dir, { recursive: true, force: true });
});

let pidsWhileUp: number[] = [];

test('up starts a second instance with its own kubeconfig and Ready nodes', async () => {
  const up = run('up.sh');
  assert.equal(up.code, 0, up.out);
  assert.match(up.out, /up in \d+ms/);
  const kubeconfig = join(dir, 'kubeconfig');
  assert.ok(existsSync(kubeconfig));
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  assert.equal(kc.getCurrentCluster()?.server, `https://127.0.0.1:${Number(env.TESTBED_PORT_BASE) + 2}`);
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = await core.listNode();
  const ready = nodes.items
    .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata?.name)
    .sort();
  assert.deepEqual(ready, [...NODES.cpu, NODES.cordoned, NODES.gpuA40, NODES.gpuMig, NODES.tainted].sort());
  const a40 = nodes.items.find((n) => n.metadata?.name === NODES.gpuA40);
  assert.equal(a40?.status?.allocatable?.['nvidia.com/gpu'], '2');
  assert.equal(a40?.metadata?.labels?.['nvidia.com/gpu.product'], 'NVIDIA-A40');
  assert.equal(a40?.metadata?.labels?.['cerit.io/jupyter-workload'], 'true');

  const status = spawnSync('bash', [join(scripts, 'status.sh')], { env, encoding: 'utf8' });
  assert.equal(status.status, 0, status.stdout);
  for (const c of [
    'etcd',
    'kube-apiserver',
    'kube-scheduler',
    'kube-controller-manager',
    'kwok',
    'kubelet-sim',
  ]) {
    assert.match(status.stdout, new RegExp(`${c}\\s+running`));
  }
});

test('a restarted simulated kubelet re-adopts running pods and their servers', async (t) => {
  const kc = new KubeConfig();
  kc.loadFromFile(join(dir, 'kubeconfig'));
  const core = kc.makeApiClient(CoreV1Api);
  const hub = await startHubApi();
  t.after(hub.stop);
  await core.createNamespacedPod({ namespace: 'default', body: podManifest('web', { image: IMAGES.nginx }) });
  const prefix = '/user/bob/';
  await core.createNamespacedPod({
    namespace: 'default',
    body: podManifest('jupyter-bob', {
      image: IMAGES.minimal,
      env: [
        { name: 'JUPYTERHUB_SERVICE_PREFIX', value: prefix },
        { name: 'JUPYTERHUB_SERVICE_URL', value: `http://0.0.0.0:8888${prefix}` },
        { name: 'JUPYTERHUB_API_URL', value: hub.apiUrl },
        { name: 'JUPYTERHUB_API_TOKEN', value: 'testbed-token' },
        { name: 'JUPYTERHUB_CLIENT_ID', value: 'jupyterhub-user-bob' },
        { name: 'JUPYTERHUB_USER', value: 'bob' },
      ],
    }),
  });
  const web = await waitForPod(core, 'default', 'web', (p) => p.status?.phase === 'Running');
  const jupyter = await waitForPod(
    core,
    'default',
    'jupyter-bob',
    (p) => p.status?.phase === 'Running',
    120_000,
  );
  const webIp = web.status?.podIP ?? '';
  const jIp = jupyter.status?.podIP ?? '';
  assert.doesNotMatch(webIp, /^127\.1\./, 'a second instance takes pod IPs from its own range');
  assert.equal((await fetch(`http://${webIp}/`)).status, 200);
  const jupyterUp = () =>
    poll(
      `jupyter on ${jIp}`,
      async () => fetch(`http://${jIp}:8888${prefix}api`).catch(() => undefined),
      90_000,
      500,
    );
  assert.equal((await jupyterUp()).status, 200);
  const pidFile = join(dir, 'pods', jupyter.metadata?.uid ?? '', 'notebook.pid');
  const pid = Number(readFileSync(pidFile, 'utf8'));

  execFileSync('bash', [join(scripts, 'sim.sh')], { env });

  const res = await poll(
    'nginx again after the restart',
    async () => fetch(`http://${webIp}/`).catch(() => undefined),
    30_000,
  );
  assert.equal(res.status, 200);
  assert.ok(pidAlive(pid), 'the single-user server kept running');
  assert.equal((await jupyterUp()).status, 200);
  for (const [name, before] of [
    ['web', web],
    ['jupyter-bob', jupyter],
  ] as const) {
    const now = await core.readNamespacedPod({ name, namespace: 'default' });
    assert.equal(now.status?.phase, 'Running', name);
    assert.equal(now.status?.podIP, before.status?.podIP, name);
    assert.equal(now.status?.containerStatuses?.[0]?.restartCount, 0, name);
    assert.equal(
      now.status?.containerStatuses?.[0]?.containerID,
      before.status?.containerStatuses?.[0]?.containerID,
      name,
    );
  }
  pidsWhileUp = recordedPids();
  assert.ok(pidsWhileUp.includes(pid), 'the server is among the pids down must stop');
});

test('down stops every process it started', () => {
  assert.ok(pidsWhileUp.length >= 7, `recorded pids: ${pidsWhileUp.join(' ')}`);
  for (const pid of pidsWhileUp) assert.ok(pidAlive(pid), `pid ${pid} runs before down`);
  const down = run('down.sh');
  assert.equal(down.code, 0, down.out);
  assert.match(down.out, /nothing left running/);
  for (const pid of pidsWhileUp) assert.equal(pidAlive(pid), false, `pid ${pid} is gone after down`);
  const status = spawnSync('bash', [join(scripts, 'status.sh')], { env, encoding: 'utf8' });
  assert.notEqual(status.status, 0);
  assert.match(status.stdout, /kube-apiserver\s+stopped/);
});
