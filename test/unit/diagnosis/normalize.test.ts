import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_MESSAGE, normalizeMessage } from '../../../src/diagnosis/normalize.js';

describe('normalizeMessage', () => {
  it('strips the "(combined from similar events): " prefix', () => {
    assert.equal(
      normalizeMessage('(combined from similar events): MountVolume.SetUp failed').text,
      'MountVolume.SetUp failed',
    );
  });

  it('strips every gRPC wrapper and keeps the first code (kubelet before ~1.30)', () => {
    const n = normalizeMessage(
      'Failed to pull image "a": rpc error: code = NotFound desc = x: rpc error: code = Unknown desc = y',
    );
    assert.equal(n.text, 'Failed to pull image "a": x: y');
    assert.equal(n.rpcCode, 'NotFound');
    assert.equal(normalizeMessage('no wrapper').rpcCode, undefined);
  });

  it('collapses the old double period but leaves paths alone', () => {
    assert.equal(
      normalizeMessage('0/1 nodes are available: 1 Insufficient cpu..').text,
      '0/1 nodes are available: 1 Insufficient cpu.',
    );
    assert.equal(normalizeMessage('preemption: 0/3 nodes.. next').text, 'preemption: 0/3 nodes. next');
    assert.equal(normalizeMessage('cp ../x ./y').text, 'cp ../x ./y');
  });

  it('recognises the API server cut at 1024 characters', () => {
    const raw = `${'x'.repeat(1020)} ...`;
    const n = normalizeMessage(raw);
    assert.equal(n.truncated, true);
    assert.equal(n.text, 'x'.repeat(1020));
  });

  it('bounds huge messages and accepts non-strings', () => {
    assert.equal(normalizeMessage('y'.repeat(MAX_MESSAGE * 10)).text.length, MAX_MESSAGE);
    assert.equal(normalizeMessage(undefined).text, '');
    assert.equal(normalizeMessage(42).text, '42');
  });
});
