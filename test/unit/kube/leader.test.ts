import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { LeaderElector } from '../../../src/kube/leader.js';

/** An in-memory Lease store with the API server's optimistic concurrency (409 on a stale write). */
class LeaseStore {
  lease?: V1Lease;
  rv = 0;
  api = {
    readNamespacedLease: async () => {
      if (!this.lease) throw Object.assign(new Error('not found'), { code: 404 });
      return structuredClone(this.lease);
    },
    createNamespacedLease: async ({ body }: { body: V1Lease }) => {
      if (this.lease) throw Object.assign(new Error('exists'), { code: 409 });
      this.lease = {
        ...structuredClone(body),
        metadata: { ...body.metadata, resourceVersion: String(++this.rv) },
      };
      return this.lease;
    },
    replaceNamespacedLease: async ({ body }: { body: V1Lease }) => {
      if (body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) {
        throw Object.assign(new Error('conflict'), { code: 409 });
      }
      this.lease = {
        ...structuredClone(body),
        metadata: { ...body.metadata, resourceVersion: String(++this.rv) },
      };
      return this.lease;
    },
  } as unknown as CoordinationV1Api;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(10);
  assert.ok(cond(), 'condition not reached');
}

function elector(store: LeaseStore, identity: string, changes: string[], now?: () => number) {
  return new LeaderElector(store.api, {
    ...(now ? { now } : {}),
    namespace: 'jhub',
    name: 'spawn-doctor',
    identity,
    leaseDurationSeconds: 0.4,
    renewSeconds: 0.05,
    onChange: (l) => changes.push(`${identity}:${l}`),
  });
}

describe('leader election', () => {
  it('exactly one of two candidates leads; the other takes over when the leader vanishes', async () => {
    const store = new LeaseStore();
    const changes: string[] = [];
    const a = elector(store, 'a', changes);
    const b = elector(store, 'b', changes);
    a.start();
    await until(() => a.isLeader);
    b.start();
    await sleep(300);
    assert.ok(a.isLeader && !b.isLeader, 'only one leader while the lease is renewed');
    // Simulate a crash: a stops renewing without releasing (no stop()).
    (a as unknown as { stopped: boolean }).stopped = true;
    await until(() => b.isLeader);
    assert.equal(store.lease!.spec!.holderIdentity, 'b');
    assert.equal(store.lease!.spec!.leaseTransitions, 1);
    await b.stop();
    assert.equal(store.lease!.spec!.holderIdentity, undefined, 'a graceful stop releases the lease');
    assert.deepEqual(changes, ['a:true', 'b:true', 'b:false']);
  });

  it('a released lease is taken at once by the follower', async () => {
    const store = new LeaseStore();
    const changes: string[] = [];
    const a = elector(store, 'a', changes);
    // b's clock stands still: the lease can never expire for it, only be released.
    const b = elector(store, 'b', changes, () => 1_000_000);
    a.start();
    await until(() => a.isLeader);
    b.start();
    await sleep(100);
    assert.ok(!b.isLeader);
    await a.stop();
    await until(() => b.isLeader);
    await b.stop();
  });

  it('a leader that cannot renew steps down', async () => {
    const store = new LeaseStore();
    const changes: string[] = [];
    const a = elector(store, 'a', changes);
    a.start();
    await until(() => a.isLeader);
    store.api.readNamespacedLease = async () => {
      throw Object.assign(new Error('apiserver down'), { code: 503 });
    };
    await until(() => !a.isLeader);
    await a.stop();
  });
});
