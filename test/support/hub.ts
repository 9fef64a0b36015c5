// Test harness: a real JupyterHub (deploy/demo/jupyterhub_config.py, KubeSpawner, the form of
// deploy/demo/spawn_form.py) started as a child process against the shared testbed.
// Assumes the testbed is up (KUBECONFIG, or .testbed/kubeconfig) and `make venv` has run for the
// hub version asked for. Every hub gets its own free ports, temp dir, sqlite db and admin token;
// stop() ends the hub, its proxy and its spawn-doctor service and verifies that none is left.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const execFileP = promisify(execFile);

export type HubVersion = 6 | 5 | 4;

/** The demo form's `user_options` (deploy/demo/spawn_form.py); every key is optional. */
export interface UserOptions {
  image?: string;
  cpu?: number | string;
  memory?: number | string;
  gpu?: string;
  gpu_count?: number | string;
  pvc?: string;
  home?: string;
  scratch?: string;
  s3_pvc?: string;
  env_secret?: string;
  node_selector?: Record<string, string> | string;
  tolerations?: Array<Record<string, string>> | string;
  pod_patch?: Record<string, unknown> | string;
}

export interface HubOptions {
  /** JupyterHub major version (its venv must exist: `deploy/demo/venv.sh --hub N`). Default 6. */
  version?: HubVersion;
  /** Public port; default: a free one. The hub API, proxy API and service ports are always free ones. */
  port?: number;
  /** KubeSpawner start_timeout in seconds. Default 600. */
  startTimeout?: number;
  spawnDoctor?: {
    enabled: boolean;
    /** YAML text of spawn-doctor's config; default deploy/demo/spawn-doctor.yaml. */
    configYaml?: string;
    /** kubeconfig for the service (e.g. a restricted service account); default the hub's. */
    kubeconfig?: string;
    /** Wait for the service's /readyz before startHub resolves. Default true. */
    waitReady?: boolean;
  };
  /** Use web/templates (when present). Default true. */
  templates?: boolean;
  /** Label for the log file under test-artifacts/hub/. Default `hub<version>`. */
  name?: string;
  /** Admin kubeconfig for KubeSpawner. Default $KUBECONFIG, else .testbed/kubeconfig. */
  kubeconfig?: string;
  /** Extra environment for the hub process. */
  env?: Record<string, string>;
  /** How long to wait for the hub (and the service) to answer. Default 90 s. */
  readyTimeoutMs?: number;
}

/** A Kubernetes Event as the hub forwards it in `raw_event`. */
export interface KubeEvent {
  metadata: { name: string; namespace?: string; uid?: string; annotations?: Record<string, string> };
  involvedObject: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  [key: string]: unknown;
}

/** One message of the hub's progress stream (`/hub/api/users/{u}/servers/{s}/progress`). */
export interface ProgressEvent {
  progress?: number;
  message?: string;
  html_message?: string;
  failed?: boolean;
  ready?: boolean;
  url?: string;
  raw_event?: KubeEvent;
  [key: string]: unknown;
}

/** A server as GET /hub/api/users/{u} reports it; `null` from serverState means it does not exist. */
export interface ServerState {
  name: string;
  ready: boolean;
  pending: string | null;
  stopped?: boolean;
  url: string;
  progress_url: string;
  user_options?: Record<string, unknown>;
  state?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface StartResult {
  status: number;
  /** Parsed JSON body when there is one, else the text. */
  body: unknown;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the error message. */
  what?: string;
}

export interface Hub {
  /** Public URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  /** `${url}/hub/api` */
  readonly apiUrl: string;
  /** API token of the admin user "admin". */
  readonly token: string;
  readonly version: HubVersion;
  /** The hub's temp dir (sqlite db, cookie secret, spawn-doctor.yaml). */
  readonly dir: string;
  readonly logFile: string;
  /** spawn-doctor's own URL (JUPYTERHUB_SERVICE_URL), when enabled. */
  readonly serviceUrl: string | undefined;
  /** Ends the hub, its proxy and the service; throws if any process is left. Idempotent. */
  stop(): Promise<void>;
  /** Everything the hub (and its managed service) has logged so far. */
  logs(): Promise<string>;
  /** fetch() against `${apiUrl}${path}` with the admin token. */
  api(apiPath: string, init?: RequestInit): Promise<Response>;
  /** Creates the user if missing. */
  createUser(name: string): Promise<void>;
  /** POST the options as the JSON body; never throws for an HTTP error status. */
  startServer(
    user: string,
    server: string,
    userOptions?: UserOptions | Record<string, unknown>,
  ): Promise<StartResult>;
  /** DELETE the server (stop or cancel a pending spawn). */
  stopServer(user: string, server: string): Promise<StartResult>;
  serverState(user: string, server: string): Promise<ServerState | null>;
  /** Polls `check` until it returns a value other than undefined/null/false; returns it. */
  waitFor<T>(
    check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
    opts?: WaitOptions,
  ): Promise<T>;
  /** The server's progress stream; ends when the hub closes it (spawn done or failed) or on abort. */
  progress(user: string, server: string, signal?: AbortSignal): AsyncIterable<ProgressEvent>;
}

/** `/users/{u}/server` for the default server, `/users/{u}/servers/{s}` for a named one. */
export function serverPath(user: string, server: string): string {
  const u = encodeURIComponent(user);
  return server === '' ? `/users/${u}/server` : `/users/${u}/servers/${encodeURIComponent(server)}`;
}

import { freePort } from './ports.js';

export { freePort };

/** The hub-N venv's path, made by deploy/demo/venv.sh (which creates it when missing). */
export async function venvPath(version: HubVersion): Promise<string> {
  const script = path.join(repoRoot, 'deploy/demo/venv.sh');
  try {
    const { stdout } = await execFileP('bash', [script, '--hub', String(version), '--print-path'], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: 15 * 60_000,
    });
    return stdout.trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `no Python environment for JupyterHub ${version} (make venv): ${err.stderr ?? err.message}`,
    );
  }
}

export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 500, what = 'condition' } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Parses a text/event-stream body into the JSON of each `data:` message. */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let nl = buffer.search(/\r?\n/);
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(buffer[nl] === '\r' ? nl + 2 : nl + 1);
        if (line === '') {
          if (data.length > 0) yield JSON.parse(data.join('\n'));
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        }
        nl = buffer.search(/\r?\n/);
      }
      if (done) break;
    }
    if (data.length > 0) yield JSON.parse(data.join('\n'));
  } finally {
    reader.releaseLock();
  }
}

/** Pids of processes whose environment carries `KEY=value` (how a hub's detached children are found). */
async function pidsWithEnv(key: string, value: string): Promise<number[]> {
  const needle = Buffer.from(`${key}=${value}\0`);
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = await readFile(`/proc/${entry}/environ`);
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // a zombie has no environment left to match, and is gone for our purpose
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (env.includes(needle)) pids.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return pids;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

// If the test process ends without stop() (a crash, a killed runner), SIGTERM still lets each hub
// stop its pods, proxy and service by itself.
const liveHubs = new Set<number>();
let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const pid of liveHubs) kill(-pid, 'SIGTERM');
  });
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => process.exit(code));
  }
}

export async function startHub(opts: HubOptions = {}): Promise<Hub> {
  const version = opts.version ?? 6;
  const kubeconfig = opts.kubeconfig ?? process.env.KUBECONFIG ?? path.join(repoRoot, '.testbed/kubeconfig');
  if (!existsSync(kubeconfig)) {
    throw new Error(`no kubeconfig at ${kubeconfig}: is the testbed up (make testbed-up)?`);
  }
  const venv = await venvPath(version);
  const dir = await mkdtemp(path.join(tmpdir(), `spawn-doctor-hub${version}-`));
  const instance = path.basename(dir);
  const token = randomBytes(24).toString('hex');
  const [port, hubApiPort, proxyApiPort, servicePort] = [
    opts.port ?? (await freePort()),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const sd = opts.spawnDoctor ?? { enabled: false };
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KUBECONFIG: kubeconfig,
    DEMO_PORT: String(port),
    DEMO_HUB_API_PORT: String(hubApiPort),
    DEMO_PROXY_API_PORT: String(proxyApiPort),
    DEMO_SERVICE_PORT: String(servicePort),
    DEMO_STATE_DIR: dir,
    DEMO_ADMIN_TOKEN: token,
    DEMO_START_TIMEOUT: String(opts.startTimeout ?? 600),
    DEMO_TEMPLATES: opts.templates === false ? '0' : '1',
    DEMO_INSTANCE: instance,
    SPAWN_DOCTOR_ENABLED: sd.enabled ? '1' : '0',
    SPAWN_DOCTOR_NODE: process.execPath,
    PYTHONUNBUFFERED: '1',
    ...opts.env,
  };
  // a hub must never pick up the admin token or config of the shell that runs the tests
  delete env.JUPYTERHUB_API_TOKEN;
  delete env.JUPYTERHUB_API_URL;
  if (sd.enabled && sd.configYaml !== undefined) {
    const file = path.join(dir, 'spawn-doctor.yaml');
    await writeFile(file, sd.configYaml);
    env.SPAWN_DOCTOR_CONFIG = file;
  }
  if (sd.enabled && sd.kubeconfig) env.SPAWN_DOCTOR_KUBECONFIG = sd.kubeconfig;

  const artifacts = path.join(repoRoot, 'test-artifacts/hub');
  await mkdir(artifacts, { recursive: true });
  const label = (opts.name ?? `hub${version}`).replace(/[^\w.-]+/g, '_');
  const logFile = path.join(artifacts, `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(
    path.join(venv, 'bin/jupyterhub'),
    ['-f', path.join(repoRoot, 'deploy/demo/jupyterhub_config.py')],
    { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exitNote = '';
  child.on('exit', (code, signal) => {
    exitNote = `jupyterhub exited (code ${code}, signal ${signal})`;
  });
  // output drains after 'exit', and the proxy and service write to the same pipes
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  if (child.pid !== undefined) liveHubs.add(child.pid);
  hookExit();

  const url = `http://127.0.0.1:${port}`;
  const apiUrl = `${url}/hub/api`;
  const serviceUrl = sd.enabled ? `http://127.0.0.1:${servicePort}` : undefined;
  const logs = () => readFile(logFile, 'utf8').catch(() => '');
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // SIGTERM lets the hub stop its servers (pods), the proxy and the service itself
    if (child.pid !== undefined && child.exitCode === null) kill(-child.pid, 'SIGTERM');
    if (!(await exited(child, 60_000)) && child.pid !== undefined) kill(-child.pid, 'SIGKILL');
    // the proxy and managed services run in sessions of their own: find them by our marker
    let left = await pidsWithEnv('DEMO_INSTANCE', instance);
    for (const pid of left) kill(pid, 'SIGTERM');
    if (left.length > 0) {
      await waitFor(async () => (await pidsWithEnv('DEMO_INSTANCE', instance)).length === 0, {
        timeoutMs: 5_000,
        intervalMs: 100,
        what: 'the hub children to exit',
      }).catch(() => undefined);
      for (const pid of await pidsWithEnv('DEMO_INSTANCE', instance)) kill(pid, 'SIGKILL');
    }
    await exited(child, 5_000);
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
    log.end();
    if (child.pid !== undefined) liveHubs.delete(child.pid);
    left = await pidsWithEnv('DEMO_INSTANCE', instance);
    if (child.exitCode === null && child.signalCode === null) left.push(child.pid ?? -1);
    if (left.length > 0) throw new Error(`hub ${instance}: processes left after stop: ${left.join(', ')}`);
    await rm(dir, { recursive: true, force: true });
  };

  const api = (apiPath: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `token ${token}`);
    return fetch(`${apiUrl}${apiPath}`, { ...init, headers });
  };

  const readBody = async (res: Response): Promise<unknown> => {
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };

  const hub: Hub = {
    url,
    apiUrl,
    token,
    version,
    dir,
    logFile,
    serviceUrl,
    stop,
    logs,
    api,
    async createUser(name) {
      const res = await api(`/users/${encodeURIComponent(name)}`, { method: 'POST' });
      if (res.status !== 201 && res.status !== 409) {
        throw new Error(`creating user ${name}: HTTP ${res.status} ${await res.text()}`);
      }
      await res.body?.cancel();
    },
    async startServer(user, server, userOptions = {}) {
      const res = await api(serverPath(user, server), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(userOptions),
      });
      return { status: res.status, body: await readBody(res) };
    },
    async stopServer(user, server) {
      const res = await api(serverPath(user, server), { method: 'DELETE' });
      return { status: res.status, body: await readBody(res) };
    },
    async serverState(user, server) {
      const res = await api(`/users/${encodeURIComponent(user)}`);
      if (!res.ok) throw new Error(`reading user ${user}: HTTP ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { servers?: Record<string, ServerState> };
      return body.servers?.[server] ?? null;
    },
    waitFor,
    progress(user, server, signal) {
      return {
        async *[Symbol.asyncIterator]() {
          const res = await api(`${serverPath(user, server)}/progress`, {
            headers: { Accept: 'text/event-stream' },
            ...(signal ? { signal } : {}),
          });
          if (!res.ok || !res.body) {
            throw new Error(`progress of ${user}/${server}: HTTP ${res.status} ${await res.text()}`);
          }
          try {
            for await (const msg of parseSse(res.body)) yield msg as ProgressEvent;
          } catch (e) {
            if (signal?.aborted) return;
            throw e;
          }
        },
      };
    },
  };

  try {
    const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
    await waitFor(
      async () => {
        if (exitNote) throw new Error(exitNote);
        const res = await api('/');
        await res.body?.cancel();
        return res.ok;
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 250, what: `JupyterHub ${version} at ${url}` },
    );
    if (serviceUrl && sd.waitReady !== false) {
      await waitFor(
        async () => {
          if (exitNote) throw new Error(exitNote);
          const res = await fetch(`${serviceUrl}/readyz`);
          await res.body?.cancel();
          return res.ok;
        },
        { timeoutMs: readyTimeoutMs, intervalMs: 250, what: `spawn-doctor's ${serviceUrl}/readyz` },
      );
    }
  } catch (e) {
    const tail = (await logs()).split('\n').slice(-40).join('\n');
    await stop().catch(() => undefined);
    throw new Error(`${(e as Error).message}\n--- last lines of ${logFile} ---\n${tail}`);
  }
  return hub;
}
