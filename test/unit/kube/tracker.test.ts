import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { classify } from '../../../src/diagnosis/index.js';
import type { KubeEvent, PodLike } from '../../../src/diagnosis/types.js';
import { parseSelector } from '../../../src/kube/selector.js';
import { isPodReady, SpawnTracker } from '../../../src/kube/tracker.js';

// Shapes as recorded from a kube-apiserver watch of KubeSpawner pods and kubelet/scheduler events.
const selector = parseSelector('component=singleuser-server');
const T = (s: number) => new Date(Date.parse('2026-11-25T10:00:00Z') + s * 1000).toISOString();

function pod(
  uid: string,
  over: {
    created?: number;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    status?: PodLike['status'];
    deletion?: number;
  } = {},
): PodLike {
  return {
    metadata: {
      name: 'jupyter-alice',
      namespace: 'jhub-alice',
      uid,
      labels: over.labels ?? {
        component: 'singleuser-server',
        'hub.jupyter.org/username': 'alice',
        app: 'jupyterhub',
      },
      annotations: over.annotations ?? {
        'hub.jupyter.org/username': 'alice',
        'hub.jupyter.org/servername': '',
      },
      creationTimestamp: T(over.created ?? 0),
      ...(over.deletion !== undefined ? { deletionTimestamp: T(over.deletion) } : {}),
    },
    spec: { containers: [{ name: 'notebook', image: 'quay.io/jupyter/base-notebook:latest' }] },
    status: over.status ?? {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
    },
  };
}

let n = 0;
function event(
  uid: string | undefined,
  reason: string,
  at: number,
  message = '',
  type = 'Normal',
  extra: Partial<KubeEvent> = {},
): KubeEvent {
  n++;
  return {
    metadata: {
      name: `jupyter-alice.${n.toString(16)}`,
      namespace: 'jhub-alice',
      uid: `ev-${n}`,
      creationTimestamp: T(at),
    },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'jupyter-alice',
      namespace: 'jhub-alice',
      ...(uid ? { uid } : {}),
    },
    reason,
    message,
    type,
    count: 1,
    firstTimestamp: T(at),
    lastTimestamp: T(at),
    source: { component: 'kubelet', host: 'node-1' },
    ...extra,
  };
}

const now = Date.parse('2026-11-25T10:00:00Z');

describe('spawn tracker', () => {
  it('tracks only JupyterHub singleuser pods (label AND username annotation)', () => {
    const t = new SpawnTracker({ selector });
    assert.deepEqual(t.upsertPod(pod('u1', { annotations: {} }), now), []);
    assert.deepEqual(t.upsertPod(pod('u2', { labels: { component: 'hub' } }), now), []);
    assert.deepEqual(t.upsertPod(pod('u3'), now), ['u3']);
    assert.deepEqual(t.get('u3')!.ref, {
      namespace: 'jhub-alice',
      pod: 'jupyter-alice',
      uid: 'u3',
      user: 'alice',
      server: '',
    });
    assert.equal(t.list().length, 1);
  });

  it('builds the timeline from events and pod status, each milestone at its first occurrence', () => {
    const t = new SpawnTracker({ selector });
    t.upsertPod(pod('u1'), now);
    t.upsertEvent(
      event('u1', 'Scheduled', 1, 'Successfully assigned jhub-alice/jupyter-alice to node-1'),
      now,
    );
    t.upsertEvent(event('u1', 'Pulling', 2, 'Pulling image "quay.io/jupyter/base-notebook:latest"'), now);
    t.upsertEvent(
      event('u1', 'Pulled', 30, 'Successfully pulled image "quay.io/jupyter/base-notebook:latest" in 28s'),
      now,
    );
    t.upsertEvent(event('u1', 'Started', 31, 'Started container notebook'), now);
    t.upsertEvent(event('u1', 'Started', 90, 'Started container notebook'), now); // a restart: no new milestone
    t.upsertPod(
      pod('u1', {
        status: {
          phase: 'Running',
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: T(1) } as never,
            { type: 'Ready', status: 'True', lastTransitionTime: T(33) } as never,
          ],
        },
      }),
      now + 40_000,
    );
    const s = t.get('u1')!;
    assert.deepEqual(s.timeline, {
      created: Date.parse(T(0)),
      scheduled: Date.parse(T(1)),
      pulling: Date.parse(T(2)),
      pulled: Date.parse(T(30)),
      started: Date.parse(T(31)),
      ready: Date.parse(T(33)),
    });
    assert.ok(isPodReady(s.pod));
  });

  it('never mixes in the events of an earlier pod with the same name', () => {
    const t = new SpawnTracker({ selector });
    t.upsertPod(pod('old'), now);
    t.upsertEvent(event('old', 'Failed', 3, 'Failed to pull image "nope:1": not found', 'Warning'), now);
    t.deletePod(pod('old'), now + 5000);
    // New pod, same name; a late event of the old one arrives after it.
    assert.deepEqual(t.upsertPod(pod('new', { created: 10 }), now + 10_000), ['new']);
    assert.equal(
      t.upsertEvent(event('old', 'BackOff', 11, 'Back-off pulling image "nope:1"', 'Warning'), now),
      'old',
    );
    t.upsertEvent(event('new', 'Scheduled', 11, 'Successfully assigned'), now);
    const ev = t.evidence('new')!;
    assert.deepEqual(
      ev.events.map((e) => e.reason),
      ['Scheduled'],
    );
    assert.equal(t.evidence('old')!.events.length, 2);
  });

  it('a replaced pod (missed delete) is marked deleted when the new UID appears', () => {
    const t = new SpawnTracker({ selector });
    t.upsertPod(pod('old'), now);
    const changed = t.upsertPod(pod('new', { created: 60 }), now + 60_000);
    assert.deepEqual(changed.sort(), ['new', 'old']);
    assert.equal(t.get('old')!.timeline.deleted, now + 60_000);
    assert.equal(t.get('new')!.timeline.deleted, undefined);
  });

  it('places a uid-less event only on the live pod of that name and not before it existed', () => {
    const t = new SpawnTracker({ selector });
    t.upsertPod(pod('u1', { created: 100 }), now);
    assert.equal(
      t.upsertEvent(event(undefined, 'Warning1', 50, 'older than the pod', 'Warning'), now),
      undefined,
    );
    assert.equal(t.upsertEvent(event(undefined, 'Warning2', 101, 'after', 'Warning'), now), 'u1');
    t.deletePod(pod('u1'), now);
    assert.equal(t.upsertEvent(event(undefined, 'Warning3', 102, 'after delete', 'Warning'), now), undefined);
  });

  it('holds events that arrive before their pod and attaches them when it appears', () => {
    const t = new SpawnTracker({ selector });
    assert.equal(
      t.upsertEvent(event('early', 'FailedScheduling', 1, '0/3 nodes are available', 'Warning'), now),
      undefined,
    );
    assert.equal(t.orphanCount, 1);
    t.upsertPod(pod('early'), now);
    assert.equal(t.orphanCount, 0);
    assert.deepEqual(
      t.evidence('early')!.events.map((e) => e.reason),
      ['FailedScheduling'],
    );
    // Orphans expire and are bounded.
    const small = new SpawnTracker({ selector, maxOrphans: 2, orphanMs: 1000 });
    for (let i = 0; i < 5; i++) small.upsertEvent(event(`x${i}`, 'A', 1), now);
    assert.equal(small.orphanCount, 2);
    small.gc(now + 2000);
    assert.equal(small.orphanCount, 0);
  });

  it('keeps our own SpawnDiagnosis/SpawnProgress notes out of the evidence', () => {
    const t = new SpawnTracker({ selector });
    t.upsertPod(pod('u1'), now);
    t.upsertEvent(event('u1', 'Failed', 2, 'ErrImagePull', 'Warning'), now);
    t.upsertEvent(
      event('u1', 'SpawnDiagnosis', 3, 'The image does not exist.', 'Warning', {
        source: { component: 'spawn-doctor' },
        reportingComponent: 'spawn-doctor',
      }),
      now,
    );
    // Someone else's event with our reason is evidence all the same.
    t.upsertEvent(event('u1', 'SpawnProgress', 4, 'x', 'Normal', { source: { component: 'imposter' } }), now);
    assert.deepEqual(
      t.evidence('u1')!.events.map((e) => e.reason),
      ['Failed', 'SpawnProgress'],
    );
  });

  it('updates and deletes events in place, ordered by first occurrence', () => {
    const t = new SpawnTracker({ selector });
    t.upsertPod(pod('u1'), now);
    const a = event('u1', 'BackOff', 5, 'Back-off pulling image', 'Warning');
    const b = event('u1', 'Pulling', 2, 'Pulling image');
    t.upsertEvent(a, now);
    t.upsertEvent(b, now);
    t.upsertEvent({ ...a, count: 4, lastTimestamp: T(50) }, now);
    const ev = t.evidence('u1')!;
    assert.deepEqual(
      ev.events.map((e) => [e.reason, e.count]),
      [
        ['Pulling', 1],
        ['BackOff', 4],
      ],
    );
    assert.equal(t.deleteEvent(a), 'u1');
    assert.deepEqual(
      t.evidence('u1')!.events.map((e) => e.reason),
      ['Pulling'],
    );
  });

  it('records an autoscaler scale-up and deletion, and forgets deleted pods after the retention', () => {
    const t = new SpawnTracker({ selector, retentionMs: 60_000 });
    t.upsertPod(pod('u1'), now);
    t.upsertEvent(
      event('u1', 'TriggeredScaleUp', 7, 'pod triggered scale-up: [{pool-a 1->2 (max: 5)}]', 'Normal', {
        source: { component: 'cluster-autoscaler' },
      }),
      now,
    );
    assert.equal(t.get('u1')!.scaleUpAt, Date.parse(T(7)));
    t.upsertPod(pod('u1', { deletion: 20 }), now + 20_000);
    assert.equal(t.get('u1')!.timeline.deleted, Date.parse(T(20)));
    t.deletePod(pod('u1'), now + 21_000);
    assert.deepEqual(t.gc(now + 60_000), []);
    assert.deepEqual(t.gc(now + 81_000), ['u1']);
    assert.equal(t.get('u1'), undefined);
  });

  it('ignores events of other kinds and malformed input', () => {
    const t = new SpawnTracker({ selector });
    t.upsertPod(pod('u1'), now);
    assert.equal(
      t.upsertEvent({ ...event('u1', 'X', 1), involvedObject: { kind: 'Node', name: 'n', uid: 'u1' } }, now),
      undefined,
    );
    assert.equal(t.upsertEvent({} as KubeEvent, now), undefined);
    assert.equal(t.upsertEvent(null as unknown as KubeEvent, now), undefined);
    assert.deepEqual(t.upsertPod({} as PodLike, now), []);
  });
});

describe('spawn tracker on recorded objects', () => {
  // test/unit/kube/recorded/same-name-respawn.json: recorded from the testbed.
  const rec = JSON.parse(
    readFileSync(new URL('./recorded/same-name-respawn.json', import.meta.url), 'utf8'),
  ) as {
    podFailed: PodLike;
    eventsAfterFailure: KubeEvent[];
    podSecond: PodLike;
    eventsAfterSecond: KubeEvent[];
  };
  const failedUid = rec.podFailed.metadata!.uid!;
  const secondUid = rec.podSecond.metadata!.uid!;

  it('the recording is what it claims: same name, two UIDs, old events outlive the old pod', () => {
    assert.equal(rec.podFailed.metadata!.name, rec.podSecond.metadata!.name);
    assert.notEqual(failedUid, secondUid);
    assert.ok(rec.eventsAfterSecond.some((e) => e.involvedObject?.uid === failedUid));
  });

  it('a relist after the respawn attaches every event to its own pod', () => {
    const t = new SpawnTracker({ selector });
    t.upsertPod(rec.podFailed, now);
    for (const e of rec.eventsAfterFailure) t.upsertEvent(e, now);
    assert.equal(classify(t.evidence(failedUid)!).category, 'image.not_found');
    t.deletePod(rec.podFailed, now);
    t.upsertPod(rec.podSecond, now);
    for (const e of rec.eventsAfterSecond) t.upsertEvent(e, now); // old and new, as a list delivers them
    const second = t.evidence(secondUid)!;
    assert.ok(second.events.length > 0);
    assert.ok(second.events.every((e) => e.involvedObject?.uid === secondUid));
    assert.ok(!['image.not_found', 'unknown.warning'].includes(classify(second).category));
    assert.equal(t.evidence(failedUid)!.events.length, rec.eventsAfterFailure.length);
  });

  it('events listed before their pods wait for them, and still never cross', () => {
    const t = new SpawnTracker({ selector });
    for (const e of rec.eventsAfterSecond) t.upsertEvent(e, now);
    t.upsertPod(rec.podSecond, now);
    assert.ok(t.evidence(secondUid)!.events.every((e) => e.involvedObject?.uid === secondUid));
    assert.equal(t.get(failedUid), undefined, 'a gone pod is not resurrected by its events');
  });
});
