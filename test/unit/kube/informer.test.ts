import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Informer,
  type KubeObject,
  type ListWatchSource,
  type WatchType,
} from '../../../src/kube/informer.js';

type Obj = KubeObject;
const obj = (uid: string, rv: string): Obj => ({
  metadata: { uid, name: uid, namespace: 'ns', resourceVersion: rv },
});

/** A scripted API server: lists return `state`, watches are handed to the test to drive. */
class FakeSource implements ListWatchSource<Obj> {
  state: Obj[] = [];
  rv = '1';
  lists = 0;
  watches: Array<{
    rv: string;
    emit: (t: WatchType, o: unknown) => void;
    done: (err?: unknown) => void;
    aborted: boolean;
  }> = [];
  failNextList = false;
  async list() {
    this.lists++;
    if (this.failNextList) {
      this.failNextList = false;
      throw Object.assign(new Error('connection refused'), { code: 503 });
    }
    return { items: [...this.state], resourceVersion: this.rv };
  }
  async watch(rv: string, emit: (t: WatchType, o: unknown) => void, done: (err?: unknown) => void) {
    const w = { rv, emit, done, aborted: false };
    this.watches.push(w);
    return {
      abort: () => {
        w.aborted = true;
      },
    };
  }
  get last() {
    return this.watches[this.watches.length - 1]!;
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));
async function until(cond: () => boolean) {
  for (let i = 0; i < 400 && !cond(); i++) await tick();
  assert.ok(cond(), 'condition not reached');
}

function recorder() {
  const log: string[] = [];
  return {
    log,
    handlers: {
      upsert: (o: Obj) => log.push(`upsert ${o.metadata!.uid}@${o.metadata!.resourceVersion}`),
      delete: (o: Obj) => log.push(`delete ${o.metadata!.uid}`),
      restart: (r: string) => log.push(`restart ${r}`),
      synced: () => log.push('synced'),
    },
  };
}

describe('informer', () => {
  it('lists, then watches from the list resourceVersion and applies changes', async () => {
    const src = new FakeSource();
    src.state = [obj('a', '5')];
    src.rv = '7';
    const r = recorder();
    const inf = new Informer('pods', src, r.handlers, { resyncMs: 60_000 });
    inf.start();
    await until(() => src.watches.length === 1);
    assert.equal(src.last.rv, '7');
    assert.ok(inf.synced);
    src.last.emit('ADDED', obj('b', '8'));
    src.last.emit('MODIFIED', obj('a', '9'));
    src.last.emit('MODIFIED', obj('a', '9')); // same version: no duplicate
    src.last.emit('DELETED', obj('b', '10'));
    src.last.emit('BOOKMARK', { metadata: { resourceVersion: '12' } });
    assert.deepEqual(r.log, ['upsert a@5', 'synced', 'upsert b@8', 'upsert a@9', 'delete b']);
    // A clean close re-watches from the last seen version without relisting.
    src.last.done();
    await until(() => src.watches.length === 2);
    assert.equal(src.last.rv, '12');
    assert.equal(src.lists, 1);
    inf.stop();
  });

  it('on 410 Gone relists and reports deletes it missed', async () => {
    const src = new FakeSource();
    src.state = [obj('a', '1'), obj('b', '1')];
    const r = recorder();
    const inf = new Informer('events', src, r.handlers, {
      resyncMs: 60_000,
      statusOf: (e) => (e as { code?: number }).code,
    });
    inf.start();
    await until(() => src.watches.length === 1);
    src.state = [obj('b', '2'), obj('c', '2')];
    src.rv = '20';
    src.last.emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
    src.last.done();
    await until(() => src.watches.length === 2);
    assert.equal(src.lists, 2);
    assert.equal(src.last.rv, '20');
    assert.deepEqual(r.log.slice(3), ['restart gone', 'upsert b@2', 'upsert c@2', 'delete a']);
    assert.deepEqual(
      inf
        .list()
        .map((o) => o.metadata!.uid)
        .sort(),
      ['b', 'c'],
    );
    // A 410 status on the watch request itself works the same way.
    src.last.done(Object.assign(new Error('Gone'), { code: 410 }));
    await until(() => src.lists === 3);
    inf.stop();
  });

  it('backs off and retries on errors, and resyncs periodically', async () => {
    const src = new FakeSource();
    src.failNextList = true;
    const r = recorder();
    const inf = new Informer('pods', src, r.handlers, { resyncMs: 80, backoffMs: 10 });
    inf.start();
    await until(() => src.watches.length >= 1);
    assert.equal(r.log[0], 'restart error');
    assert.ok(!r.log.includes('synced') || r.log.indexOf('synced') > 0);
    src.last.done(new Error('ECONNRESET'));
    await until(() => src.watches.length >= 2);
    await until(() => r.log.includes('restart resync'));
    await until(() => src.lists >= 3);
    assert.ok(src.watches[0]!.aborted || src.watches[1]!.aborted, 'the resync aborts the running watch');
    inf.stop();
  });

  it('a throwing handler does not stop the watch', async () => {
    const src = new FakeSource();
    const inf = new Informer(
      'pods',
      src,
      {
        upsert: () => {
          throw new Error('bug');
        },
        delete: () => {},
      },
      { resyncMs: 60_000 },
    );
    inf.start();
    await until(() => src.watches.length === 1);
    src.last.emit('ADDED', obj('x', '2'));
    src.last.emit('ADDED', obj('y', '3'));
    assert.equal(inf.list().length, 2);
    inf.stop();
  });
});
