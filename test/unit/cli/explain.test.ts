// The pure part of `spawn-doctor explain`: evidence → what is printed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainPod, renderExplanation } from '../../../src/cli/explain.js';
import type { KubeEvent, PodLike } from '../../../src/diagnosis/types.js';

const pod: PodLike = {
  metadata: {
    name: 'jupyter-alice',
    namespace: 'jhub',
    uid: 'u-1',
    labels: { component: 'singleuser-server' },
    annotations: { 'hub.jupyter.org/username': 'alice', 'hub.jupyter.org/servername': '' },
  },
  spec: { containers: [{ name: 'notebook', image: 'quay.io/jupyter/nope:1' }] },
  status: {
    phase: 'Pending',
    containerStatuses: [
      {
        name: 'notebook',
        state: {
          waiting: {
            reason: 'ErrImagePull',
            message:
              'rpc error: code = NotFound desc = failed to pull and unpack image "quay.io/jupyter/nope:1": failed to resolve reference "quay.io/jupyter/nope:1": quay.io/jupyter/nope:1: not found',
          },
        },
      },
    ],
  },
};

const failed: KubeEvent = {
  metadata: { name: 'jupyter-alice.1', uid: 'e-1' },
  involvedObject: { kind: 'Pod', name: 'jupyter-alice', namespace: 'jhub', uid: 'u-1' },
  type: 'Warning',
  reason: 'Failed',
  message:
    'Failed to pull image "quay.io/jupyter/nope:1": rpc error: code = NotFound desc = failed to pull and unpack image "quay.io/jupyter/nope:1": failed to resolve reference "quay.io/jupyter/nope:1": quay.io/jupyter/nope:1: not found',
  lastTimestamp: '2026-11-25T10:00:00Z',
};

const ours: KubeEvent = {
  metadata: {
    name: 'jupyter-alice.spawn-doctor-diagnosis.u-1',
    uid: 'e-2',
    annotations: {
      'spawn-doctor/diagnosis': JSON.stringify({
        version: 1,
        category: 'image.not_found',
        action: 'stop',
        severity: 'error',
        title: { en: 'T', cs: 'T' },
        detail: { en: 'D', cs: 'D' },
        advice: [{ en: 'Pick another image.', cs: 'Vyberte jiný obraz.' }],
      }),
    },
  },
  involvedObject: { kind: 'Pod', name: 'jupyter-alice', namespace: 'jhub', uid: 'u-1' },
  type: 'Warning',
  reason: 'SpawnDiagnosis',
  message: 'The image does not exist.',
  source: { component: 'spawn-doctor' },
  lastTimestamp: '2026-11-25T10:00:05Z',
};

test('classifies the pod and its events, and shows what spawn-doctor announced', () => {
  const x = explainPod({ pod, events: [failed, ours], lang: 'en' });
  assert.equal(x.diagnosis.category, 'image.not_found');
  assert.equal(x.pod.user, 'alice');
  assert.equal(x.pod.hubPod, true);
  assert.deepEqual(x.advice, ['Pick another image.']);
  assert.equal(x.announced.length, 1);
  assert.equal(x.announced[0]!.annotation?.category, 'image.not_found');
  const text = renderExplanation(x, 'en');
  assert.match(text, /^jhub\/jupyter-alice \(user alice, default server, phase Pending, uid u-1\)/);
  assert.match(text, /\[image\.not_found, action stop, error\]/);
  assert.match(
    text,
    /Evidence:\n {2}- (event Failed|status ErrImagePull)[^\n]*: .*quay\.io\/jupyter\/nope:1/,
  );
  assert.match(text, /Advice:\n {2}- Pick another image\./);
  assert.match(
    text,
    /spawn-doctor announced:\n {2}- SpawnDiagnosis \(2026-11-25T10:00:05Z\): The image does not exist\./,
  );
});

test('Czech output, and our own events are never evidence', () => {
  const x = explainPod({ pod: { ...pod, status: { phase: 'Pending' } }, events: [ours], lang: 'cs' });
  assert.equal(x.diagnosis.category, 'normal', 'a SpawnDiagnosis event alone is not evidence of anything');
  const text = renderExplanation(x, 'cs');
  assert.match(text, /uživatel alice, výchozí server/);
  assert.match(text, /Doporučení:\n {2}- Vyberte jiný obraz\./);
});

test('a pod that is not a single-user pod is explained with a note; control characters never reach the terminal', () => {
  const other: PodLike = { metadata: { name: 'x', namespace: 'n', uid: 'u' } };
  const evil: KubeEvent = {
    ...failed,
    involvedObject: { uid: 'u' },
    message: 'bad\u001b[31m red \u0007 bell: not found',
  };
  const x = explainPod({ pod: other, events: [evil], lang: 'en' });
  assert.equal(x.pod.hubPod, false);
  const text = renderExplanation(x, 'en');
  assert.match(text, /not a JupyterHub single-user pod/);
  assert.equal(text.includes('\u001b') || text.includes('\u0007'), false);
  assert.match(text, /bad \[31m red {3}bell: not found/);
});
