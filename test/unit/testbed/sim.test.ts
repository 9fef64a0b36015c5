// Pure parts of the simulated kubelet: image references, the kubelet's wording, back-off,
// the catalog and the node sets.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Backoff } from '../../../testbed/sim/backoff.js';
import { loadCatalog, parseCatalog } from '../../../testbed/sim/catalog.js';
import { goDuration } from '../../../testbed/sim/duration.js';
import { pullOutcome } from '../../../testbed/sim/messages.js';
import { loadNodeSet, nodeObject } from '../../../testbed/sim/nodes.js';
import { parseImageReference, withDefaultTag } from '../../../testbed/sim/reference.js';
import { singleuserArgs } from '../../../testbed/sim/worker.js';

const root = join(import.meta.dirname, '../../..');
const catalog = loadCatalog(join(root, 'testbed/catalog.yaml'));

test('references normalise like the distribution library', () => {
  const n = (s: string) => {
    const r = parseImageReference(s);
    return r.ok ? r.ref.normalized : `error: ${r.error}`;
  };
  assert.equal(n('nginx:1.27'), 'docker.io/library/nginx:1.27');
  assert.equal(n('docker.io/nginx:1.27'), 'docker.io/library/nginx:1.27');
  assert.equal(n('index.docker.io/library/nginx'), 'docker.io/library/nginx:latest');
  assert.equal(n('localhost:5000/a/b:c'), 'localhost:5000/a/b:c');
  assert.equal(n('quay.io/jupyter/minimal-notebook::bad'), 'error: invalid reference format');
  assert.equal(
    n('quay.io/Jupyter/x:1'),
    'error: invalid reference format: repository name (Jupyter/x) must be lowercase',
  );
  assert.equal(
    n('a'.repeat(64)),
    `error: invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`,
  );
  const r = parseImageReference('ghcr.io/x/y');
  assert.ok(r.ok);
  assert.equal(withDefaultTag('ghcr.io/x/y', r.ref), 'ghcr.io/x/y:latest');
});

test('durations print like Go', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(950), '950ms');
  assert.equal(goDuration(1234), '1.234s');
  assert.equal(goDuration(2000), '2s');
  assert.equal(goDuration(125_100), '2m5.1s');
  assert.equal(goDuration(3_600_000), '1h0m0s');
});

test('back-off doubles from 10 s to 300 s and resets after quiet', () => {
  let now = 0;
  const b = new Backoff(10_000, 300_000, () => now);
  assert.equal(b.next('k', now), 10_000);
  assert.equal(b.inBackoffSinceUpdate('k'), true);
  now = 10_000;
  assert.equal(b.inBackoffSinceUpdate('k'), false);
  const seq = [20_000, 40_000, 80_000, 160_000, 300_000, 300_000];
  for (const want of seq) assert.equal(b.next('k', now), want);
  now += 700_000;
  assert.equal(b.next('k', now), 10_000);
});

test('pull outcomes follow the catalog', () => {
  const ok = pullOutcome(catalog, 'quay.io/jupyter/minimal-notebook:2025-10-20');
  assert.equal(ok.kind, 'exists');
  const nginx = pullOutcome(catalog, 'nginx:1.27');
  assert.ok(nginx.kind === 'exists' && nginx.image.server === 'static-http');
  const missing = pullOutcome(catalog, 'docker.io/library/this-image-does-not-exist:42');
  assert.ok(missing.kind === 'fails' && missing.grpcCode === 'NotFound');
  const priv = pullOutcome(catalog, 'cerit.io/private/secret-notebook:1');
  assert.ok(priv.kind === 'fails' && /401 Unauthorized$/.test(priv.desc));
  const dns = pullOutcome(catalog, 'registry.invalid.example/foo:1');
  assert.ok(dns.kind === 'fails' && /lookup registry\.invalid\.example on .*: no such host$/.test(dns.desc));
  const bad = pullOutcome(catalog, 'UPPER');
  assert.equal(bad.kind, 'invalid');
});

test('a catalog with a mistake is refused with the field named', () => {
  assert.throws(
    () =>
      parseCatalog('registries: {known: [docker.io]}\nimages: [{image: x, size: -1}]\nsshfs: {driver: d}\n'),
    /images\.0\.size/,
  );
  assert.throws(() => parseCatalog(':\n  - ['), /not valid YAML/);
});

test('node sets: the default six and the generated 1,000', () => {
  const small = loadNodeSet(join(root, 'testbed/nodes/default.yaml'));
  assert.deepEqual(
    small.map((n) => n.name),
    ['cpu-node-1', 'cpu-node-2', 'gpu-a40-1', 'gpu-mig-1', 'tainted-1', 'cordoned-1'],
  );
  const large = loadNodeSet(join(root, 'testbed/nodes/large.yaml'));
  assert.equal(large.length, 1000);
  assert.equal(new Set(large.map((n) => n.name)).size, 1000);
  const mig = nodeObject(small[3] ?? small[0]!, 3);
  assert.equal(mig.status?.capacity?.['nvidia.com/mig-1g.10gb'], '7');
  assert.equal(mig.metadata?.labels?.['cerit.io/jupyter-workload'], 'true');
  const tainted = nodeObject(small[4]!, 4);
  assert.deepEqual(tainted.spec?.taints, [{ key: 'dedicated', value: 'ai-team', effect: 'NoSchedule' }]);
  assert.equal(nodeObject(small[5]!, 5).spec?.unschedulable, true);
});

test('notebook command lines become jupyterhub-singleuser options', () => {
  assert.deepEqual(
    singleuserArgs({
      name: 'n',
      args: [
        'jupyterhub-singleuser',
        '--ip=0.0.0.0',
        '--port=8888',
        '--SingleUserNotebookApp.default_url=/lab',
      ],
    }),
    {
      args: ['--SingleUserNotebookApp.default_url=/lab'],
      port: 8888,
    },
  );
  assert.deepEqual(singleuserArgs({ name: 'n', command: ['tini', '--', 'start-singleuser.sh'] }), {
    args: [],
  });
});
