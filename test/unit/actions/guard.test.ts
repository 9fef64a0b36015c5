import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPod } from '../../../src/actions/guard.js';
import { parseSelector } from '../../../src/kube/selector.js';

const selector = parseSelector('component=singleuser-server');
const spawn = { namespace: 'jhub', pod: 'jupyter-alice--gpu', uid: 'u-1', user: 'alice', server: 'gpu' };
const pod = (md: object) => ({
  metadata: {
    name: 'jupyter-alice--gpu',
    namespace: 'jhub',
    uid: 'u-1',
    labels: { component: 'singleuser-server', app: 'jupyterhub' },
    annotations: { 'hub.jupyter.org/username': 'alice', 'hub.jupyter.org/servername': 'gpu' },
    ...md,
  },
});

test('a JupyterHub single-user pod of the same UID, user and server passes', () => {
  assert.deepEqual(checkPod(pod({}), spawn, selector), { ok: true });
  // Older KubeSpawner versions may not set the servername annotation.
  assert.deepEqual(checkPod(pod({ annotations: { 'hub.jupyter.org/username': 'alice' } }), spawn, selector), {
    ok: true,
  });
});

test('anything else is refused, with the reason', () => {
  const cases: Array<[object | undefined, RegExp]> = [
    [undefined, /not found/],
    [{ uid: 'u-2' }, /UID u-2/],
    [{ labels: { component: 'hub' } }, /selector/],
    [{ labels: {} }, /selector/],
    [{ annotations: {} }, /username/],
    [{ annotations: { 'hub.jupyter.org/username': 'bob' } }, /user "bob"/],
    [{ annotations: { 'hub.jupyter.org/username': 'alice', 'hub.jupyter.org/servername': '' } }, /server ""/],
    [{ name: 'other' }, /name or namespace/],
    [{ namespace: 'other' }, /name or namespace/],
  ];
  for (const [md, reason] of cases) {
    const r = checkPod(md === undefined ? undefined : pod(md), spawn, selector);
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, reason);
  }
});

test('a configured selector is honoured', () => {
  const custom = parseSelector('component=singleuser-server,release=prod');
  assert.equal(checkPod(pod({}), spawn, custom).ok, false);
  assert.equal(
    checkPod(pod({ labels: { component: 'singleuser-server', release: 'prod' } }), spawn, custom).ok,
    true,
  );
});
