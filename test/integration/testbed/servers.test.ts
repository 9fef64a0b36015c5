// Pods that run serve for real: the nginx image answers HTTP on its pod IP, and a notebook
// image runs the real jupyterhub-singleuser bound to the pod IP, stopped when the pod goes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  pidAlive as alive,
  type Clients,
  createNamespace,
  createPod,
  deleteNamespace,
  deletePod,
  eventsFor,
  IMAGES,
  podManifest,
  poll,
  requireTestbed,
  startHubApi,
  testbedDir,
  waitForPod,
} from '../../support/testbed.js';

let c: Clients;
let ns: string;

before(async () => {
  c = await requireTestbed();
  ns = await createNamespace(c.core, 'tb-servers');
});
after(async () => {
  if (c && ns) await deleteNamespace(c.core, ns);
});

test('the nginx pod serves HTTP on its pod IP, and stops serving when deleted', async () => {
  await createPod(c.core, ns, podManifest('web', { image: IMAGES.nginx, ports: [{ containerPort: 80 }] }));
  const p = await waitForPod(c.core, ns, 'web', (x) => x.status?.phase === 'Running');
  const ip = p.status?.podIP ?? '';
  assert.match(ip, /^127\./);
  assert.equal(p.status?.hostIP, p.status?.hostIPs?.[0]?.ip);
  const res = await fetch(`http://${ip}/`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /Welcome to nginx!/);
  await deletePod(c.core, ns, 'web');
  const killing = (await eventsFor(c.core, ns, 'web')).find((e) => e.reason === 'Killing');
  assert.equal(killing?.message, 'Stopping container notebook');
  await assert.rejects(fetch(`http://${ip}/`, { signal: AbortSignal.timeout(3000) }));
});

test('a notebook pod runs the real jupyterhub-singleuser on podIP:8888 until it is deleted', async (t) => {
  const hub = await startHubApi();
  t.after(hub.stop);
  const prefix = '/user/alice/';
  await createPod(
    c.core,
    ns,
    podManifest('jupyter-alice', {
      image: IMAGES.minimal,
      args: ['jupyterhub-singleuser'],
      ports: [{ containerPort: 8888, name: 'notebook-port' }],
      env: [
        { name: 'JUPYTERHUB_SERVICE_PREFIX', value: prefix },
        { name: 'JUPYTERHUB_SERVICE_URL', value: `http://0.0.0.0:8888${prefix}` },
        { name: 'JUPYTERHUB_API_URL', value: hub.apiUrl },
        { name: 'JUPYTERHUB_API_TOKEN', value: 'testbed-token' },
        { name: 'JUPYTERHUB_CLIENT_ID', value: 'jupyterhub-user-alice' },
        { name: 'JUPYTERHUB_USER', value: 'alice' },
        { name: 'JUPYTERHUB_BASE_URL', value: '/' },
        { name: 'JUPYTERHUB_OAUTH_CALLBACK_URL', value: `${prefix}oauth_callback` },
      ],
    }),
  );
  const p = await waitForPod(c.core, ns, 'jupyter-alice', (x) => x.status?.phase === 'Running', 120_000);
  const uid = p.metadata?.uid ?? '';
  const ip = p.status?.podIP ?? '';
  const dir = join(testbedDir(), 'pods', uid);
  const pidFile = join(dir, 'notebook.pid');
  assert.ok(existsSync(pidFile), `the sim recorded the server's pid in ${pidFile}`);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(alive(pid));
  // The server answers on the pod IP (any HTTP answer: it wants a hub login for the rest).
  const res = await poll(
    `jupyterhub-singleuser on ${ip}:8888`,
    async () => {
      try {
        return await fetch(`http://${ip}:8888${prefix}api`, { signal: AbortSignal.timeout(2000) });
      } catch {
        return undefined;
      }
    },
    90_000,
    500,
  );
  const body = await res.json();
  assert.match(String((body as { version?: string }).version), /^\d+\.\d+/);
  const log = readFileSync(join(dir, 'notebook.log'), 'utf8');
  assert.match(log, /JupyterHubSingleUser|jupyterhub/i);
  await deletePod(c.core, ns, 'jupyter-alice');
  await poll('the single-user server to stop', async () => (alive(pid) ? undefined : true), 30_000);
  const killing = (await eventsFor(c.core, ns, 'jupyter-alice')).find((e) => e.reason === 'Killing');
  assert.equal(killing?.message, 'Stopping container notebook');
});
