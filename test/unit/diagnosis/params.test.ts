// Parameter extraction, one representative per category (the corpus checks subsets for all lines).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Category,
  classify,
  type DiagnosisParams,
  type Evidence,
  type KubeEvent,
} from '../../../src/diagnosis/index.js';

const GiB = 2 ** 30;
const w = (reason: string, message: string, container?: string): KubeEvent => ({
  type: 'Warning',
  reason,
  message,
  ...(container ? { involvedObject: { kind: 'Pod', fieldPath: `spec.containers{${container}}` } } : {}),
});

const cases: Array<[Category, Evidence, DiagnosisParams]> = [
  [
    'image.pulling',
    {
      events: [
        {
          type: 'Normal',
          reason: 'Pulling',
          message: 'Pulling image "cerit.io/hub/nb:2025"',
          involvedObject: { fieldPath: 'spec.containers{notebook}' },
        },
      ],
    },
    { image: 'cerit.io/hub/nb:2025', registry: 'cerit.io', container: 'notebook' },
  ],
  [
    'image.not_found',
    {
      events: [
        w(
          'Failed',
          'Failed to pull image "localhost:5000/nb:x": failed to resolve reference "localhost:5000/nb:x": localhost:5000/nb:x: not found',
          'nb',
        ),
      ],
    },
    { image: 'localhost:5000/nb:x', registry: 'localhost:5000', container: 'nb' },
  ],
  [
    'image.access_denied',
    {
      events: [
        w(
          'Failed',
          'Failed to pull image "ghcr.io/o/p:1": failed to authorize: failed to fetch anonymous token: unexpected status: 403 Forbidden',
        ),
      ],
    },
    { image: 'ghcr.io/o/p:1', registry: 'ghcr.io' },
  ],
  [
    'image.invalid_name',
    {
      events: [
        w(
          'InspectFailed',
          'Failed to apply default image tag "UPPER/case": couldn\'t parse image reference "UPPER/case": invalid reference format: repository name must be lowercase',
        ),
      ],
    },
    { image: 'UPPER/case', registry: 'docker.io' },
  ],
  [
    'image.registry_unreachable',
    {
      events: [
        w(
          'Failed',
          'Failed to pull image "reg.example.org/a:1": failed to do request: Head "https://reg.example.org/v2/a/manifests/1": dial tcp: lookup reg.example.org: no such host',
        ),
      ],
    },
    { image: 'reg.example.org/a:1', registry: 'reg.example.org' },
  ],
  [
    'volume.pvc_not_found',
    { events: [w('FailedScheduling', '0/1 nodes are available: persistentvolumeclaim "home-x" not found.')] },
    { pvc: 'home-x' },
  ],
  [
    'volume.pvc_pending',
    {
      events: [
        w('FailedScheduling', '0/1 nodes are available: 1 pod has unbound immediate PersistentVolumeClaims.'),
      ],
      pod: { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'claim-x' } }] } },
    },
    { pvc: 'claim-x' },
  ],
  [
    'volume.sshfs_attach_failed',
    {
      events: [
        w(
          'FailedAttachVolume',
          'AttachVolume.Attach failed for volume "u-sshfs" : timed out waiting for external-attacher of csi-sshfs CSI driver to attach volume u-sshfs',
        ),
      ],
    },
    {
      volume: 'u-sshfs',
      csiDriver: 'csi-sshfs',
      cause: 'timed out waiting for external-attacher of csi-sshfs CSI driver to attach volume u-sshfs',
    },
  ],
  [
    'volume.sshfs_mount_failed',
    {
      events: [
        w(
          'FailedMount',
          `MountVolume.SetUp failed for volume "h" : mounting failed: exit status 1 cmd: 'sshfs -o ro ondryx@storage-brno12-cerit.metacentrum.cz:/nfs4/home/ondryx /mnt' output: "ondryx@storage-brno12-cerit.metacentrum.cz: Permission denied (publickey).\\r\\n"`,
        ),
      ],
      pod: { spec: { volumes: [{ name: 'h', persistentVolumeClaim: { claimName: 'home-pvc' } }] } },
    },
    {
      volume: 'h',
      pvc: 'home-pvc',
      storageServer: 'storage-brno12-cerit.metacentrum.cz',
      storageUser: 'ondryx',
      storagePath: '/nfs4/home/ondryx',
      csiDriver: 'csi-sshfs',
    },
  ],
  [
    'volume.mount_failed',
    {
      events: [w('FailedMount', 'MountVolume.SetUp failed for volume "cfg" : configmap "lab-cfg" not found')],
    },
    { volume: 'cfg', configMap: 'lab-cfg' },
  ],
  [
    'volume.attach_failed',
    {
      events: [
        w(
          'FailedAttachVolume',
          'Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one node and can\'t be attached to another',
        ),
      ],
    },
    { volume: 'pvc-1' },
  ],
  [
    'config.missing_reference',
    { events: [w('Failed', "Error: couldn't find key TOKEN in Secret jhub/hub-secret", 'notebook')] },
    { key: 'TOKEN', secret: 'hub-secret', container: 'notebook' },
  ],
  [
    'scheduling.insufficient_resources',
    {
      events: [
        w(
          'FailedScheduling',
          '0/2 nodes are available: 2 Insufficient memory, 1 Insufficient nvidia.com/gpu.',
        ),
      ],
      pod: { spec: { containers: [{ resources: { requests: { memory: '300Gi', 'nvidia.com/gpu': 1 } } }] } },
    },
    { short: ['memory', 'nvidia.com/gpu'], requested: { memory: 300 * GiB, 'nvidia.com/gpu': 1 } },
  ],
  [
    'scheduling.unsatisfiable',
    {
      events: [w('FailedScheduling', '0/1 nodes are available: 1 Insufficient memory.')],
      pod: { spec: { containers: [{ resources: { requests: { memory: '300Gi' } } }] } },
      capacity: {
        nodes: [
          {
            name: 'n',
            labels: {},
            taints: [],
            unschedulable: false,
            allocatable: { cpu: 64, memory: 256 * GiB },
            free: { cpu: 1, memory: GiB },
          },
        ],
      },
    },
    {
      short: ['memory'],
      requested: { memory: 300 * GiB },
      largestAllocatable: { memory: 256 * GiB },
      largestFree: { memory: GiB },
    },
  ],
  [
    'scheduling.no_matching_node',
    {
      events: [
        w(
          'FailedScheduling',
          "0/3 nodes are available: 2 node(s) had untolerated taint {dedicated: ai-team}, 1 node(s) didn't match Pod's node affinity/selector.",
        ),
      ],
      pod: { spec: { nodeSelector: { 'cerit.io/gpu': 'h100' } } },
    },
    { taints: ['dedicated=ai-team'], selector: ['cerit.io/gpu=h100'] },
  ],
  [
    'runtime.crash_loop',
    { events: [w('BackOff', 'Back-off restarting failed container lab in pod jupyter-x_jhub(1)')] },
    { container: 'lab' },
  ],
  [
    'runtime.oom_killed',
    {
      events: [],
      pod: {
        spec: { containers: [{ name: 'nb', resources: { limits: { memory: '2Gi' } } }] },
        status: {
          containerStatuses: [
            {
              name: 'nb',
              lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
              state: { waiting: { reason: 'CrashLoopBackOff' } },
            },
          ],
        },
      },
    },
    { container: 'nb', exitCode: 137, requested: { memory: 2 * GiB } },
  ],
  [
    'runtime.start_failed',
    {
      events: [
        w(
          'Failed',
          'Error: failed to create containerd task: exec: "start.sh": executable file not found in $PATH: unknown',
          'nb',
        ),
      ],
    },
    {
      container: 'nb',
      cause:
        'failed to create containerd task: exec: "start.sh": executable file not found in $PATH: unknown',
    },
  ],
  [
    'quota.exceeded',
    {
      events: [
        w(
          'FailedCreate',
          'Error creating: pods "p" is forbidden: exceeded quota: team-quota, requested: requests.cpu=8, used: requests.cpu=60, limited: requests.cpu=64',
        ),
      ],
    },
    { quota: 'team-quota' },
  ],
  [
    'pod.evicted',
    { events: [{ type: 'Normal', reason: 'Preempted', message: 'Preempted by pod 1234 on node gpu-7' }] },
    { node: 'gpu-7' },
  ],
  [
    'sandbox.failed',
    {
      events: [
        w(
          'FailedCreatePodSandBox',
          'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "ab": plugin type="calico" failed (add): connection refused',
        ),
      ],
    },
    {
      cause:
        'failed to setup network for sandbox "ab": plugin type="calico" failed (add): connection refused',
    },
  ],
  [
    'startup.benign_warning',
    {
      events: [
        w(
          'Unhealthy',
          'Readiness probe failed: Get "http://10.1.2.3:8888/api": dial tcp 10.1.2.3:8888: connect: connection refused',
        ),
      ],
    },
    { reason: 'Unhealthy' },
  ],
  [
    'unknown.warning',
    { events: [w('Strange', 'something odd happened')] },
    { reason: 'Strange', message: 'something odd happened' },
  ],
  ['normal', { events: [{ type: 'Normal', reason: 'Started', message: 'Started container notebook' }] }, {}],
];

describe('extracted parameters', () => {
  for (const [category, evidence, params] of cases) {
    it(category, () => {
      const d = classify(evidence);
      assert.equal(d.category, category, JSON.stringify(d.params));
      for (const [key, value] of Object.entries(params))
        assert.deepEqual(d.params[key as keyof DiagnosisParams], value, key);
    });
  }

  it('covers every category', async () => {
    const { CATEGORIES } = await import('../../../src/diagnosis/index.js');
    assert.deepEqual(new Set(cases.map((c) => c[0])), new Set(CATEGORIES));
  });
});
