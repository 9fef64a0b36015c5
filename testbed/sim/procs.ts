// Processes and servers that stand in for running containers: the real
// jupyterhub-singleuser (started detached so that it survives a restart of the simulated
// kubelet and is re-adopted), and a small HTTP server for `static-http` images.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export interface Exit {
  exitCode: number;
  signal?: string;
}

/** A running container's process or server. */
export interface Running {
  /** Stops it: SIGTERM, then SIGKILL after the grace period. */
  stop(graceMs: number): Promise<void>;
  /** Resolves when it ends by itself or is stopped. */
  readonly exited: Promise<Exit>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

async function killGroup(pid: number, graceMs: number, done: Promise<unknown>): Promise<void> {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  if ((await Promise.race([done, timeout])) === 'timeout') {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}

export interface ProcessSpec {
  dir: string;
  name: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * Starts argv detached, in its own process group, through a shell that writes the exit code
 * to <name>.exit; the pid goes to <name>.pid so that testbed-down can stop it by pid.
 */
export function startProcess(spec: ProcessSpec): Running {
  mkdirSync(spec.dir, { recursive: true });
  mkdirSync(spec.cwd, { recursive: true });
  const pidFile = join(spec.dir, `${spec.name}.pid`);
  const exitFile = join(spec.dir, `${spec.name}.exit`);
  const logFile = join(spec.dir, `${spec.name}.log`);
  rmSync(exitFile, { force: true });
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    'bash',
    [
      '-c',
      'trap "kill -TERM \\$child 2>/dev/null" TERM; "$@" & child=$!; wait $child; rc=$?; wait $child 2>/dev/null; echo $rc > "$EXIT_FILE"; exit $rc',
      'container',
      ...spec.argv,
    ],
    {
      cwd: spec.cwd,
      env: { ...spec.env, EXIT_FILE: exitFile },
      detached: true,
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  const pid = child.pid ?? -1;
  writeFileSync(pidFile, `${pid}\n`);
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      rmSync(pidFile, { force: true });
      resolve({ exitCode: code ?? (signal === 'SIGKILL' ? 137 : 143), ...(signal ? { signal } : {}) });
    });
    child.on('error', () => {
      rmSync(pidFile, { force: true });
      resolve({ exitCode: 127 });
    });
  });
  child.unref();
  return { exited, stop: (graceMs) => killGroup(pid, graceMs, exited) };
}

/** Re-adopts a process started by an earlier run of the simulated kubelet; undefined if gone. */
export function adoptProcess(dir: string, name: string): Running | undefined {
  const pidFile = join(dir, `${name}.pid`);
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  const exitFile = join(dir, `${name}.exit`);
  const exited = new Promise<Exit>((resolve) => {
    const timer = setInterval(() => {
      if (alive(pid)) return;
      clearInterval(timer);
      rmSync(pidFile, { force: true });
      const code = existsSync(exitFile) ? Number(readFileSync(exitFile, 'utf8').trim()) : 137;
      resolve({ exitCode: Number.isFinite(code) ? code : 137 });
    }, 500);
  });
  return { exited, stop: (graceMs) => killGroup(pid, graceMs, exited) };
}

/** A tiny web server on ip:port standing in for an HTTP server image (nginx). */
export async function startHttp(ip: string, port: number, page: string): Promise<Running> {
  const server: Server = createServer((req, res) => {
    res.setHeader('Server', 'nginx/1.27.5');
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(page);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end(
        '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center></body></html>\n',
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => resolve());
  });
  let resolveExit: (e: Exit) => void = () => undefined;
  const exited = new Promise<Exit>((r) => {
    resolveExit = r;
  });
  return {
    exited,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      resolveExit({ exitCode: 0 });
    },
  };
}

/** Finds the pinned Python environment's directory (SPAWN_DOCTOR_VENV, else deploy/demo/venv.sh). */
export function findVenv(repoRoot: string): Promise<string> {
  const fromEnv = process.env.SPAWN_DOCTOR_VENV;
  if (fromEnv) return Promise.resolve(fromEnv);
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(repoRoot, 'deploy/demo/venv.sh'), '--print-path'],
      { timeout: 30 * 60_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `deploy/demo/venv.sh --print-path failed: ${stderr.trim().split('\n').pop() ?? err.message}`,
            ),
          );
        else resolve(stdout.trim().split('\n').pop() ?? '');
      },
    );
  });
}
