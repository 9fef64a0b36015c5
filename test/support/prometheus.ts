// Starts and stops a real Prometheus (Debian's package: `make system-deps`) for tests and benchmarks:
// on a loopback port with a temporary config and data directory, never the system service. Data
// comes either from scraping a target (a real kube-state-metrics) or from OpenMetrics text loaded
// with `promtool tsdb create-blocks-from openmetrics`.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RunningPrometheus {
  url: string;
  dir: string;
  stop(): Promise<void>;
  /** The last lines Prometheus logged (for failure messages). */
  log(): string;
}

import { freePort } from './ports.js';

export { freePort };

export async function findBinary(name: 'prometheus' | 'promtool'): Promise<string> {
  for (const candidate of [process.env[`SPAWN_DOCTOR_${name.toUpperCase()}`], `/usr/bin/${name}`]) {
    if (!candidate) continue;
    try {
      await run(candidate, ['--version']);
      return candidate;
    } catch {
      // try the next
    }
  }
  throw new Error(`${name} not found: install Debian's prometheus package (make system-deps)`);
}

export async function startPrometheus(opts: {
  /** OpenMetrics text to backfill before start. */
  openMetrics?: string;
  /** host:port targets to scrape every second. */
  scrapeTargets?: string[];
}): Promise<RunningPrometheus> {
  const prometheus = await findBinary('prometheus');
  const dir = await mkdtemp(path.join(tmpdir(), 'sd-prom-'));
  const data = path.join(dir, 'data');
  if (opts.openMetrics !== undefined) {
    const promtool = await findBinary('promtool');
    const file = path.join(dir, 'series.om');
    await writeFile(file, opts.openMetrics);
    try {
      await run(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', file, data], { maxBuffer: 16 << 20 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`promtool could not load the series: ${e.stderr?.slice(-800) ?? e.message}`);
    }
  }
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    ...(opts.scrapeTargets?.length
      ? [
          'scrape_configs:',
          '  - job_name: kube-state-metrics',
          '    static_configs:',
          `      - targets: [${opts.scrapeTargets.map((t) => `"${t}"`).join(', ')}]`,
        ]
      : []),
  ].join('\n');
  await writeFile(path.join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    prometheus,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1d',
      // Backfilled blocks sit at "now" and overlap the head; allow it explicitly.
      '--storage.tsdb.allow-overlapping-blocks',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };

  // Ready when /-/ready answers 200; give up (with the log) if it exits or takes over a minute.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}:\n${log.slice(-2000)}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready within 60 s:\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, dir, stop, log: () => log };
}
