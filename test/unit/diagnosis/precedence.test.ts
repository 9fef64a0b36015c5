// Precedence when several pieces of evidence disagree (the rules are listed in src/diagnosis/classify.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify, type KubeEvent, type PodLike } from '../../../src/diagnosis/index.js';

let clock = Date.parse('2025-03-01T10:00:00Z');
function ev(
  type: string,
  reason: string,
  message: string,
  opts: { container?: string; at?: number; component?: string } = {},
): KubeEvent {
  clock += 1000;
  const t = new Date(opts.at ?? clock).toISOString();
  const e: KubeEvent = {
    metadata: { name: `e${clock}` },
    involvedObject: { kind: 'Pod', name: 'jupyter-alice', namespace: 'jhub' },
    type,
    reason,
    message,
    source: { component: opts.component ?? 'kubelet' },
    firstTimestamp: t,
    lastTimestamp: t,
  };
  if (opts.container)
    e.involvedObject = { ...e.involvedObject, fieldPath: `spec.containers{${opts.container}}` };
  return e;
}
const c = { container: 'notebook' };
const NOT_FOUND =
  'Failed to pull image "nb:404": failed to pull and unpack image "docker.io/library/nb:404": failed to resolve reference "docker.io/library/nb:404": docker.io/library/nb:404: not found';
const TIMEOUT =
  'Failed to pull image "nb:1": failed to pull and unpack image "docker.io/library/nb:1": failed to resolve reference "docker.io/library/nb:1": failed to do request: Head "https://registry-1.docker.io/v2/library/nb/manifests/1": dial tcp 1.2.3.4:443: i/o timeout';

function shuffled<T>(list: T[]): T[] {
  return [...list].reverse();
}

describe('precedence', () => {
  it('a later Pulled supersedes an earlier Pulling', () => {
    const events = [
      ev('Normal', 'Pulling', 'Pulling image "nb:1"', c),
      ev('Normal', 'Pulled', 'Successfully pulled image "nb:1" in 3m2s (3m2s including waiting)', c),
    ];
    assert.equal(classify({ events }).category, 'normal');
    assert.equal(
      classify({ events: shuffled(events) }).category,
      'normal',
      'timestamps, not input order, decide',
    );
  });

  it('a Pulling without a later Pulled is image.pulling', () => {
    const events = [
      ev('Normal', 'Scheduled', 'Successfully assigned jhub/jupyter-alice to node-a'),
      ev('Normal', 'Pulling', 'Pulling image "nb:1"', c),
    ];
    const d = classify({ events });
    assert.equal(d.category, 'image.pulling');
    assert.equal(d.action, 'wait');
    assert.equal(d.params.image, 'nb:1');
  });

  it('a failure after Pulling ends the pull', () => {
    const events = [
      ev('Normal', 'Pulling', 'Pulling image "nb:404"', c),
      ev('Warning', 'Failed', NOT_FOUND, c),
    ];
    assert.equal(classify({ events }).category, 'image.not_found');
  });

  it('a retry Pulling after a not-found failure does not hide the failure', () => {
    const events = [
      ev('Normal', 'Pulling', 'Pulling image "nb:404"', c),
      ev('Warning', 'Failed', NOT_FOUND, c),
      ev('Warning', 'Failed', 'Error: ErrImagePull', c),
      ev('Normal', 'Pulling', 'Pulling image "nb:404"', c),
    ];
    assert.equal(classify({ events }).category, 'image.not_found');
  });

  it('an ErrImagePull with a not-found cause beats a later bare BackOff', () => {
    const events = [
      ev('Warning', 'Failed', NOT_FOUND, c),
      ev('Warning', 'Failed', 'Error: ErrImagePull', c),
      ev('Normal', 'BackOff', 'Back-off pulling image "nb:404"', c),
      ev('Warning', 'Failed', 'Error: ImagePullBackOff', c),
    ];
    const d = classify({ events });
    assert.equal(d.category, 'image.not_found');
    assert.equal(d.params.image, 'nb:404');
    assert.equal(d.evidence[0]?.reason, 'Failed');
  });

  it('a bare BackOff alone is only a symptom: unknown.warning naming the image', () => {
    const d = classify({ events: [ev('Normal', 'BackOff', 'Back-off pulling image "nb:404"', c)] });
    assert.equal(d.category, 'unknown.warning');
    assert.equal(d.params.image, 'nb:404');
  });

  it('a transient registry error followed by a Pulled is fine', () => {
    const events = [
      ev('Warning', 'Failed', TIMEOUT, c),
      ev('Normal', 'Pulling', 'Pulling image "nb:1"', c),
      ev('Normal', 'Pulled', 'Successfully pulled image "nb:1" in 1s (1s including waiting)', c),
    ];
    assert.equal(classify({ events }).category, 'normal');
    assert.equal(classify({ events: events.slice(0, 2) }).category, 'image.registry_unreachable');
  });

  it("a Pulled of another container does not end this container's pull trouble", () => {
    const events = [
      ev('Warning', 'Failed', NOT_FOUND, c),
      ev('Normal', 'Pulled', 'Container image "busybox" already present on machine', { container: 'init' }),
    ];
    assert.equal(classify({ events }).category, 'image.not_found');
  });

  it('Scheduled clears an earlier FailedScheduling', () => {
    const events = [
      ev('Warning', 'FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu.', {
        component: 'default-scheduler',
      }),
      ev('Normal', 'Scheduled', 'Successfully assigned jhub/jupyter-alice to node-a', {
        component: 'default-scheduler',
      }),
      ev('Normal', 'Pulling', 'Pulling image "nb:1"', c),
    ];
    assert.equal(classify({ events }).category, 'image.pulling');
  });

  it('PodScheduled=True in the status clears FailedScheduling events', () => {
    const events = [ev('Warning', 'FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu.')];
    const pod: PodLike = { status: { conditions: [{ type: 'PodScheduled', status: 'True' }] } };
    assert.equal(classify({ events }).category, 'scheduling.insufficient_resources');
    assert.equal(classify({ events, pod }).category, 'normal');
  });

  it('the newest decisive event wins, whatever the input order', () => {
    const attach = ev(
      'Warning',
      'FailedAttachVolume',
      'Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) jupyter-bob',
    );
    const mount = ev(
      'Warning',
      'FailedMount',
      'MountVolume.SetUp failed for volume "cfg" : configmap "lab" not found',
    );
    assert.equal(classify({ events: [attach, mount] }).category, 'volume.mount_failed');
    assert.equal(classify({ events: [mount, attach] }).category, 'volume.mount_failed');
  });

  it('a kubelet timeout summary does not override the specific sshfs failure before it', () => {
    const sshfs = ev(
      'Warning',
      'FailedMount',
      `MountVolume.SetUp failed for volume "home" : mounting failed: exit status 1 cmd: 'sshfs bob@storage-x.example.org:/home/bob /mnt -o port=22' output: "read: Connection reset by peer\\n"`,
    );
    const summary = ev(
      'Warning',
      'FailedMount',
      'Unable to attach or mount volumes: unmounted volumes=[home], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition',
    );
    const d = classify({ events: [sshfs, summary] });
    assert.equal(d.category, 'volume.sshfs_mount_failed');
    assert.equal(d.params.storageServer, 'storage-x.example.org');
  });

  it('a cache-sync timeout is weaker than a specific failure before it', () => {
    const attach = ev(
      'Warning',
      'FailedAttachVolume',
      'Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) jupyter-bob',
    );
    const sync = ev(
      'Warning',
      'FailedMount',
      'MountVolume.SetUp failed for volume "cfg" : failed to sync configmap cache: timed out waiting for the condition',
    );
    assert.equal(classify({ events: [attach, sync] }).category, 'volume.attach_failed');
    assert.equal(classify({ events: [sync] }).category, 'volume.mount_failed');
  });

  it('OOMKilled beats CrashLoopBackOff', () => {
    const pod: PodLike = {
      status: {
        containerStatuses: [
          {
            name: 'notebook',
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: 'back-off 20s restarting failed container=notebook pod=x',
              },
            },
            lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
          },
        ],
      },
    };
    const d = classify({
      events: [ev('Warning', 'BackOff', 'Back-off restarting failed container notebook in pod x', c)],
      pod,
    });
    assert.equal(d.category, 'runtime.oom_killed');
    assert.equal(d.params.exitCode, 137);
  });

  it('a Ready pod is normal whatever happened before', () => {
    const pod: PodLike = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    assert.equal(classify({ events: [ev('Warning', 'Failed', NOT_FOUND, c)], pod }).category, 'normal');
  });

  it("spawn-doctor's own events are not evidence", () => {
    const own = ev('Warning', 'SpawnDiagnosis', 'The image "nb:404" does not exist.', {
      component: 'spawn-doctor',
    });
    const byReporter = { ...ev('Warning', 'Whatever', 'x'), reportingComponent: 'spawn-doctor' };
    assert.equal(classify({ events: [own, byReporter] }).category, 'normal');
    assert.equal(
      classify({ events: [ev('Normal', 'Pulling', 'Pulling image "a"', c), own] }).category,
      'image.pulling',
    );
  });

  it('an unknown Warning while the pod is being deleted is teardown noise', () => {
    const events = [ev('Warning', 'FailedKillPodSandbox', 'error killing pod: failed to destroy network')];
    assert.equal(classify({ events }).category, 'unknown.warning');
    assert.equal(
      classify({ events, pod: { metadata: { deletionTimestamp: '2025-03-01T10:10:00Z' } } }).category,
      'normal',
    );
  });

  it('a recognised failure beats an unrecognised Warning, even an older one', () => {
    const events = [ev('Warning', 'Failed', NOT_FOUND, c), ev('Warning', 'Strange', 'something odd')];
    assert.equal(classify({ events }).category, 'image.not_found');
  });

  it('an unrecognised Warning outranks a pull in progress (policy applies its grace period)', () => {
    const events = [
      ev('Normal', 'Pulling', 'Pulling image "nb:1"', c),
      ev('Warning', 'Strange', 'something odd'),
    ];
    assert.equal(classify({ events }).category, 'unknown.warning');
  });

  it('a started container clears its earlier CreateContainerConfigError', () => {
    const events = [
      ev('Warning', 'Failed', 'Error: secret "tok" not found', c),
      ev('Normal', 'Created', 'Created container notebook', c),
      ev('Normal', 'Started', 'Started container notebook', c),
    ];
    assert.equal(classify({ events: events.slice(0, 1) }).category, 'config.missing_reference');
    assert.equal(classify({ events }).category, 'normal');
  });

  it('pod status alone is enough when the events were lost', () => {
    const pod: PodLike = {
      spec: { containers: [{ name: 'notebook', image: 'nb:404' }] },
      status: {
        containerStatuses: [
          {
            name: 'notebook',
            state: {
              waiting: {
                reason: 'ErrImagePull',
                message:
                  'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nb:404": not found',
              },
            },
          },
        ],
      },
    };
    const d = classify({ events: [], pod });
    assert.equal(d.category, 'image.not_found');
    assert.equal(d.params.image, 'nb:404');
    assert.equal(d.evidence[0]?.kind, 'pod-status');
  });

  it('events without timestamps fall back to input order', () => {
    const strip = (e: KubeEvent): KubeEvent => ({ ...e, firstTimestamp: null, lastTimestamp: null });
    const events = [
      strip(ev('Normal', 'Pulling', 'Pulling image "nb:1"', c)),
      strip(ev('Normal', 'Pulled', 'Successfully pulled image "nb:1"', c)),
    ];
    assert.equal(classify({ events }).category, 'normal');
    assert.equal(classify({ events: shuffled(events) }).category, 'image.pulling');
  });
});
