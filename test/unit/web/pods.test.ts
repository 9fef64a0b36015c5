import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ProgressMessage } from '../../../web/src/events.js';
import { EMPTY_POD_MESSAGES, keepCurrentPod } from '../../../web/src/pods.js';

const stream = (name: string): ProgressMessage[] =>
  readFileSync(new URL(`../../browser/fixtures/${name}.jsonl`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ProgressMessage);

test('a stream of one pod is kept whole, final "failed" included', () => {
  const messages = stream('image-not-found');
  const state = messages.reduce(keepCurrentPod, EMPTY_POD_MESSAGES);
  assert.equal(state.uid, '5b0e7a52-3c1f-4f7e-9a57-0d2f3c7a1b11');
  assert.deepEqual(state.messages, messages);
});

test('an earlier pod of the same name (replayed first) is dropped when the new pod shows up', () => {
  const old = stream('image-not-found').slice(0, 5); // ends with the old pod's diagnosis
  const fresh = stream('slow-pull').map((m) => {
    const copy = structuredClone(m) as { raw_event: { involvedObject: { uid: string } } };
    copy.raw_event.involvedObject.uid = 'new-pod-uid';
    return copy as ProgressMessage;
  });
  const state = [{ progress: 0, message: 'Server requested' }, ...old, ...fresh].reduce(
    keepCurrentPod,
    EMPTY_POD_MESSAGES,
  );
  assert.equal(state.uid, 'new-pod-uid');
  assert.deepEqual(state.messages, fresh);
  assert.ok(!state.messages.some((m) => JSON.stringify(m).includes('SpawnDiagnosis')));
});
