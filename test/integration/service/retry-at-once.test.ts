// Issue #10, steps 1–5, through the REST API as a script drives it, on JupyterHub 6 with
// spawn-doctor as its managed service: a spawn fails (image does not exist), and at once the user
// stops and starts again with a good image. The retry must become ready, and its progress stream
// must carry no Event of any other pod (no stale SpawnDiagnosis, no old kubelet Events). The same
// user goes round after round, so every earlier pod of that name is a candidate for leaking in.
// A variant: the user cancels the failing spawn from the page (DELETE) the moment the diagnosis
// shows, then starts a good one.
//
// REPRO_ROUNDS (default 2) sets the rounds of each case; `REPRO_ROUNDS=20` is the loop.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Hub, type ProgressEvent, startHub } from '../../support/hub.js';
import {
  core,
  diagnosisOf,
  eventsOfUid,
  SERVICE_CONFIG,
  START_TIMEOUT,
  serviceKubeconfig,
  userName,
  userNamespace,
  waitForValue,
} from './e2e.js';

const MISSING = 'docker.io/library/this-image-does-not-exist:42';
const GOOD = { image: 'cerit.io/jupyter/big-ml-notebook:2025.11', memory: 3 };
const ROUNDS = Number(process.env.REPRO_ROUNDS ?? 2);

let hub: Hub;

before(async () => {
  const sa = await serviceKubeconfig();
  hub = await startHub({
    version: 6,
    startTimeout: START_TIMEOUT,
    name: 'retry-at-once-hub6',
    spawnDoctor: { enabled: true, configYaml: SERVICE_CONFIG, kubeconfig: sa.kubeconfigPath },
  });
});

after(async () => {
  await hub?.stop();
});

/** Follows the server's progress stream in the background, from now until it ends. */
function follow(user: string): { events: ProgressEvent[]; done: Promise<void>; cut: () => void } {
  const events: ProgressEvent[] = [];
  const ac = new AbortController();
  const done = (async () => {
    for await (const e of hub.progress(user, '', ac.signal)) events.push(e);
  })();
  return { events, done, cut: () => ac.abort() };
}

/** POST until the hub takes it (a script retries "pending stop" and "already running" at once). */
async function startAgain(user: string, options: Record<string, unknown>): Promise<number> {
  for (;;) {
    const r = await hub.startServer(user, '', options);
    if (r.status === 201 || r.status === 202) return r.status;
    assert.equal(r.status, 400, `start ${user}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    assert.match(JSON.stringify(r.body), /pending|already running/, JSON.stringify(r.body));
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function podUid(user: string): Promise<string | undefined> {
  try {
    const pod = await core.readNamespacedPod({ namespace: userNamespace(user), name: `jupyter-${user}` });
    return pod.metadata?.deletionTimestamp ? undefined : pod.metadata?.uid;
  } catch {
    return undefined;
  }
}

function describeEvents(events: ProgressEvent[]): string {
  return events
    .map((e) =>
      e.raw_event
        ? `${e.raw_event.involvedObject?.uid?.slice(0, 8)} ${e.raw_event.reason}: ${e.raw_event.message}`
        : `${e.failed ? 'FAILED ' : ''}${e.ready ? 'READY ' : ''}${e.message}`,
    )
    .join('\n  ');
}

/** The failing spawn: started, followed until `until` says so; returns the failed pod's UID. */
async function failingSpawn(user: string, until: (events: ProgressEvent[]) => boolean): Promise<string> {
  await hub.createUser(user);
  const r = await hub.startServer(user, '', { image: MISSING });
  assert.ok([201, 202].includes(r.status), `start ${user}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  const stream = follow(user);
  await hub.waitFor(() => until(stream.events) || stream.events.some((e) => e.failed || e.ready), {
    timeoutMs: 120_000,
    intervalMs: 20,
    what: `the failing spawn of ${user}`,
  });
  const d = diagnosisOf(stream.events)[0];
  stream.cut();
  assert.ok(d, `the failing spawn's stream carried no SpawnDiagnosis:\n  ${describeEvents(stream.events)}`);
  assert.equal(d.annotation.category, 'image.not_found');
  return d.raw.involvedObject!.uid!;
}

/**
 * The retry: ready, its stream carried no Event of a pod spawn-doctor stopped and no diagnosis or
 * progress note of another pod, and (`strict`) no Event of any other pod at all. Then it is
 * stopped again. Returns the new pod's UID and how many Events of earlier pods that spawn-doctor
 * did not stop leaked in (stock KubeSpawner, docs/jupyterhub-limits.md section 3).
 */
async function assertRetryReady(
  user: string,
  stream: ReturnType<typeof follow>,
  stopped: string[],
  strict: boolean,
): Promise<{ uid: string; stockLeak: number }> {
  await stream.done;
  const last = stream.events.at(-1);
  const newUid = await podUid(user);
  const story = `\n  ${describeEvents(stream.events)}`;
  assert.ok(last?.ready, `the retry of ${user} did not become ready:${story}`);
  assert.ok(newUid, `no live pod of ${user} after ready`);
  assert.ok(!stopped.includes(newUid), 'the ready pod is a new one');
  const foreign = stream.events.filter((e) => e.raw_event && e.raw_event.involvedObject?.uid !== newUid);
  const ours = (e: ProgressEvent) => ['SpawnDiagnosis', 'SpawnProgress'].includes(e.raw_event?.reason ?? '');
  const bad = foreign.filter(
    (e) => strict || ours(e) || stopped.includes(e.raw_event?.involvedObject?.uid ?? ''),
  );
  assert.deepEqual(
    bad.map((e) => `${e.raw_event?.reason}: ${e.raw_event?.message}`),
    [],
    `the retry's stream carried events of another pod:${story}`,
  );
  assert.equal(diagnosisOf(stream.events).length, 0, `a SpawnDiagnosis on a good spawn:${story}`);
  const state = await hub.serverState(user, '');
  assert.ok(state?.ready && !state.pending, `the hub reports the retry running: ${JSON.stringify(state)}`);
  assert.equal(await podUid(user), newUid, 'the ready pod is still there');
  // Stop it for the next round and wait until the hub is done with it.
  const stop = await hub.stopServer(user, '');
  assert.ok([202, 204].includes(stop.status), `stop: HTTP ${stop.status}`);
  await hub.waitFor(
    async () => {
      const s = await hub.serverState(user, '');
      return s === null || (!s.pending && !s.ready);
    },
    { timeoutMs: 120_000, what: `${user}'s retry to stop` },
  );
  return { uid: newUid, stockLeak: foreign.length - bad.length };
}

/** One round: the failing spawn, then at once DELETE and POST; the retry must be ready and clean. */
async function round(
  user: string,
  until: (events: ProgressEvent[]) => boolean,
  stopped: string[],
  strict: boolean,
): Promise<{ failed: string; ready: string; ms: number; stockLeak: number }> {
  const failed = await failingSpawn(user, until);
  stopped.push(failed);
  const t0 = Date.now();
  await hub.stopServer(user, '');
  await startAgain(user, GOOD);
  const stream = follow(user);
  const r = await assertRetryReady(user, stream, stopped, strict);
  const ms = Date.now() - t0;
  // Nothing of the failed pod may stay behind.
  await waitForValue(
    async () => (await eventsOfUid(userNamespace(user), failed)).length === 0,
    'no events of the failed pod',
  );
  return { failed, ready: r.uid, ms, stockLeak: r.stockLeak };
}

describe('retry at once after a failure (issue #10)', { timeout: 60_000 + ROUNDS * 3 * 120_000 }, () => {
  it(`stop and start again the moment the stream says failed: every retry ready, its stream clean (${ROUNDS} users)`, async () => {
    for (let i = 1; i <= ROUNDS; i++) {
      const r = await round(userName(`again${i}`), () => false, [], true);
      console.log(`# again round ${i}: retry ready ${r.ms} ms after the DELETE, no foreign event`);
    }
  });

  it(`cancel from the page the moment the diagnosis shows, then start a good one (${ROUNDS} users)`, async () => {
    for (let i = 1; i <= ROUNDS; i++) {
      const r = await round(userName(`cancel${i}`), (events) => diagnosisOf(events).length > 0, [], true);
      console.log(`# cancel round ${i}: retry ready ${r.ms} ms after the DELETE, no foreign event`);
    }
  });

  it(`one user, ${ROUNDS} rounds: nothing of a stopped pod and no old diagnosis ever shows`, async () => {
    const user = userName('same');
    const stopped: string[] = [];
    let leaked = 0;
    for (let i = 1; i <= ROUNDS; i++) {
      const r = await round(user, () => false, stopped, false);
      leaked += r.stockLeak;
      console.log(
        `# same-user round ${i}: retry ready ${r.ms} ms after the DELETE; ${r.stockLeak} old events of the previous good pod (stock KubeSpawner)`,
      );
    }
    console.log(
      `# same-user: ${leaked} old events of good pods in ${ROUNDS} retries (not spawn-doctor's: see the limits doc)`,
    );
  });
});
