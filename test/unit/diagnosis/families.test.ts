// The wording families the rules must cover, each proven on what people really pasted (entries of
// the captured corpus's tune split, by id) with the parameters a user-facing text needs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify, type DiagnosisParams } from '../../../src/diagnosis/index.js';
import { loadCaptured } from '../../fixtures/captured/corpus.js';
import { eventOf } from '../../fixtures/captured/score.js';

const byId = new Map(loadCaptured().map((e) => [e.id, e]));

type Case = [id: string, category: string, params?: Partial<Record<keyof DiagnosisParams, unknown>>];

const FAMILIES: Record<string, Case[]> = {
  'Docker (dockershim): Error response from daemon: …': [
    ['c0031', 'image.not_found', { image: 'jupyter/repo2docker:e3d82f8', registry: 'docker.io' }],
    ['c0068', 'image.not_found', { image: 'suedostcargo-web' }],
    ['c0106', 'image.access_denied', { image: 'octarinesec/guardrails-enforcer:20.7' }],
    ['c0080', 'image.registry_unreachable', { registry: 'docker.io' }],
    ['c0293', 'image.registry_unreachable', { registry: '10.78.0.228:5000' }],
    ['c0244', 'image.registry_unreachable'],
  ],
  'containerd 1.x and 2.x': [
    ['c0094', 'image.registry_unreachable', { image: 'centos' }],
    ['c0102', 'image.access_denied', { registry: 'registry.example.com' }],
    ['c0104', 'image.access_denied'],
    ['c0077', 'image.registry_unreachable', { image: 'busybox' }],
    ['c0157', 'image.registry_unreachable', { registry: 'ghcr.io' }],
  ],
  'CRI-O (reading manifest, pinging container registry, initializing source)': [
    ['c0090', 'image.registry_unreachable', { image: 'democraticcsi/democratic-csi:latest' }],
    ['c0306', 'image.not_found', { registry: 'quay.io' }],
    ['c0308', 'image.not_found'],
    ['c0309', 'image.access_denied'],
  ],
  "registries' own texts: missing tags, unreachable endpoints, rate limits": [
    ['c0033', 'image.not_found'],
    ['c0107', 'image.not_found'],
    ['c0307', 'image.not_found', { registry: 'quay.io' }],
    ['c0097', 'image.registry_unreachable'],
    ['c0076', 'image.registry_unreachable'],
    ['c0110', 'image.access_denied'],
    ['c0109', 'image.access_denied', { image: 'xxxxxx/app/ctcrawler:latest' }],
  ],
  'invalid image references': [
    ['c0224', 'image.invalid_name', { image: 'None:None' }],
    ['c0229', 'image.invalid_name'],
    ['c0230', 'image.invalid_name'],
    ['c0231', 'image.invalid_name'],
  ],
  'schedulers from 1.0 predicate names to 1.3x, with preemption suffixes': [
    ['c0337', 'scheduling.insufficient_resources'],
    ['c0126', 'scheduling.insufficient_resources', { short: ['pods'] }],
    ['c0381', 'scheduling.no_matching_node'],
    ['c0125', 'scheduling.no_matching_node', { taints: ['untolerated taint'] }],
    ['c0127', 'scheduling.insufficient_resources', { short: ['cpu', 'memory'] }],
    ['c0010', 'scheduling.insufficient_resources', { short: ['memory'] }],
    ['c0002', 'scheduling.insufficient_resources', { short: ['memory'] }],
    ['c0133', 'scheduling.insufficient_resources', { short: ['nvidia.com/gpu'] }],
    ['c0250', 'scheduling.insufficient_resources', { short: ['cpu'] }],
    ['c0128', 'scheduling.no_matching_node', { taints: ['node.kubernetes.io/unreachable'] }],
    ['c0132', 'scheduling.no_matching_node'],
    ['c0362', 'scheduling.no_matching_node'],
  ],
  "scheduler extenders' and wrappers' own reasons": [
    ['c0138', 'scheduling.no_matching_node'],
    ['c0395', 'scheduling.insufficient_resources', { short: ['cpu'] }],
    ['c0398', 'scheduling.no_matching_node', { taints: ['untolerated taint'] }],
    ['c0139', 'scheduling.insufficient_resources', { short: ['memory'] }],
    ['c0327', 'quota.exceeded'],
    ['c0135', 'scheduling.insufficient_resources', { short: ['nvidia'] }],
    ['c0137', 'scheduling.insufficient_resources', { short: ['nvidia.com/gpu.memory'] }],
    ['c0270', 'volume.pvc_pending'],
    ['c0141', 'volume.pvc_pending', { pvc: 'che-data-volume' }],
  ],
  "the kubelet's admission (OutOfcpu, device plugins)": [
    ['c0334', 'scheduling.insufficient_resources', { short: ['cpu'] }],
    ['c0325', 'scheduling.insufficient_resources', { short: ['nvidia.com/gpu'] }],
    ['c0324', 'unknown.warning'],
  ],
  'kubelet FailedSync / Error syncing pod wrappers around the real cause': [
    ['c0116', 'runtime.crash_loop', { container: 'c-taf-com-tlinux' }],
    ['c0117', 'runtime.crash_loop', { container: 'postgresql' }],
    ['c0166', 'volume.mount_failed'],
    ['c0216', 'config.missing_reference', { configMap: 'nginx-template' }],
    ['c0026', 'unknown.warning'],
    ['c0210', 'unknown.warning'],
  ],
  'volumes: block-device mapping': [
    ['c0277', 'volume.mount_failed', { volume: 'pvc-82051086-eb98-4dd0-941a-1512bc438278' }],
    ['c0279', 'volume.mount_failed', { volume: 'pvc-7c409445-aea7-4bc0-b0e5-de7f9e1e0a58' }],
  ],
  'volumes: the older "unable to mount volumes for pod" forms': [
    ['c0018', 'volume.mount_failed', { volume: 'volume-USER' }],
    ['c0144', 'volume.mount_failed', { volume: 'volume-ernie' }],
    ['c0215', 'volume.mount_failed', { configMap: 'nginx-template' }],
    ['c0164', 'volume.mount_failed', { volume: 'nfs', storageServer: undefined }],
    ['c0205', 'volume.mount_failed', { volume: 'config' }],
    ['c0404', 'volume.mount_failed', { volume: 'bigquery' }],
    ['c0405', 'volume.mount_failed', { volume: 'nfs-pv16' }],
  ],
  'volumes: Multi-Attach in all its forms': [
    ['c0021', 'volume.attach_failed', { volume: 'pvc-82789299-5eb4-446d-9d7c-65b18454ca41' }],
    ['c0022', 'volume.attach_failed', { volume: 'pvc-27f9f2c0-f18d-449f-a9c3-b0d909bd0ea0' }],
    ['c0024', 'volume.attach_failed', { volume: 'pvc-d97313ee-93e1-11e7-ae85-02f1ec9e7a70' }],
  ],
  'volumes: attach failures, a claim whose volume is gone or is still attaching': [
    ['c0047', 'volume.attach_failed', { csiDriver: 'ch.ctrox.csi.s3-driver' }],
    ['c0342', 'volume.attach_failed'],
    ['c0364', 'volume.attach_failed', { volume: 'pvc-4222d3d2-b6f1-4961-a874-a33510888be3' }],
    ['c0345', 'startup.benign_warning'],
  ],
  'volumes: names in typographic quotes, caches not yet filled, CSI drivers not registered': [
    ['c0053', 'volume.attach_failed', { volume: 'efs-pv' }],
    ['c0025', 'volume.mount_failed', { volume: 'storage' }],
    ['c0266', 'startup.benign_warning'],
    ['c0284', 'volume.mount_failed', { csiDriver: 'rook-ceph.rbd.csi.ceph.com' }],
    ['c0056', 'volume.sshfs_mount_failed', { storageServer: '172.16.11.26', storageUser: 'ubuntu' }],
  ],
  'claims: unbound, provisioning, missing': [
    ['c0253', 'volume.pvc_pending'],
    ['c0142', 'volume.pvc_pending'],
    ['c0268', 'volume.pvc_not_found', { pvc: 'dbdata' }],
  ],
  'controller events reporting a pod creation refused by a ResourceQuota': [
    ['c0040', 'quota.exceeded', { quota: 'namespace-quota' }],
    ['c0041', 'quota.exceeded'],
    ['c0042', 'quota.exceeded'],
    ['c0370', 'quota.exceeded', { quota: 'kf-resource-quota' }],
    ['c0063', 'config.missing_reference', { serviceAccount: 'default-editor' }],
  ],
  'what people paste: [Warning] lines, timestamps, describe columns, (repeated N times), bold': [
    ['c0001', 'scheduling.insufficient_resources', { short: ['memory'] }],
    ['c0015', 'volume.mount_failed', { volume: 'etc-gitconfig' }],
    ['c0016', 'volume.mount_failed', { secret: 'user-etc-gitconfig' }],
    ['c0143', 'volume.pvc_pending'],
    ['c0187', 'sandbox.failed'],
    ['c0194', 'config.missing_reference', { secret: 'secretpostgresql' }],
    ['c0195', 'config.missing_reference'],
    ['c0297', 'image.registry_unreachable', { image: 'selenium/hub' }],
    ['c0300', 'image.registry_unreachable'],
    ['c0065', 'image.pulling', { image: 'busybox' }],
  ],
  'benign start-up warnings': [
    ['c0058', 'startup.benign_warning', { reason: 'Unhealthy' }],
    ['c0351', 'startup.benign_warning'],
    ['c0357', 'startup.benign_warning'],
    ['c0358', 'startup.benign_warning', { reason: 'DNSConfigForming' }],
  ],
  'runtime: crash loops, start failures, OOM on the node': [
    ['c0057', 'runtime.crash_loop'],
    ['c0378', 'runtime.crash_loop', { container: 'manager' }],
    ['c0221', 'runtime.start_failed'],
    ['c0318', 'runtime.start_failed'],
    ['c0322', 'runtime.start_failed'],
    ['c0150', 'runtime.oom_killed'],
  ],
};

for (const [family, cases] of Object.entries(FAMILIES)) {
  describe(`wording family: ${family}`, () => {
    for (const [id, category, params] of cases) {
      it(`${id} → ${category}`, () => {
        const e = byId.get(id);
        assert.ok(e, `${id} is not in the corpus`);
        assert.equal(e.split, 'tune', `${id}: family tests use the tune split only`);
        const d = classify({ events: [eventOf(e)] });
        assert.equal(d.category, category, `${e.source}: ${e.message.slice(0, 200)}`);
        for (const [key, value] of Object.entries(params ?? {}))
          assert.deepEqual(d.params[key as keyof DiagnosisParams], value, `${id} ${key}`);
      });
    }
  });
}

describe('wording family: node-level OOM naming the pod’s process', () => {
  it('names the killed processes from the kernel report and the kubelet’s SystemOOM', () => {
    const npd = classify({
      events: [
        {
          type: 'Warning',
          reason: 'OOMKilling',
          message:
            'Memory cgroup out of memory: Kill process 4121 (python) score 1024 or sacrifice child\nKilled process 4121 (python) total-vm:2453212kB, anon-rss:1043352kB, file-rss:0kB',
        },
      ],
    });
    assert.equal(npd.category, 'runtime.oom_killed');
    assert.equal(npd.params.cause, 'python (pid 4121)');
    const kubelet = classify({
      events: [
        {
          type: 'Warning',
          reason: 'SystemOOM',
          message: 'System OOM encountered, victim process: jupyter-lab, pid: 77',
        },
      ],
    });
    assert.equal(kubelet.category, 'runtime.oom_killed');
    assert.equal(kubelet.params.cause, 'jupyter-lab (pid 77)');
  });
});
