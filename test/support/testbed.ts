// Helpers for tests that run against the testbed (make testbed-up): where its kubeconfig is,
// API clients, throw-away namespaces, pods, and waiting for events or pod states.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CoreV1Api,
  type CoreV1Event,
  KubeConfig,
  StorageV1Api,
  type V1Container,
  type V1Pod,
} from '@kubernetes/client-node';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The nodes of testbed/nodes/default.yaml (other tests rely on these names). */
export const NODES = {
  cpu: ['cpu-node-1', 'cpu-node-2'],
  gpuA40: 'gpu-a40-1',
  gpuMig: 'gpu-mig-1',
  tainted: 'tainted-1',
  cordoned: 'cordoned-1',
} as const;

/** Images of testbed/catalog.yaml. */
export const IMAGES = {
  minimal: 'quay.io/jupyter/minimal-notebook:2025-10-20',
  scipy: 'quay.io/jupyter/scipy-notebook:2025-10-20',
  bigMl: 'cerit.io/jupyter/big-ml-notebook:2025.11',
  crashing: 'cerit.io/jupyter/crashing-notebook:1',
  nginx: 'docker.io/library/nginx:1.27',
  notFound: 'docker.io/library/this-image-does-not-exist:42',
  private: 'cerit.io/private/secret-notebook:1',
  unknownHost: 'registry.invalid.example/foo:1',
  malformed: 'quay.io/jupyter/minimal-notebook::bad',
} as const;

/** sshfs storage servers of the catalog. */
export const SSHFS = {
  driver: 'csi-sshfs',
  attachStuck: 'storage-praha5-elixir.metacentrum.cz',
  mountBroken: ['storage-brno12-cerit.metacentrum.cz', 'storage-plzen4-ntis.metacentrum.cz'],
  healthy: 'storage-du-cesnet.metacentrum.cz',
} as const;

export function testbedDir(): string {
  return resolve(process.env.TESTBED_DIR ?? join(REPO_ROOT, '.testbed'));
}

/** KUBECONFIG when set (scripts/test.sh sets it), else the shared testbed's. */
export function kubeconfigPath(): string {
  return process.env.KUBECONFIG ?? join(testbedDir(), 'kubeconfig');
}

export function kubeConfig(): KubeConfig {
  const path = kubeconfigPath();
  if (!existsSync(path)) {
    throw new Error(`testbed kubeconfig ${path} does not exist: run 'make testbed-up' first`);
  }
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  storage: StorageV1Api;
}

export function clients(): Clients {
  const kc = kubeConfig();
  return { kc, core: kc.makeApiClient(CoreV1Api), storage: kc.makeApiClient(StorageV1Api) };
}

/** Fails with a reason (never skips) when the testbed is not up. */
export async function requireTestbed(): Promise<Clients> {
  const c = clients();
  try {
    await c.core.listNode({ limit: 1 });
  } catch (err) {
    throw new Error(
      `the testbed at ${kubeconfigPath()} does not answer (${String(err)}): run 'make testbed-up'`,
    );
  }
  return c;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a value other than undefined. */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs}ms waiting for ${what}${lastErr ? ` (last error: ${String(lastErr)})` : ''}`,
      );
    }
    await sleep(everyMs);
  }
}

/** Creates a namespace with a unique name; returns its name. */
export async function createNamespace(core: CoreV1Api, prefix = 'tb'): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  await core.createNamespace({ body: { metadata: { name } } });
  // Pods need the namespace's default service account (made by the controller-manager).
  await poll(`service account default in ${name}`, async () => {
    try {
      return await core.readNamespacedServiceAccount({ name: 'default', namespace: name });
    } catch {
      return undefined;
    }
  });
  return name;
}

export async function deleteNamespace(core: CoreV1Api, name: string): Promise<void> {
  try {
    await core.deleteNamespace({ name });
  } catch {
    // already gone
  }
}

/** A pod with one container `notebook`; `container` and `spec` parts override the defaults. */
export function podManifest(
  name: string,
  container: Partial<V1Container> = {},
  spec: Partial<NonNullable<V1Pod['spec']>> = {},
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'testbed-test' } },
    spec: {
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      ...spec,
      containers: [{ name: 'notebook', image: IMAGES.nginx, ...container }],
    },
  };
}

export async function createPod(core: CoreV1Api, namespace: string, pod: V1Pod): Promise<V1Pod> {
  return core.createNamespacedPod({ namespace, body: pod });
}

/** Deletes a pod and, with wait, waits until it is gone from the API. */
export async function deletePod(
  core: CoreV1Api,
  namespace: string,
  name: string,
  wait = true,
): Promise<void> {
  try {
    await core.deleteNamespacedPod({ name, namespace });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return;
    throw err;
  }
  if (!wait) return;
  await poll(`pod ${namespace}/${name} to be deleted`, async () => {
    try {
      await core.readNamespacedPod({ name, namespace });
      return undefined;
    } catch (err) {
      return (err as { code?: number }).code === 404 ? true : undefined;
    }
  });
}

/** The events about one object, oldest first. */
export async function eventsFor(core: CoreV1Api, namespace: string, name: string): Promise<CoreV1Event[]> {
  const list = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items.sort((a, b) =>
    String(a.lastTimestamp ?? a.eventTime).localeCompare(String(b.lastTimestamp ?? b.eventTime)),
  );
}

/** Waits for an event about `name` that matches `match`. */
export async function waitForEvent(
  core: CoreV1Api,
  namespace: string,
  name: string,
  match: (e: CoreV1Event) => boolean,
  timeoutMs = 60_000,
): Promise<CoreV1Event> {
  return poll(
    `an event about ${namespace}/${name}`,
    async () => (await eventsFor(core, namespace, name)).find(match),
    timeoutMs,
  );
}

/** Waits until the pod satisfies `match`; returns it. */
export async function waitForPod(
  core: CoreV1Api,
  namespace: string,
  name: string,
  match: (p: V1Pod) => boolean,
  timeoutMs = 60_000,
): Promise<V1Pod> {
  return poll(
    `pod ${namespace}/${name}`,
    async () => {
      const p = await core.readNamespacedPod({ name, namespace });
      return match(p) ? p : undefined;
    },
    timeoutMs,
  );
}

/** The waiting reason of the pod's first container, if it waits. */
export function waitingReason(p: V1Pod): string | undefined {
  return p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
}

/** True while the process exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

import { freePort } from './ports.js';

export { freePort };

/**
 * A real JupyterHub from the pinned environment, for tests that need a single-user server to
 * come up without a KubeSpawner hub (the server checks its hub's API before it listens).
 * Returns the hub API URL to put in JUPYTERHUB_API_URL.
 */
export async function startHubApi(): Promise<{ apiUrl: string; stop: () => void }> {
  const venv =
    process.env.SPAWN_DOCTOR_VENV ??
    execFileSync('bash', [join(REPO_ROOT, 'deploy/demo/venv.sh'), '--print-path'], {
      encoding: 'utf8',
    }).trim();
  const [port, hubPort, proxyApi] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'tb-hub-'));
  const hub: ChildProcess = spawn(
    join(venv, 'bin', 'jupyterhub'),
    [
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--JupyterHub.hub_ip=127.0.0.1',
      `--JupyterHub.hub_port=${hubPort}`,
      `--ConfigurableHTTPProxy.api_url=http://127.0.0.1:${proxyApi}`,
    ],
    {
      cwd: dir,
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        PATH: `${join(REPO_ROOT, 'node_modules/.bin')}:${join(venv, 'bin')}:${process.env.PATH}`,
      },
    },
  );
  const apiUrl = `http://127.0.0.1:${hubPort}/hub/api`;
  const stop = () => {
    try {
      if (hub.pid) process.kill(-hub.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await poll(
      'JupyterHub API',
      async () => ((await fetch(`${apiUrl}/`).catch(() => undefined))?.ok ? true : undefined),
      60_000,
      500,
    );
  } catch (err) {
    stop();
    throw err;
  }
  return { apiUrl, stop };
}

/**
 * Restarts the testbed's kube-apiserver with the same command line (etcd and everything else keep
 * running), as an upgrade or a crash of the API server would: every watch breaks, every client
 * must reconnect and resume. Waits until it answers again; returns how long it was away.
 */
export async function restartApiServer(opts: { downMs?: number } = {}): Promise<{ awayMs: number }> {
  const dir = testbedDir();
  const pidFile = join(dir, 'pids', 'kube-apiserver.pid');
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const argv = readFileSync(`/proc/${pid}/cmdline`).toString().split('\0').filter(Boolean);
  if (!argv[0]?.endsWith('kube-apiserver')) throw new Error(`pid ${pid} is not the testbed's kube-apiserver`);
  const t0 = Date.now();
  // SIGTERM first; kube-apiserver drains for up to a minute, so after 5 s it is killed (a crash).
  process.kill(pid, 'SIGTERM');
  const drained = await poll(
    'the old kube-apiserver to exit',
    async () => (pidAlive(pid) ? undefined : true),
    5_000,
    100,
  ).catch(() => false);
  if (!drained) {
    process.kill(pid, 'SIGKILL');
    await poll('the old kube-apiserver to die', async () => (pidAlive(pid) ? undefined : true), 30_000, 100);
  }
  if (opts.downMs) await sleep(opts.downMs);
  const log = openSync(join(dir, 'logs', 'kube-apiserver.log'), 'a');
  // its own session, as up.sh starts it (down.sh stops the process group)
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  const { core } = clients();
  await poll(
    'the kube-apiserver to answer again',
    async () => ((await core.listNode({ limit: 1 }).catch(() => undefined)) ? true : undefined),
    120_000,
    200,
  );
  return { awayMs: Date.now() - t0 };
}
