// The brief's hung sshfs attach (home praha5-elixir) on the real hub: spawn-doctor watches the
// VolumeAttachment (deploy/rbac's service account: volumeattachments and persistentvolumes
// get/list/watch), shows "attaching your home from storage server X" meanwhile, and stops the
// spawn once the attach is overdue (volumeAttachments.timeoutSeconds, default 20 s) instead of
// after the attach-detach controller's 2-minute timeout. A slow but healthy attach (the
// simulated external attacher of budejovice1 takes 10 s) is left alone. One hub for the file.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hub, ProgressEvent } from '../../support/hub.js';
import { assertStopped, diagnosisOf, spawnAndFollow, userName } from '../service/e2e.js';
import { firstAt, startCategoriesHub } from './support.js';

let hub: Hub;

before(async () => {
  hub = await startCategoriesHub('categories-attach-watch');
});

after(async () => {
  await hub?.stop();
});

const indexOf = (events: ProgressEvent[], reason: string) =>
  events.findIndex((e) => e.raw_event?.reason === reason);

describe('the attach watch on JupyterHub 6', { concurrency: true, timeout: 300_000 }, () => {
  it('a hung sshfs attach: the note, then the stop once the wait ran out, before the controller’s timeout', async () => {
    const s = await spawnAndFollow(hub, userName('hung'), { home: 'praha5-elixir' });
    const notes = diagnosisOf(s.events, 'SpawnProgress');
    const note = notes.find((n) => n.annotation.title.en === 'Attaching your home directory');
    assert.ok(note, `no attaching note; stream: ${s.events.map((e) => e.raw_event?.reason).join(', ')}`);
    assert.equal(
      note.raw.message,
      'Attaching your home from storage server storage-praha5-elixir.metacentrum.cz …',
    );
    assert.match(note.annotation.detail.cs, /z úložného serveru storage-praha5-elixir\.metacentrum\.cz/);
    assert.ok(
      indexOf(s.events, 'SpawnProgress') < indexOf(s.events, 'SpawnDiagnosis'),
      'the note came first',
    );

    const { record } = await assertStopped(hub, s, 'volume.sshfs_attach_failed', {
      text: ['praha5-elixir-data-sshfs'],
      params: (p) => {
        // decided on the VolumeAttachment, not on the controller's FailedAttachVolume
        assert.equal(p.reason, 'AttachTimeout', JSON.stringify(p));
        assert.equal(p.storageServer, 'storage-praha5-elixir.metacentrum.cz');
        assert.equal(p.csiDriver, 'csi-sshfs');
        assert.match(
          String(p.cause),
          /not attached within 20 s: the csi-sshfs external attacher has not taken it up/,
        );
      },
    });
    assert.equal(indexOf(s.events, 'FailedAttachVolume'), -1, 'the controller had not reported it yet');
    // Never before the configured time: counted from the pod's scheduling, which precedes the
    // VolumeAttachment.
    const scheduled = firstAt(s.events, 'Scheduled');
    const diagnosed = firstAt(s.events, 'SpawnDiagnosis');
    assert.ok(scheduled !== undefined && diagnosed !== undefined);
    assert.ok(diagnosed - scheduled >= 19_000, `diagnosed ${diagnosed - scheduled} ms after scheduling`);
    process.stdout.write(
      `# attach watch: ${record.uid} diagnosed ${((diagnosed - scheduled) / 1000).toFixed(1)} s after scheduling\n`,
    );
  });

  it('a slow (10 s) but healthy sshfs attach: the note, and the server starts', async () => {
    const user = userName('slow');
    const s = await spawnAndFollow(hub, user, { home: 'budejovice1' });
    assert.ok(s.ended, 'the progress stream ended by itself');
    assert.equal(s.diagnosis, undefined, `stopped: ${JSON.stringify(s.diagnosis?.annotation)}`);
    assert.ok(s.events.at(-1)?.ready, `not ready: ${JSON.stringify(s.events.at(-1))}`);
    const note = diagnosisOf(s.events, 'SpawnProgress').find(
      (n) => n.annotation.title.en === 'Attaching your home directory',
    );
    assert.ok(note, 'the attaching note was shown');
    assert.match(String(note.raw.message), /storage-budejovice1\.metacentrum\.cz/);
    // It really was slow: the controller's success came about 10 s after scheduling.
    const scheduled = firstAt(s.events, 'Scheduled');
    const attached = firstAt(s.events, 'SuccessfulAttachVolume');
    assert.ok(scheduled !== undefined && attached !== undefined, 'scheduled and attached events');
    assert.ok(attached - scheduled >= 9_000, `attached ${attached - scheduled} ms after scheduling`);
    const state = await hub.serverState(user, '');
    assert.ok(state?.ready, 'the server is running');
    const res = await fetch(`${hub.url}${state.url}api`, {
      headers: { Authorization: `token ${hub.token}` },
    });
    assert.equal(res.status, 200);
    await hub.stopServer(user, '');
  });
});
