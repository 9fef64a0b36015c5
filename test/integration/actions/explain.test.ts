// `spawn-doctor explain` on a failing testbed pod, run as a process with spawn-doctor's
// service-account kubeconfig (so it also proves explain needs no more than deploy/rbac grants).
// The pod fails for real: the scheduler finds no node matching its selector. It is labelled with
// a selector of its own so that no spawn-doctor running against the shared testbed acts on it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  adminKubeConfig,
  applyRbac,
  RBAC_DIR,
  removeRbac,
  type ServiceAccountAccess,
} from '../../support/rbac.js';

const run = promisify(execFile);
const root = join(RBAC_DIR, '../..');
const id = randomBytes(3).toString('hex');
const ns = `sd-explain-${id}`;
const selector = `component=sd-explain-${id}`;
let access: ServiceAccountAccess;
const core = adminKubeConfig().makeApiClient(CoreV1Api);

async function explain(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'explain', '--kubeconfig', access.kubeconfigPath, ...args],
      {
        cwd: root,
        env: { ...process.env, KUBECONFIG: '' },
      },
    );
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

before(async () => {
  access = await applyRbac({ namespace: `sd-explain-sa-${id}`, admissionPolicy: false });
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedPod({
    namespace: ns,
    body: {
      metadata: {
        name: 'jupyter-alice',
        labels: { component: `sd-explain-${id}` },
        annotations: { 'hub.jupyter.org/username': 'alice', 'hub.jupyter.org/servername': '' },
      },
      spec: {
        nodeSelector: { 'cerit.io/gpu-model': 'H100-does-not-exist' },
        containers: [{ name: 'notebook', image: 'quay.io/jupyter/minimal-notebook:2025-10-20' }],
      },
    },
  });
  // Wait until the scheduler has said why it cannot place the pod.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const evs = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'reason=FailedScheduling' });
    if (evs.items.length) break;
    if (Date.now() > deadline) throw new Error('the scheduler never reported FailedScheduling');
    await new Promise((r) => setTimeout(r, 500));
  }
});

after(async () => {
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
  await core.deleteNamespace({ name: access.namespace }).catch(() => undefined);
  if (access) await removeRbac(access);
});

test('NAMESPACE/POD: a readable diagnosis with the scheduler evidence', async () => {
  const r = await explain(`${ns}/jupyter-alice`, '--selector', selector);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`^${ns}/jupyter-alice \\(user alice, default server, phase Pending, uid [0-9a-f-]+\\)`),
  );
  assert.match(r.stdout, /\[scheduling\.no_matching_node, action stop, error\]/);
  assert.match(
    r.stdout,
    /Evidence:\n {2}- (status|event) FailedScheduling[^\n]*: 0\/\d+ nodes are available/,
  );
  assert.doesNotMatch(r.stdout, /not a JupyterHub single-user pod/);
});

test('--user with --json and --lang cs', async () => {
  const r = await explain('--user', 'alice', '-n', ns, '--selector', selector, '--json', '--lang', 'cs');
  assert.equal(r.code, 0, r.stderr);
  const x = JSON.parse(r.stdout);
  assert.equal(x.pod.name, 'jupyter-alice');
  assert.equal(x.diagnosis.category, 'scheduling.no_matching_node');
  assert.ok(x.diagnosis.evidence.some((e: { reason: string }) => e.reason === 'FailedScheduling'));
  assert.equal(typeof x.title, 'string');
  // The English title differs: --lang really changes the language.
  const en = JSON.parse((await explain(`${ns}/jupyter-alice`, '--selector', selector, '--json')).stdout);
  assert.equal(en.diagnosis.category, x.diagnosis.category);
  assert.notEqual(x.title, en.title);
});

test('clear errors: unknown pod, unknown user, bad arguments', async () => {
  const missing = await explain(`${ns}/nope`);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /pod .*nope not found/);
  const nobody = await explain('--user', 'nobody', '-n', ns, '--selector', selector);
  assert.equal(nobody.code, 1);
  assert.match(nobody.stderr, /no single-user pod of user "nobody"/);
  const both = await explain(`${ns}/jupyter-alice`, '--user', 'alice');
  assert.equal(both.code, 2);
  const lang = await explain(`${ns}/jupyter-alice`, '--lang', 'de');
  assert.equal(lang.code, 2);
  assert.match(lang.stderr, /--lang must be en or cs/);
});
