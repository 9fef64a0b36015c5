// What a stock hub (KubeSpawner 7.1.0, no spawn-doctor) shows on the next spawn of the same server
// by itself: Events of the previous pod of that name (docs/jupyterhub-limits.md, section 3). This
// backs the limits write-up's claim and prints the counts it quotes; spawn-doctor's own part
// (nothing of a pod it stopped, no old diagnosis) is retry-at-once.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Hub, type ProgressEvent, startHub } from '../../support/hub.js';
import { core, userName, userNamespace } from './e2e.js';

const GOOD = { image: 'quay.io/jupyter/minimal-notebook:2025-10-20' };
const MISSING = 'docker.io/library/this-image-does-not-exist:42';
let hub: Hub;

before(async () => {
  hub = await startHub({
    version: 6,
    startTimeout: 600,
    name: 'stock-leak-hub6',
    spawnDoctor: { enabled: false },
  });
});

after(async () => {
  await hub?.stop();
});

async function podUid(user: string): Promise<string | undefined> {
  try {
    return (await core.readNamespacedPod({ namespace: userNamespace(user), name: `jupyter-${user}` }))
      .metadata?.uid;
  } catch {
    return undefined;
  }
}

/** Starts the server (retrying while the previous one is still stopping) and follows its stream. */
async function spawnAndFollow(
  user: string,
  options: Record<string, unknown>,
  until: (events: ProgressEvent[]) => boolean = () => false,
): Promise<ProgressEvent[]> {
  for (;;) {
    const r = await hub.startServer(user, '', options);
    if (r.status === 201 || r.status === 202) break;
    assert.equal(r.status, 400, JSON.stringify(r.body));
    await new Promise((res) => setTimeout(res, 100));
  }
  const events: ProgressEvent[] = [];
  const ac = new AbortController();
  try {
    for await (const e of hub.progress(user, '', ac.signal)) {
      events.push(e);
      if (until(events)) break;
    }
  } finally {
    ac.abort();
  }
  return events;
}

async function stopped(user: string): Promise<void> {
  await hub.stopServer(user, '');
  await hub.waitFor(
    async () => {
      const s = await hub.serverState(user, '');
      return s === null || (!s.pending && !s.ready);
    },
    { timeoutMs: 120_000, what: `${user} stopped` },
  );
}

const ROUNDS = Number(process.env.STOCK_ROUNDS ?? 2);

/**
 * The old Events on the new stream, after checking where they are: only at its start, before any
 * Event of the new pod (KubeSpawner's first walk of its events, before `_start()` recorded the
 * new spawn's marker: the previous spawn's marker is still in force then).
 */
function leakedAtStart(events: ProgressEvent[], uid: string | undefined, podName: string): string[] {
  const withEvent = events.filter((e) => e.raw_event);
  const firstOwn = withEvent.findIndex((e) => e.raw_event?.involvedObject?.uid === uid);
  const old = withEvent.filter((e) => e.raw_event?.involvedObject?.uid !== uid);
  const late = withEvent.slice(firstOwn < 0 ? withEvent.length : firstOwn).filter((e) => old.includes(e));
  assert.deepEqual(
    late.map((e) => e.raw_event?.reason),
    [],
    'an old Event came after the new pod’s own: not the stale-marker window the limits doc describes',
  );
  // KubeSpawner matches Events by the pod's name only: these are older pods of that name.
  for (const e of old) assert.equal(e.raw_event?.involvedObject?.name, podName);
  return old.map((e) => e.raw_event?.reason ?? '');
}

describe('stock KubeSpawner shows old Events of the same pod name', {
  concurrency: false,
  timeout: 600_000,
}, () => {
  for (const [tag, first] of [
    ['after a stopped good server', GOOD],
    ['after a failing spawn the user cancelled', { image: MISSING }],
  ] as const) {
    it(`${tag}: old Events only at the start of the new stream (${ROUNDS} rounds)`, async () => {
      const user = userName(first === GOOD ? 'stockgood' : 'stockfail');
      await hub.createUser(user);
      const counts: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        await spawnAndFollow(user, first, (events) =>
          events.some(
            (e) =>
              e.ready || e.raw_event?.reason === 'BackOff' || /not found/.test(e.raw_event?.message ?? ''),
          ),
        );
        await stopped(user);
        const second = await spawnAndFollow(user, GOOD);
        assert.ok(second.at(-1)?.ready, 'the good spawn starts');
        const old = leakedAtStart(second, await podUid(user), `jupyter-${user}`);
        counts.push(old.length);
        console.log(`# stock, ${tag}, round ${i + 1}: ${old.length} old Events (${old.join(', ')})`);
        await stopped(user);
      }
      console.log(`# stock, ${tag}: old Events per new stream: ${counts.join(', ')}`);
    });
  }
});
