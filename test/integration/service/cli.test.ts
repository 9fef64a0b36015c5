// The CLI as an operator meets it: `check-config` prints the effective config or every problem with
// its path; `run` refuses to start on a bad config (exit code 2) and, started as JupyterHub starts a
// managed service (JUPYTERHUB_* variables), takes its hub and address from them and serves its endpoints.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, repoRoot } from '../../support/hub.js';
import { waitForValue } from './e2e.js';

const bin = join(repoRoot, 'bin/spawn-doctor.js');
const dir = mkdtempSync(join(tmpdir(), 'sd-cli-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const clean = { ...process.env, ...env };
  delete clean.SPAWN_DOCTOR_CONFIG;
  if (!env.JUPYTERHUB_API_TOKEN) delete clean.JUPYTERHUB_API_TOKEN;
  if (!env.JUPYTERHUB_API_URL) delete clean.JUPYTERHUB_API_URL;
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: clean, timeout: 60_000 });
}

describe('spawn-doctor CLI', { timeout: 120_000 }, () => {
  it('check-config prints the effective config of the documented example', () => {
    const r = cli(
      ['check-config', '--config', join(repoRoot, 'deploy/service/example-config.yaml'), '--json'],
      {
        JUPYTERHUB_API_TOKEN: 'x',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const eff = JSON.parse(r.stdout);
    assert.equal(eff.hubs[0].name, 'main');
    assert.equal(eff.categories['image.pulling'].action, 'wait');
    assert.equal(eff.categories['runtime.crash_loop'].action, 'stop', 'defaults are filled in');
    assert.ok(!r.stdout.includes('"x"'), 'no token in the output');
  });

  it('check-config and run report every problem with its path and exit 2', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'kube:\n  podSelector: "a=b,,"\n  nope: 1\ncategories:\n  image.not_found: {action: explode}\n',
    );
    for (const cmd of ['check-config', 'run']) {
      const r = cli([cmd, '--config', bad]);
      assert.equal(r.status, 2, `${cmd}: ${r.stderr}`);
      assert.match(r.stderr, /kube\.podSelector: not a label selector/);
      assert.match(r.stderr, /kube\.nope: unknown key/);
      assert.match(r.stderr, /categories\["image\.not_found"\]\.action/);
    }
  });

  it('run as a managed service (hub and address from JUPYTERHUB_*) serves its endpoints', async () => {
    const port = await freePort();
    // Only an empty namespace: this instance's hub is unreachable, so it would delete doomed pods,
    // and the testbed is shared. (The file-less zero config itself is covered by the unit tier.)
    const file = join(dir, 'scoped.yaml');
    writeFileSync(file, `kube: {namespaces: [sd-cli-empty-${process.pid}]}\n`);
    const child = spawn(process.execPath, [bin, 'run'], {
      env: {
        ...process.env,
        SPAWN_DOCTOR_CONFIG: file,
        JUPYTERHUB_API_URL: 'http://127.0.0.1:9/hub/api',
        JUPYTERHUB_API_TOKEN: 'not-used-here',
        JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${port}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitForValue(async () => (await fetch(`${base}/readyz`)).status === 200, 'readyz', 60_000);
      assert.equal(await (await fetch(`${base}/healthz`)).text(), 'ok\n');
      assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), {
        ready: true,
        informersSynced: true,
        leader: true,
        role: 'single',
      });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /spawn_doctor_informers_synced 1/);
      assert.match(metrics, /# TYPE spawn_doctor_diagnoses_total counter/);
      assert.ok(
        Array.isArray(
          ((await (await fetch(`${base}/api/diagnoses`)).json()) as { diagnoses: unknown }).diagnoses,
        ),
      );
      assert.equal((await fetch(`${base}/nope`)).status, 404);
      assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
      const started = out.split('\n').find((l) => l.includes('spawn-doctor running'));
      assert.ok(started, out);
      const line = JSON.parse(started);
      assert.equal(line.config, file);
      assert.deepEqual(
        line.hubs,
        ['jupyterhub'],
        'the hub of a managed service, from JUPYTERHUB_API_URL/TOKEN',
      );
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      assert.equal(code, 0, `clean shutdown on SIGTERM\n${out.slice(-2000)}`);
    }
  });
});
