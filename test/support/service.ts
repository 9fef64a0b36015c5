// spawn-doctor as its own process (`bin/spawn-doctor.js run`), as a Deployment would run it, so
// that a test can SIGKILL it at a chosen moment, start it again, or run two replicas. Logs go to
// test-artifacts/service/<name>-<time>.log.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { repoRoot, waitFor } from './hub.js';
import { freePort } from './ports.js';

export interface ServiceProcess {
  readonly name: string;
  /** The status server (health, readiness, metrics, /api/diagnoses). */
  readonly url: string;
  readonly pid: number;
  readonly logFile: string;
  logs(): Promise<string>;
  /** The JSON log lines, parsed. */
  records(): Promise<Array<Record<string, unknown>>>;
  /** Sends the signal and waits until the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGTERM (a clean shutdown: the lease is released), then SIGKILL if needed. Idempotent. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  name: string;
  /** spawn-doctor's config (the `server` section is set here: loopback, a free port). */
  config: Record<string, unknown>;
  kubeconfig: string;
  env?: Record<string, string>;
  /** Wait until /readyz answers 200 (default true). */
  waitReady?: boolean;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startServiceProcess(opts: ServiceOptions): Promise<ServiceProcess> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'spawn-doctor-svc-'));
  const configFile = path.join(dir, 'spawn-doctor.yaml');
  await writeFile(configFile, stringify({ ...opts.config, server: { host: '127.0.0.1', port } }));
  const artifacts = path.join(repoRoot, 'test-artifacts/service');
  await mkdir(artifacts, { recursive: true });
  const logFile = path.join(artifacts, `${opts.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  const out = createWriteStream(logFile);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KUBECONFIG: opts.kubeconfig,
    SPAWN_DOCTOR_CONFIG: configFile,
    ...opts.env,
  };
  delete env.JUPYTERHUB_API_TOKEN;
  delete env.JUPYTERHUB_API_URL;
  delete env.JUPYTERHUB_SERVICE_URL;
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/spawn-doctor.js'), 'run'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  const url = `http://127.0.0.1:${port}`;
  const logs = () => readFile(logFile, 'utf8').catch(() => '');
  let stopped = false;

  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited(child);
  };
  const svc: ServiceProcess = {
    name: opts.name,
    url,
    pid: child.pid ?? -1,
    logFile,
    logs,
    async records() {
      const out: Array<Record<string, unknown>> = [];
      for (const line of (await logs()).split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          out.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // a line cut by the kill
        }
      }
      return out;
    },
    kill,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited(child);
        clearTimeout(t);
      }
      out.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
  if (opts.waitReady !== false) {
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`spawn-doctor exited with ${child.exitCode}`);
          const res = await fetch(`${url}/readyz`);
          await res.body?.cancel();
          return res.ok;
        },
        { timeoutMs: 90_000, intervalMs: 200, what: `${opts.name} /readyz` },
      );
    } catch (e) {
      const tail = (await logs()).split('\n').slice(-30).join('\n');
      await svc.stop();
      throw new Error(`${(e as Error).message}\n--- ${logFile} ---\n${tail}`);
    }
  }
  return svc;
}
