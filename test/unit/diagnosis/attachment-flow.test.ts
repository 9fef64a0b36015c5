// The attach watch in the decision loop (real classifier, policy and Doctor; the attachments and
// the actions are recorded): a note while the home attaches, a stop as soon as the wait runs out
// with no event arriving, and no stop for an attach that finishes in time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { ActionsPort, StopInput, StopResult } from '../../../src/actions/types.js';
import { parseConfigText } from '../../../src/config/index.js';
import type { DiagnosisAnnotation } from '../../../src/diagnosis/annotation.js';
import type { AttachmentEvidence, PodLike } from '../../../src/diagnosis/types.js';
import type { SpawnRef } from '../../../src/plugins/types.js';
import { Metrics } from '../../../src/server/metrics.js';
import { Doctor } from '../../../src/service/doctor.js';

class RecordingActions implements ActionsPort {
  stops: Array<{ spawn: SpawnRef; annotation: DiagnosisAnnotation; sentence: string }> = [];
  progress: Array<{ spawn: SpawnRef; annotation: DiagnosisAnnotation; sentence: string }> = [];
  async announceProgress(spawn: SpawnRef, annotation: DiagnosisAnnotation, sentence: string) {
    this.progress.push({ spawn, annotation, sentence });
  }
  async stop(input: StopInput): Promise<StopResult> {
    if (input.announcement) {
      const { annotation, sentence } = await input.announcement();
      this.stops.push({ spawn: input.spawn, annotation, sentence });
    }
    return {
      outcome: 'cancelled',
      run: 'new',
      announcedAt: new Date(),
      endedAt: new Date(),
      eventsDeleted: 0,
      notes: [],
    };
  }
  observeEvent() {}
  observePod() {}
}

const config = parseConfigText('support: {contact: help@example.org}\n', {
  source: 't',
  baseDir: '/',
  env: {},
});

/** One sshfs home attachment whose state the test moves; times are real (the Doctor's timers are). */
class FakeAttachments {
  started = Date.now();
  attached = false;
  calls = 0;
  constructor(private readonly timeoutSeconds: number) {}
  forPod(_pod: PodLike, now: number): AttachmentEvidence[] {
    this.calls++;
    return [
      {
        name: 'csi-abc',
        pv: 'ns-praha5-elixir-data-sshfs',
        pvc: 'praha5-elixir-data-sshfs',
        driver: 'csi-sshfs',
        node: 'node-1',
        storageServer: 'storage-praha5-elixir.metacentrum.cz',
        attached: this.attached,
        acknowledged: false,
        waitedSeconds: (now - this.started) / 1000,
        timeoutSeconds: this.timeoutSeconds,
        observedAt: new Date(now).toISOString(),
      },
    ];
  }
}

function pod(uid: string): PodLike {
  return {
    metadata: {
      name: `jupyter-${uid}`,
      namespace: 'ns',
      uid,
      labels: { component: 'singleuser-server' },
      annotations: { 'hub.jupyter.org/username': uid, 'hub.jupyter.org/servername': '' },
      creationTimestamp: new Date(Date.now() - 1000).toISOString(),
    },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'notebook', image: 'quay.io/jupyter/minimal-notebook:2025-10-20' }],
      volumes: [{ name: 'home', persistentVolumeClaim: { claimName: 'praha5-elixir-data-sshfs' } }],
    },
    status: { phase: 'Pending' },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds (the Doctor works on timers of its own); fails after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function setup(timeoutSeconds: number) {
  const actions = new RecordingActions();
  const attachments = new FakeAttachments(timeoutSeconds);
  const doctor = new Doctor({
    config,
    actions,
    log: pino({ level: 'silent' }),
    metrics: new Metrics(),
    debounceMs: 0,
    attachments,
  });
  return { actions, attachments, doctor };
}

describe('the attach watch in the decision loop', () => {
  it('shows "attaching your home from storage server X" once, then stops when the wait runs out', async () => {
    const { actions, attachments, doctor } = setup(2);
    doctor.podUpserted(pod('a'));
    await until(() => actions.progress.length > 0, 1500, 'the attaching note');
    assert.equal(actions.stops.length, 0);
    const note = actions.progress[0]!;
    assert.equal(
      note.sentence,
      'Attaching your home from storage server storage-praha5-elixir.metacentrum.cz …',
    );
    assert.equal(note.annotation.category, 'normal');
    assert.equal(note.annotation.action, 'wait');
    assert.match(note.annotation.detail.cs, /z úložného serveru storage-praha5-elixir\.metacentrum\.cz/);
    doctor.attachmentsChanged(['ns/praha5-elixir-data-sshfs']); // an update that changes nothing
    // No event, no change: the Doctor's own recheck at the deadline decides.
    await until(() => actions.stops.length > 0, 10_000, 'the stop');
    await doctor.idle();
    assert.equal(actions.progress.length, 1, 'one note per attachment');
    assert.equal(actions.stops.length, 1);
    const stop = actions.stops[0]!;
    assert.equal(stop.annotation.category, 'volume.sshfs_attach_failed');
    assert.match(stop.annotation.detail.en, /ns-praha5-elixir-data-sshfs/);
    assert.ok(Date.now() - attachments.started >= 2000, 'not before the wait ran out');
    await doctor.close();
  });

  it('an attach that finishes within its time is never stopped', async () => {
    const { actions, attachments, doctor } = setup(2);
    doctor.podUpserted(pod('b'));
    await until(() => actions.progress.length > 0, 1500, 'the attaching note');
    attachments.attached = true;
    doctor.attachmentsChanged(['ns/praha5-elixir-data-sshfs']);
    // past the deadline: the recheck finds it attached
    await sleep(2500);
    await doctor.idle();
    assert.equal(actions.stops.length, 0);
    assert.equal(actions.progress.length, 1);
    await doctor.close();
  });

  it('claims of other pods do not wake this one', async () => {
    const { attachments, doctor } = setup(30);
    doctor.podUpserted(pod('c'));
    await sleep(100);
    await doctor.idle();
    const before = attachments.calls;
    doctor.attachmentsChanged(['other-ns/praha5-elixir-data-sshfs', 'ns/another-claim']);
    await sleep(100);
    await doctor.idle();
    assert.equal(attachments.calls, before);
    await doctor.close();
  });
});
