import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forget, type KeyValueStore, memoryKey, recall, remember } from '../../../web/src/memory.js';

/** An in-memory store with the Web Storage methods we use. */
class MapStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

const annotation = {
  version: 1 as const,
  category: 'image.not_found' as const,
  action: 'stop' as const,
  severity: 'error' as const,
  title: { en: 'gone', cs: 'pryč' },
  detail: { en: '', cs: '' },
  advice: [],
};
const ref = { user: 'alice', server: 'gpu' };

test('remember then recall per server; forget removes it', () => {
  const s = new MapStore();
  const value = {
    annotation,
    pod: { name: 'jupyter-alice--gpu', namespace: 'ns', uid: 'u1' },
    at: '2026-11-25T19:40:04.000Z',
    userOptions: { image: 'x', cpu: 64 },
  };
  remember(s, ref, value);
  assert.deepEqual(recall(s, ref), value);
  assert.equal(recall(s, { user: 'alice', server: '' }), undefined);
  forget(s, ref);
  assert.equal(recall(s, ref), undefined);
});

test('tampered or old-format storage is ignored, not shown', () => {
  const s = new MapStore();
  for (const bad of [
    'nope',
    '[]',
    '{}',
    JSON.stringify({ annotation: { ...annotation, version: 2 }, at: '2026-01-01' }),
    JSON.stringify({ annotation, at: 'yesterday' }),
  ]) {
    s.setItem(memoryKey(ref), bad);
    assert.equal(recall(s, ref), undefined, bad);
  }
});

test('a storage that throws (disabled, full) does not break the page', () => {
  const broken: KeyValueStore = {
    getItem() {
      throw new Error('SecurityError');
    },
    setItem() {
      throw new Error('QuotaExceededError');
    },
    removeItem() {
      throw new Error('SecurityError');
    },
  };
  remember(broken, ref, {
    annotation,
    pod: { name: '', namespace: '', uid: '' },
    at: new Date().toISOString(),
  });
  forget(broken, ref);
  assert.equal(recall(broken, ref), undefined);
});
