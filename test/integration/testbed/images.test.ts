// Image pulls on the simulated kubelet: catalog images pull in their time with the kubelet's
// events; missing, private, unresolvable and malformed references fail with containerd's and
// the kubelet's words, then back off.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import {
  type Clients,
  createNamespace,
  createPod,
  deleteNamespace,
  eventsFor,
  IMAGES,
  podManifest,
  requireTestbed,
  waitForEvent,
  waitForPod,
  waitingReason,
} from '../../support/testbed.js';

let c: Clients;
let ns: string;

before(async () => {
  c = await requireTestbed();
  ns = await createNamespace(c.core, 'tb-images');
});
after(async () => {
  if (c && ns) await deleteNamespace(c.core, ns);
});

const waiting = (p: V1Pod) => p.status?.containerStatuses?.[0]?.state?.waiting;

test('a catalog image is pulled with the kubelet events and the pod runs', async () => {
  // Always: the image may already be on the node from an earlier test.
  await createPod(
    c.core,
    ns,
    podManifest('ok', { image: IMAGES.minimal, imagePullPolicy: 'Always', command: ['sleep', 'infinity'] }),
  );
  const pulling = await waitForEvent(c.core, ns, 'ok', (e) => e.reason === 'Pulling');
  assert.equal(pulling.message, `Pulling image "${IMAGES.minimal}"`);
  const pulled = await waitForEvent(c.core, ns, 'ok', (e) => e.reason === 'Pulled');
  assert.match(
    pulled.message ?? '',
    /^Successfully pulled image "quay\.io\/jupyter\/minimal-notebook:2025-10-20" in [0-9.]+m?s \([0-9.]+m?s including waiting\)\. Image size: 1318625471 bytes\.$/,
  );
  const p = await waitForPod(c.core, ns, 'ok', (x) => x.status?.phase === 'Running');
  const cs = p.status?.containerStatuses?.[0];
  assert.equal(cs?.ready, true);
  assert.equal(cs?.image, IMAGES.minimal);
  assert.match(cs?.imageID ?? '', /^quay\.io\/jupyter\/minimal-notebook@sha256:[0-9a-f]{64}$/);
  assert.match(cs?.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
  assert.match(p.status?.podIP ?? '', /^127\.\d+\.\d+\.\d+$/);
  const reasons = (await eventsFor(c.core, ns, 'ok')).map((e) => e.reason);
  for (const r of ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started'])
    assert.ok(reasons.includes(r), `event ${r}`);

  // A second pod on the same node with IfNotPresent finds the image there.
  await createPod(
    c.core,
    ns,
    podManifest(
      'ok-again',
      { image: IMAGES.minimal, imagePullPolicy: 'IfNotPresent', command: ['sleep', 'infinity'] },
      { nodeName: p.spec?.nodeName },
    ),
  );
  const present = await waitForEvent(c.core, ns, 'ok-again', (e) => e.reason === 'Pulled');
  assert.equal(present.message, `Container image "${IMAGES.minimal}" already present on machine`);
  assert.ok(!(await eventsFor(c.core, ns, 'ok-again')).some((e) => e.reason === 'Pulling'), 'no pull');
});

test('an image missing from a known registry: ErrImagePull with containerd not found, then ImagePullBackOff', async () => {
  await createPod(c.core, ns, podManifest('missing', { image: IMAGES.notFound }));
  const failed = await waitForEvent(
    c.core,
    ns,
    'missing',
    (e) => e.reason === 'Failed' && /^Failed to pull/.test(e.message ?? ''),
  );
  const cause = `rpc error: code = NotFound desc = failed to pull and unpack image "${IMAGES.notFound}": failed to resolve reference "${IMAGES.notFound}": ${IMAGES.notFound}: not found`;
  assert.equal(failed.message, `Failed to pull image "${IMAGES.notFound}": ${cause}`);
  assert.equal(failed.type, 'Warning');
  await waitForEvent(
    c.core,
    ns,
    'missing',
    (e) => e.reason === 'Failed' && e.message === 'Error: ErrImagePull',
  );
  const p = await waitForPod(c.core, ns, 'missing', (x) => waitingReason(x) === 'ImagePullBackOff');
  assert.equal(waiting(p)?.message, `Back-off pulling image "${IMAGES.notFound}": ErrImagePull: ${cause}`);
  assert.equal(p.status?.phase, 'Pending');
  const backoff = await waitForEvent(c.core, ns, 'missing', (e) => e.reason === 'BackOff');
  assert.equal(backoff.message, `Back-off pulling image "${IMAGES.notFound}"`);
  assert.equal(backoff.type, 'Normal');
  await waitForEvent(c.core, ns, 'missing', (e) => e.message === 'Error: ImagePullBackOff');
});

test('a private repository fails with 401 Unauthorized', async () => {
  await createPod(c.core, ns, podManifest('private', { image: IMAGES.private }));
  const p = await waitForPod(c.core, ns, 'private', (x) =>
    ['ErrImagePull', 'ImagePullBackOff'].includes(waitingReason(x) ?? ''),
  );
  assert.match(
    waiting(p)?.message ?? '',
    /failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https:\/\/cerit\.io\/service\/token\?scope=repository%3Aprivate%2Fsecret-notebook%3Apull&service=harbor-registry: 401 Unauthorized/,
  );
});

test('an unknown registry host fails to resolve', async () => {
  await createPod(c.core, ns, podManifest('nohost', { image: IMAGES.unknownHost }));
  const e = await waitForEvent(c.core, ns, 'nohost', (x) => /^Failed to pull/.test(x.message ?? ''));
  assert.match(
    e.message ?? '',
    /rpc error: code = Unknown desc = failed to pull and unpack image "registry\.invalid\.example\/foo:1": .*dial tcp: lookup registry\.invalid\.example on [0-9.:]+: no such host$/,
  );
});

test('a malformed reference is InvalidImageName', async () => {
  await createPod(c.core, ns, podManifest('malformed', { image: IMAGES.malformed }));
  const expected = `Failed to apply default image tag "${IMAGES.malformed}": couldn't parse image name "${IMAGES.malformed}": invalid reference format`;
  const e = await waitForEvent(c.core, ns, 'malformed', (x) => x.reason === 'InspectFailed');
  assert.equal(e.message, expected);
  const p = await waitForPod(c.core, ns, 'malformed', (x) => waitingReason(x) === 'InvalidImageName');
  assert.equal(waiting(p)?.message, expected);
});

test('an image without a tag is pulled as :latest (and, not being in the catalog, is not found)', async () => {
  await createPod(c.core, ns, podManifest('untagged', { image: 'ghcr.io/example/notebook' }));
  const e = await waitForEvent(c.core, ns, 'untagged', (x) => x.reason === 'Pulling');
  assert.equal(e.message, 'Pulling image "ghcr.io/example/notebook:latest"');
  await waitForEvent(c.core, ns, 'untagged', (x) =>
    /ghcr\.io\/example\/notebook:latest: not found$/.test(x.message ?? ''),
  );
});
