// `make demo` end to end, the way the README says: brought up as a child process on its own
// testbed instance (TESTBED_DIR, TESTBED_PORT_BASE: the shared testbed is not touched; the
// testbed's cached build is reused), one server that works and one that fails spawned through
// the REST API with the form's user_options keys, then Ctrl-C and nothing left running.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  type ProgressEvent,
  parseSse,
  repoRoot,
  type ServerState,
  serverPath,
  waitFor,
} from '../../support/hub.js';
import { freePortBlock } from '../../support/ports.js';

const ANNOTATION = 'spawn-doctor/diagnosis';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Pids whose environment holds one of the markers (processes of this demo run). */
async function pidsMarked(markers: string[]): Promise<number[]> {
  const needles = markers.map((m) => Buffer.from(`${m}\0`));
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const env = await readFile(`/proc/${entry}/environ`);
      if (needles.some((n) => env.includes(n))) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const ESC = String.fromCharCode(27);
const stripAnsi = (s: string) => s.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');

let work = '';
let demo: ChildProcess | undefined;
let output = '';
let exit: Promise<number | null> = Promise.resolve(null);
const marker = `demo-test-${process.pid}-${Date.now()}`;
let markers: string[] = [];
let port = 0;
let testbedBase = 0;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'spawn-doctor-demo-test-'));
  testbedBase = await freePortBlock(7);
  port = await freePortBlock(4);
  markers = [`DEMO_INSTANCE=${marker}`, `TESTBED_DIR=${path.join(work, 'testbed')}`];
  await mkdir(path.join(repoRoot, 'test-artifacts/demo'), { recursive: true });
  const log = createWriteStream(path.join(repoRoot, 'test-artifacts/demo/make-demo.log'));
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  delete env.KUBECONFIG; // the demo must find its own testbed's
  Object.assign(env, {
    TESTBED_DIR: path.join(work, 'testbed'),
    TESTBED_PORT_BASE: String(testbedBase),
    DEMO_PORT: String(port),
    DEMO_STATE_DIR: path.join(work, 'demo'),
    DEMO_INSTANCE: marker,
  });
  // its own process group: Ctrl-C in a terminal reaches the whole group, and so does ours
  demo = spawn('make', ['--no-print-directory', 'demo'], { cwd: repoRoot, env, detached: true });
  const child = demo;
  exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      log.write(chunk);
    });
  }
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  await waitFor(() => exited || /demo: ready/.test(stripAnsi(output)), {
    timeoutMs: 20 * 60_000,
    intervalMs: 500,
    what: 'make demo to print "demo: ready"',
  });
  if (exited) throw new Error(`make demo exited early:\n${stripAnsi(output).slice(-3000)}`);
});

after(async () => {
  // whatever happened, leave nothing behind
  if (demo?.pid && demo.exitCode === null) {
    try {
      process.kill(-demo.pid, 'SIGINT');
    } catch {}
    await Promise.race([exit, new Promise((r) => setTimeout(r, 120_000))]);
  }
  for (const pid of await pidsMarked(markers)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  if (work) await rm(work, { recursive: true, force: true });
});

test('make demo: a working server, a failing one diagnosed and stopped, then Ctrl-C leaves nothing', async () => {
  const text = stripAnsi(output);
  const url = `http://127.0.0.1:${port}`;
  assert.match(text, new RegExp(`http://127\\.0\\.0\\.1:${port}`), 'prints the URL');
  assert.match(text, /password: \S+/, 'prints the login');
  assert.match(text, /image not found\s+\| image docker\.io\/library\/this-image-does-not-exist:42/);
  const tokenFile = path.join(work, 'demo', 'api-token');
  const token = (await readFile(tokenFile, 'utf8')).trim();
  assert.ok(token.length >= 32, 'writes the admin API token');
  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${url}/hub/api${p}`, { ...init, headers: { Authorization: `token ${token}`, ...init.headers } });

  const user = 'demo-tester';
  const created = await api(`/users/${user}`, { method: 'POST' });
  assert.ok([201, 409].includes(created.status), `create user: HTTP ${created.status}`);

  // the form rejects what Kubernetes would refuse, before any pod exists
  const invalid = await api(serverPath(user, 'invalid'), {
    method: 'POST',
    body: JSON.stringify({ cpu: 'abc' }),
  });
  assert.equal(invalid.status, 400, await invalid.text());

  // a server that works: the defaults, through the REST API
  const ok = await api(serverPath(user, 'works'), {
    method: 'POST',
    body: JSON.stringify({ image: 'quay.io/jupyter/minimal-notebook:2025-10-20', cpu: 1, memory: 1 }),
  });
  assert.ok([201, 202].includes(ok.status), `start works: HTTP ${ok.status} ${await ok.text()}`);

  // a server that fails: an image that does not exist
  const bad = await api(serverPath(user, 'broken'), {
    method: 'POST',
    body: JSON.stringify({ user_options: { image: 'docker.io/library/this-image-does-not-exist:42' } }),
  });
  assert.ok([201, 202].includes(bad.status), `start broken: HTTP ${bad.status} ${await bad.text()}`);

  const progress = await api(`${serverPath(user, 'broken')}/progress`, {
    headers: { Accept: 'text/event-stream' },
  });
  assert.equal(progress.status, 200);
  const events: ProgressEvent[] = [];
  const readProgress = (async () => {
    for await (const msg of parseSse(progress.body!)) events.push(msg as ProgressEvent);
  })();
  await waitFor(() => events.some((e) => e.failed === true), {
    timeoutMs: 5 * 60_000,
    what: 'the broken spawn to fail in its progress stream',
  });
  await readProgress.catch(() => undefined);
  const diagnosis = events.find((e) => e.raw_event?.reason === 'SpawnDiagnosis');
  assert.ok(diagnosis, `a SpawnDiagnosis event in the progress stream: ${JSON.stringify(events)}`);
  const annotation = JSON.parse(diagnosis.raw_event?.metadata.annotations?.[ANNOTATION] ?? '{}');
  assert.equal(annotation.category, 'image.not_found');

  const users = async () =>
    (await (await api(`/users/${user}`)).json()) as { servers: Record<string, ServerState> };
  const state = await waitFor(
    async () => {
      const s = await users();
      const broken = s.servers.broken;
      return (!broken || (!broken.pending && !broken.ready)) && s.servers.works?.ready ? s : undefined;
    },
    { timeoutMs: 5 * 60_000, what: 'broken to end and works to be ready' },
  );
  // the working server is a real jupyterhub-singleuser behind the proxy
  const works = state.servers.works!;
  const lab = await fetch(`${url}${works.url}api`, { headers: { Authorization: `token ${token}` } });
  assert.equal(lab.status, 200, `the single-user server answers at ${works.url}api`);
  assert.ok('version' in ((await lab.json()) as object));

  // Ctrl-C: the whole process group, as a terminal sends it
  process.kill(-demo!.pid!, 'SIGINT');
  await Promise.race([
    exit,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('make demo did not stop in 3 min')), 180_000),
    ),
  ]);
  assert.match(stripAnsi(output), /demo: stopped/);
  assert.deepEqual(await pidsMarked(markers), [], 'no process of the demo or its testbed is left');
  for (const p of [port, port + 1, port + 2, port + 3, testbedBase + 2]) {
    assert.equal(await portOpen(p), false, `port ${p} is closed`);
  }
  assert.ok(existsSync(path.join(work, 'testbed')), 'used its own testbed directory');
});
