// A container whose process cannot be started (containerd: StartError, exit 128) is soon in
// CrashLoopBackOff; the cause stays the start failure (kubelet v1.34: waiting RunContainerError,
// then CrashLoopBackOff with lastState.terminated StartError), not "it keeps crashing".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify } from '../../../src/diagnosis/index.js';
import type { PodLike } from '../../../src/diagnosis/types.js';

const text =
  'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "jupyterhub-singleuser": executable file not found in $PATH: unknown';
const startError = { terminated: { reason: 'StartError', exitCode: 128, message: text } };

function pod(state: object, lastState: object): PodLike {
  return {
    metadata: { name: 'jupyter-a', namespace: 'ns', uid: 'u' },
    spec: { nodeName: 'n', containers: [{ name: 'notebook', image: 'docker.io/library/python:3.12-slim' }] },
    status: {
      phase: 'Running',
      containerStatuses: [{ name: 'notebook', restartCount: 2, state, lastState }],
    },
  };
}

test('RunContainerError, and the CrashLoopBackOff after it, are runtime.start_failed with the runtime’s words', () => {
  for (const state of [
    { waiting: { reason: 'RunContainerError', message: text } },
    {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: 'back-off 20s restarting failed container=notebook pod=jupyter-a_ns(u)',
      },
    },
  ]) {
    const d = classify({ pod: pod(state, startError), events: [] });
    assert.equal(d.category, 'runtime.start_failed', JSON.stringify(state));
    assert.match(String(d.params.cause), /executable file not found in \$PATH/);
    assert.equal(d.params.exitCode, 128);
  }
});

test('a crash after a start that worked is still a crash loop', () => {
  const crashed = { terminated: { reason: 'Error', exitCode: 1 } };
  const state = {
    waiting: {
      reason: 'CrashLoopBackOff',
      message: 'back-off 20s restarting failed container=notebook pod=jupyter-a_ns(u)',
    },
  };
  assert.equal(classify({ pod: pod(state, crashed), events: [] }).category, 'runtime.crash_loop');
});
