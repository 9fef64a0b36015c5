// The simulated kubelet's event recorder folds repeats like client-go's: counts on one event,
// "(combined from similar events)" after ten different messages, and the per-object spam filter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CoreV1Api, CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { EventRecorder } from '../../../testbed/sim/events.js';

interface Call {
  op: 'create' | 'patch';
  name: string;
  body: Partial<CoreV1Event> & { count?: number; message?: string };
}

function recorder(): { rec: EventRecorder; calls: Call[] } {
  const calls: Call[] = [];
  const core = {
    createNamespacedEvent: async (a: { body: CoreV1Event }) => {
      calls.push({ op: 'create', name: a.body.metadata.name ?? '', body: a.body });
      return a.body;
    },
    patchNamespacedEvent: async (a: { name: string; body: { count: number; message: string } }) => {
      calls.push({ op: 'patch', name: a.name, body: a.body });
      return {};
    },
  } as unknown as CoreV1Api;
  return { rec: new EventRecorder(core, () => undefined), calls };
}

const pod: V1Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u-1', resourceVersion: '7' } };
const target = { pod, node: 'cpu-node-1', fieldPath: 'spec.containers{notebook}' };

test('a repeated event is one Event whose count is patched', async () => {
  const { rec, calls } = recorder();
  await rec.emit(target, 'Warning', 'Failed', 'Error: ErrImagePull');
  await rec.emit(target, 'Warning', 'Failed', 'Error: ErrImagePull');
  await rec.emit(target, 'Warning', 'Failed', 'Error: ErrImagePull');
  assert.deepEqual(
    calls.map((c) => [c.op, c.body.count]),
    [
      ['create', 1],
      ['patch', 2],
      ['patch', 3],
    ],
  );
  const first = calls[0]?.body as CoreV1Event;
  assert.deepEqual(first.source, { component: 'kubelet', host: 'cpu-node-1' });
  assert.equal(first.reportingComponent, 'kubelet');
  assert.equal(first.reportingInstance, 'cpu-node-1');
  assert.equal(first.involvedObject.uid, 'u-1');
  assert.equal(first.involvedObject.fieldPath, 'spec.containers{notebook}');
  assert.ok(calls.every((c) => c.name === calls[0]?.name));
});

test('ten different messages of one reason are combined', async () => {
  const { rec, calls } = recorder();
  for (let i = 0; i < 12; i++)
    await rec.emit({ pod, node: 'n' }, 'Warning', 'FailedMount', `mount failed ${i}`);
  const creates = calls.filter((c) => c.op === 'create');
  assert.equal(creates.length, 10);
  assert.equal(creates[9]?.body.message, '(combined from similar events): mount failed 9');
  const last = calls.at(-1);
  assert.equal(last?.op, 'patch');
  assert.equal(last?.body.message, '(combined from similar events): mount failed 11');
  assert.equal(last?.body.count, 3);
});

test('the spam filter lets 25 events about one pod through, then drops', async () => {
  const { rec, calls } = recorder();
  for (let i = 0; i < 30; i++) await rec.emit({ pod, node: 'n' }, 'Normal', `R${i}`, 'm');
  assert.equal(calls.length, 25);
});
