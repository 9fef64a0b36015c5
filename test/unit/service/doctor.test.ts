// The decision loop on recorded objects with the real classifier and policy; the actions port is
// a recorder behind the real ledger (the real stop is exercised by the integration tier against a
// real cluster and hub).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { StopLedger } from '../../../src/actions/ledger.js';
import { newRecord, renderRecord, STOP_ANNOTATION } from '../../../src/actions/record.js';
import type { ActionsPort, StopInput, StopResult } from '../../../src/actions/types.js';
import type { CapacityProvider } from '../../../src/advice/capacity/types.js';
import { parseConfigText } from '../../../src/config/index.js';
import type { DiagnosisAnnotation } from '../../../src/diagnosis/annotation.js';
import { diagnosisAnnotationSchema } from '../../../src/diagnosis/annotation.js';
import type { KubeEvent, PodLike } from '../../../src/diagnosis/types.js';
import type { PluginHost, SpawnRef } from '../../../src/plugins/types.js';
import { Metrics } from '../../../src/server/metrics.js';
import { Doctor } from '../../../src/service/doctor.js';

/** What the actions were asked: every new stop with the announcement it built, and resumes. */
class RecordingActions implements ActionsPort {
  stops: Array<{ spawn: SpawnRef; annotation: DiagnosisAnnotation; sentence: string }> = [];
  resumed: SpawnRef[] = [];
  progress: Array<{ spawn: SpawnRef; annotation: DiagnosisAnnotation; sentence: string }> = [];
  observed = 0;
  /** The outcome of each next new stop (default cancelled). */
  outcomes: StopResult['outcome'][] = [];
  readonly ledger = new StopLedger({ retryFailedMs: 0 });
  async announceProgress(spawn: SpawnRef, annotation: DiagnosisAnnotation, sentence: string) {
    this.progress.push({ spawn, annotation, sentence });
  }
  stop(input: StopInput): Promise<StopResult> {
    return this.ledger.run(input.spawn.uid, async () => {
      if (!input.announcement) {
        this.resumed.push(input.spawn);
        return {
          outcome: 'cancelled',
          run: 'resumed',
          resumedFrom: 'announced',
          category: 'image.not_found',
          eventsDeleted: 2,
          notes: [],
        };
      }
      const { annotation, sentence } = await input.announcement();
      this.stops.push({ spawn: input.spawn, annotation, sentence });
      await new Promise((r) => setTimeout(r, 20)); // events keep arriving meanwhile
      const outcome = this.outcomes.shift() ?? 'cancelled';
      return {
        outcome,
        run: 'new',
        announcedAt: new Date(),
        endedAt: new Date(),
        eventsDeleted: 3,
        notes: [],
      };
    });
  }
  observeEvent() {
    this.observed++;
  }
  observePod() {}
}

const config = parseConfigText(
  'support: {contact: help@example.org}\nprogressNotes: {intervalSeconds: 5}\n',
  {
    source: 't',
    baseDir: '/',
    env: {},
  },
);
const log = pino({ level: 'silent' });

function setup(
  over: {
    plugins?: PluginHost;
    canAct?: () => boolean;
    now?: () => number;
    capacity?: CapacityProvider;
  } = {},
) {
  const actions = new RecordingActions();
  const metrics = new Metrics();
  const doctor = new Doctor({ config, actions, log, metrics, debounceMs: 0, ...over });
  return { actions, metrics, doctor };
}

const created = Date.now() - 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function pod(uid: string, image: string, status: PodLike['status'] = { phase: 'Pending' }): PodLike {
  return {
    metadata: {
      name: `jupyter-${uid}`,
      namespace: 'jhub',
      uid,
      labels: { component: 'singleuser-server' },
      annotations: { 'hub.jupyter.org/username': uid, 'hub.jupyter.org/servername': '' },
      creationTimestamp: iso(created),
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'notebook', image }] },
    status,
  };
}

let n = 0;
function ev(uid: string, reason: string, message: string, type = 'Normal', atMs = Date.now()): KubeEvent {
  n++;
  return {
    metadata: { name: `jupyter-${uid}.${n}`, namespace: 'jhub', uid: `e${n}` },
    involvedObject: {
      kind: 'Pod',
      name: `jupyter-${uid}`,
      namespace: 'jhub',
      uid,
      fieldPath: 'spec.containers{notebook}',
    },
    reason,
    message,
    type,
    firstTimestamp: iso(atMs),
    lastTimestamp: iso(atMs),
    source: { component: 'kubelet', host: 'node-1' },
  };
}

const settle = async (d: Doctor) => {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 30));
    await d.idle();
  }
};

const missing = 'docker.io/library/this-image-does-not-exist:42';
const notFound = (uid: string) =>
  ev(
    uid,
    'Failed',
    `Failed to pull image "${missing}": rpc error: code = NotFound desc = failed to pull and unpack image "${missing}": failed to resolve reference "${missing}": ${missing}: not found`,
    'Warning',
  );

describe('doctor (decision loop)', () => {
  it('stops a doomed spawn exactly once, with a valid annotation, however many events follow', async () => {
    const { actions, doctor, metrics } = setup();
    doctor.podUpserted(pod('a', missing));
    doctor.eventUpserted(ev('a', 'Pulling', `Pulling image "${missing}"`));
    doctor.eventUpserted(notFound('a'));
    doctor.eventUpserted(ev('a', 'Failed', 'Error: ErrImagePull', 'Warning'));
    await settle(doctor);
    doctor.eventUpserted(ev('a', 'BackOff', `Back-off pulling image "${missing}"`, 'Warning'));
    doctor.podUpserted(pod('a', missing, { phase: 'Pending', reason: 'x' }));
    await settle(doctor);
    assert.equal(actions.stops.length, 1);
    const stop = actions.stops[0]!;
    assert.equal(stop.spawn.uid, 'a');
    assert.equal(stop.spawn.user, 'a');
    assert.equal(stop.annotation.category, 'image.not_found');
    assert.equal(stop.annotation.action, 'stop');
    assert.equal(stop.annotation.contact, 'help@example.org');
    diagnosisAnnotationSchema.parse(stop.annotation);
    assert.match(stop.sentence, /this-image-does-not-exist/);
    const text = await metrics.registry.getSingleMetricAsString('spawn_doctor_stops_total');
    assert.match(text, /category="image.not_found",outcome="cancelled"} 1/);
    assert.equal(doctor.recent()[0]!.outcome, 'cancelled');
    await doctor.close();
  });

  it('finishes a stop recorded in Kubernetes (a restart, another replica) without announcing again', async () => {
    let advised = 0;
    const plugins: PluginHost = {
      runOnDiagnosis: async () => {
        advised++;
        return { advice: [], notes: [] };
      },
      runOnStop: async () => {},
      close: async () => {},
    };
    const { actions, doctor } = setup({ plugins });
    const spawn = { namespace: 'jhub', pod: 'jupyter-b', uid: 'b', user: 'b', server: '' };
    doctor.podUpserted(pod('b', missing));
    doctor.eventUpserted(notFound('b'));
    // Our own diagnosis Event with its stop record, as the informer lists it after a restart.
    doctor.eventUpserted({
      metadata: {
        name: 'jupyter-b.spawn-doctor-diagnosis.b',
        namespace: 'jhub',
        uid: 'd-b',
        annotations: { [STOP_ANNOTATION]: renderRecord(newRecord(spawn, 'replica-0', new Date())) },
      },
      involvedObject: { kind: 'Pod', name: 'jupyter-b', namespace: 'jhub', uid: 'b' },
      reason: 'SpawnDiagnosis',
      type: 'Warning',
      source: { component: 'spawn-doctor' },
      reportingComponent: 'spawn-doctor',
    });
    await settle(doctor);
    assert.deepEqual(actions.stops, [], 'no new announcement');
    assert.equal(advised, 0, 'the plugins are not asked again');
    assert.deepEqual(actions.resumed, [spawn]);
    await doctor.close();
  });

  it('a failed stop is tried again on the next change, and the ledger keeps it to one at a time', async () => {
    const { actions, doctor, metrics } = setup();
    actions.outcomes.push('failed');
    doctor.podUpserted(pod('r', missing));
    doctor.eventUpserted(notFound('r'));
    await settle(doctor);
    assert.equal(actions.stops.length, 1);
    doctor.eventUpserted(ev('r', 'BackOff', `Back-off pulling image "${missing}"`, 'Warning'));
    await settle(doctor);
    assert.equal(actions.stops.length, 2);
    const text = await metrics.registry.getSingleMetricAsString('spawn_doctor_stops_total');
    assert.match(text, /outcome="failed"} 1/);
    assert.match(text, /outcome="cancelled"} 1/);
    assert.ok(actions.observed >= 2, 'every event is shown to the actions (the sweeper)');
    await doctor.close();
  });

  it('waits on a slow pull and sends progress notes with what earlier pulls of the image tell', async () => {
    const big = 'cerit.io/jupyter/big-ml-notebook:2025.11';
    const { actions, doctor } = setup();
    // An earlier pod pulled the same image in 45 s.
    doctor.eventUpserted({
      ...ev(
        'other',
        'Pulled',
        `Successfully pulled image "${big}" in 45s (45s including waiting). Image size: 18253611008 bytes.`,
      ),
    });
    doctor.podUpserted(pod('c', big));
    doctor.eventUpserted(
      ev('c', 'Scheduled', 'Successfully assigned jhub/jupyter-c to node-1', 'Normal', Date.now() - 21_000),
    );
    doctor.eventUpserted(ev('c', 'Pulling', `Pulling image "${big}"`, 'Normal', Date.now() - 20_000));
    await settle(doctor);
    assert.equal(actions.stops.length, 0);
    assert.equal(actions.progress.length, 1);
    const note = actions.progress[0]!;
    assert.equal(note.annotation.category, 'image.pulling');
    assert.equal(note.annotation.action, 'wait');
    assert.equal(note.annotation.progress?.imageSize, 18253611008);
    const eta = note.annotation.progress?.etaSeconds;
    assert.ok(eta !== undefined && eta > 0 && eta <= 25, `eta ${eta}`);
    assert.match(note.sentence, /\(18 GB\)/);
    await doctor.close();
  });

  it('never stops a ready pod, and does nothing while it may not act', async () => {
    const ready = setup();
    ready.doctor.podUpserted(
      pod('d', missing, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }),
    );
    ready.doctor.eventUpserted(notFound('d'));
    await settle(ready.doctor);
    assert.equal(ready.actions.stops.length, 0);
    await ready.doctor.close();

    let may = false;
    const follower = setup({ canAct: () => may });
    follower.doctor.podUpserted(pod('e', missing));
    follower.doctor.eventUpserted(notFound('e'));
    await settle(follower.doctor);
    assert.equal(follower.actions.stops.length, 0);
    may = true;
    follower.doctor.evaluateAll();
    await settle(follower.doctor);
    assert.equal(follower.actions.stops.length, 1, 'acts once it may (became leader / synced)');
    await follower.doctor.close();
  });

  it('adds plugin advice; a failing plugin host never blocks the stop', async () => {
    const advising: PluginHost = {
      runOnDiagnosis: async () => ({
        advice: [
          {
            en: 'Ask for 4 CPUs.',
            cs: 'Požádejte o 4 CPU.',
            request: { cpu: 4, memory: 8, gpu: 'none', gpu_count: 0 },
          },
        ],
        notes: [{ en: 'Admins were told.', cs: 'Správci byli informováni.' }],
      }),
      runOnStop: async () => {},
      close: async () => {},
    };
    const a = setup({ plugins: advising });
    a.doctor.podUpserted(pod('f', missing));
    a.doctor.eventUpserted(notFound('f'));
    await settle(a.doctor);
    const advice = a.actions.stops[0]!.annotation.advice;
    assert.ok(advice.some((x) => x.request?.cpu === 4));
    assert.ok(advice.some((x) => x.en === 'Admins were told.'));
    await a.doctor.close();

    const broken: PluginHost = {
      runOnDiagnosis: async () => {
        throw new Error('plugin host bug');
      },
      runOnStop: async () => {
        throw new Error('plugin host bug');
      },
      close: async () => {},
    };
    const b = setup({ plugins: broken });
    b.doctor.podUpserted(pod('g', missing));
    b.doctor.eventUpserted(notFound('g'));
    await settle(b.doctor);
    assert.equal(b.actions.stops.length, 1);
    await b.doctor.close();
  });

  it('re-classifies scheduling with one capacity snapshot for a burst of pending pods', async () => {
    let calls = 0;
    const capacity = {
      snapshot: async () => {
        calls++;
        return {
          source: 'test',
          nodes: [
            {
              name: 'cpu-node-1',
              labels: {},
              taints: [],
              unschedulable: false,
              allocatable: { cpu: 64, memory: 256 * 2 ** 30 },
              free: { cpu: 60, memory: 200 * 2 ** 30 },
            },
          ],
        };
      },
    };
    const { actions, doctor } = setup({ capacity });
    for (const uid of ['s1', 's2']) {
      const p = pod(uid, 'quay.io/jupyter/minimal-notebook:2025-10-20');
      p.spec = { containers: [{ name: 'notebook', image: 'x', resources: { requests: { cpu: '1000' } } }] };
      doctor.podUpserted(p);
      doctor.eventUpserted(
        ev(
          uid,
          'FailedScheduling',
          '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
          'Warning',
        ),
      );
    }
    await settle(doctor);
    assert.equal(calls, 1, 'one snapshot for both');
    assert.deepEqual(
      actions.stops.map((x) => x.annotation.category),
      ['scheduling.unsatisfiable', 'scheduling.unsatisfiable'],
    );
    await doctor.close();
  });

  it('ignores pods that are not JupyterHub singleuser pods', async () => {
    const { actions, doctor } = setup();
    const p = pod('h', missing);
    delete p.metadata!.annotations!['hub.jupyter.org/username'];
    doctor.podUpserted(p);
    doctor.eventUpserted(notFound('h'));
    await settle(doctor);
    assert.equal(actions.stops.length, 0);
    assert.equal(doctor.tracker.list().length, 0);
    await doctor.close();
  });
});
