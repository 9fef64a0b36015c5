// Pure parts of the simulated kubelet's newer faults: what a process execs and whether the image
// has it, kubelet sysctl admission, Multus networks, the eviction message, NFS mounts, the
// external attacher's plan per volume, and Go's BinarySI quantities. The wording is checked
// against the components' own format strings (cited in testbed/sim/fault-wording.ts).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { admit } from '../../../testbed/sim/admission.js';
import { attachPlan } from '../../../testbed/sim/attacher.js';
import { loadCatalog } from '../../../testbed/sim/catalog.js';
import { memoryEviction } from '../../../testbed/sim/eviction.js';
import { execError, processArgv } from '../../../testbed/sim/exec.js';
import { binaryQuantity, faults } from '../../../testbed/sim/fault-wording.js';
import { nfsMountError } from '../../../testbed/sim/nfs.js';
import { requestedNetworks, setUpNetwork } from '../../../testbed/sim/sandbox.js';

const root = join(import.meta.dirname, '../../..');
const catalog = loadCatalog(join(root, 'testbed/catalog.yaml'));
const image = (name: string) => {
  const img = catalog.images.find((i) => i.image === name);
  assert.ok(img, name);
  return img;
};

function pod(over: { annotations?: Record<string, string>; sysctls?: string[] } = {}): V1Pod {
  return {
    metadata: { name: 'jupyter-a', namespace: 'ns', uid: 'u-1', annotations: over.annotations ?? {} },
    spec: {
      containers: [{ name: 'notebook', resources: { requests: { memory: '1Gi' } } }],
      ...(over.sysctls
        ? { securityContext: { sysctls: over.sysctls.map((name) => ({ name, value: '1' })) } }
        : {}),
    },
  };
}

describe('the simulated kubelet’s faults', () => {
  it('execs command/entrypoint + args/cmd as Docker does; a program the image lacks fails in runc', () => {
    const python = image('docker.io/library/python:3.12-slim');
    assert.deepEqual(processArgv(python, { name: 'n' }), ['python3']);
    assert.deepEqual(processArgv(python, { name: 'n', args: ['jupyterhub-singleuser'] }), [
      'jupyterhub-singleuser',
    ]);
    assert.equal(execError(python, { name: 'n' }), undefined, 'without a hub cmd its CMD runs');
    assert.equal(
      execError(python, { name: 'n', args: ['jupyterhub-singleuser'] }),
      'exec: "jupyterhub-singleuser": executable file not found in $PATH',
    );
    assert.equal(execError(python, { name: 'n', command: ['/usr/bin/python3'] }), undefined);
    const broken = image('cerit.io/jupyter/broken-build-notebook:1');
    assert.deepEqual(processArgv(broken, { name: 'n', args: ['jupyterhub-singleuser'] }), [
      '/usr/local/bin/start-notebook.sh',
      'jupyterhub-singleuser',
    ]);
    assert.equal(
      execError(broken, { name: 'n' }),
      'exec: "/usr/local/bin/start-notebook.sh": stat /usr/local/bin/start-notebook.sh: no such file or directory',
    );
    assert.equal(
      execError(image('quay.io/jupyter/minimal-notebook:2025-10-20'), { name: 'n', args: ['x'] }),
      undefined,
    );
    assert.equal(
      faults.startFailed('exec: "x": executable file not found in $PATH'),
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "x": executable file not found in $PATH: unknown',
    );
  });

  it('admits safe sysctls and refuses the others with the kubelet’s words', () => {
    assert.equal(admit(catalog, pod()), undefined);
    assert.equal(
      admit(catalog, pod({ sysctls: ['net.ipv4.ip_local_port_range', 'net/ipv4/tcp_syncookies'] })),
      undefined,
    );
    assert.deepEqual(admit(catalog, pod({ sysctls: ['kernel.shm_rmid_forced', 'kernel.msgmax'] })), {
      reason: 'SysctlForbidden',
      message: 'forbidden sysctl: "kernel.msgmax" not allowlisted',
    });
    assert.equal(faults.rejected('x'), 'Pod was rejected: x');
  });

  it('Multus: a missing NetworkAttachmentDefinition fails every time; an exhausted pool clears', () => {
    assert.deepEqual(
      requestedNetworks(pod({ annotations: { 'k8s.v1.cni.cncf.io/networks': 'a, other/b@eth2' } })),
      [
        { namespace: 'ns', name: 'a' },
        { namespace: 'other', name: 'b' },
      ],
    );
    assert.deepEqual(
      requestedNetworks(
        pod({ annotations: { 'k8s.v1.cni.cncf.io/networks': '[{"name": "c", "namespace": "x"}]' } }),
      ),
      [{ namespace: 'x', name: 'c' }],
    );
    assert.deepEqual(setUpNetwork(catalog, pod(), 0), { ok: true });
    const missing = setUpNetwork(
      catalog,
      pod({ annotations: { 'k8s.v1.cni.cncf.io/networks': 'none-such' } }),
      600_000,
    );
    assert.ok(!missing.ok);
    assert.match(
      missing.message,
      /^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "[0-9a-f]{64}": plugin type="multus" name="multus-cni-network" failed \(add\): Multus: \[ns\/jupyter-a\/u-1\]: error loading k8s delegates k8s args: TryLoadPodDelegates: error in getting k8s network for pod: GetNetworkDelegates: failed getting the delegate: getKubernetesDelegate: cannot find a network-attachment-definition \(none-such\) in namespace \(ns\): network-attachment-definitions\.k8s\.cni\.cncf\.io "none-such" not found$/,
    );
    assert.equal(
      missing.noNetworkFound,
      'cannot find a network-attachment-definition (none-such) in namespace (ns): network-attachment-definitions.k8s.cni.cncf.io "none-such" not found',
    );
    const net = pod({ annotations: { 'k8s.v1.cni.cncf.io/networks': 'storage-net' } });
    const early = setUpNetwork(catalog, net, 5_000);
    assert.ok(!early.ok);
    assert.match(
      early.message,
      /failed \(add\): \[ns\/jupyter-a\/u-1:storage-net\]: error adding container to network "storage-net": plugin type="macvlan" failed \(add\): error at storage engine: Could not allocate IP in range: ip: 10\.56\.217\.1 \/ - 10\.56\.217\.14 \/ range: 10\.56\.217\.0\/28 \/ excludeRanges: \[\]$/,
    );
    assert.deepEqual(setUpNetwork(catalog, net, 15_000), { ok: true });
  });

  it('the eviction message: node, threshold, and each container over its request', () => {
    const quiet = memoryEviction(pod(), { notebook: 400 * 2 ** 20 });
    assert.match(
      quiet.message,
      /^The node was low on resource: memory\. Threshold quantity: 100Mi, available: \d+Ki\. $/,
    );
    assert.deepEqual(quiet.annotations, {
      offending_containers: '',
      offending_containers_usage: '',
      starved_resource: 'memory',
    });
    const loud = memoryEviction(pod(), { notebook: 3 * 2 ** 30 });
    assert.match(
      loud.message,
      /available: \d+Ki\. Container notebook was using 3Gi, request is 1Gi, has larger consumption of memory\. $/,
    );
    assert.equal(loud.annotations.offending_containers, 'notebook');
    assert.equal(loud.annotations.offending_containers_usage, '3Gi');
  });

  it('NFS: an unknown server does not resolve, a path outside the exports is refused', () => {
    assert.equal(
      nfsMountError(catalog, 'u', 'p', { server: 'nfs.cerit-sc.cz', path: '/projects/x' }),
      undefined,
    );
    assert.equal(
      nfsMountError(catalog, 'u', 'p', { server: 'nfs.cerit-sc.cz', path: '/scratch', readOnly: true }),
      'mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs -o ro nfs.cerit-sc.cz:/scratch /var/lib/kubelet/pods/u/volumes/kubernetes.io~nfs/p\nOutput: mount.nfs: access denied by server while mounting nfs.cerit-sc.cz:/scratch\n',
    );
    assert.match(
      nfsMountError(catalog, 'u', 'p', { server: 'nfs.nowhere.example', path: '/x' }) ?? '',
      /Output: mount\.nfs: Failed to resolve server nfs\.nowhere\.example: Name or service not known\n$/,
    );
  });

  it('the external attacher: stuck, slow, attached, or the driver’s error', () => {
    const sshfs = (server: string) => ({
      spec: { csi: { driver: 'csi-sshfs', volumeHandle: 'h', volumeAttributes: { server } } },
    });
    assert.deepEqual(attachPlan(catalog, sshfs('storage-praha5-elixir.metacentrum.cz')), { kind: 'stuck' });
    assert.deepEqual(attachPlan(catalog, sshfs('storage-budejovice1.metacentrum.cz')), {
      kind: 'attach',
      afterMs: 10_000,
    });
    assert.deepEqual(attachPlan(catalog, sshfs('storage-brno2.metacentrum.cz')), {
      kind: 'attach',
      afterMs: 0,
    });
    assert.deepEqual(
      attachPlan(catalog, { spec: { csi: { driver: 'cinder.csi.openstack.org', volumeHandle: 'gone' } } }),
      {
        kind: 'error',
        message: 'rpc error: code = NotFound desc = [ControllerPublishVolume] Volume gone not found',
      },
    );
    assert.deepEqual(attachPlan(catalog, { spec: { nfs: { server: 's', path: '/' } } }), { kind: 'skip' });
    assert.equal(
      faults.attacherFinalizer('cinder.csi.openstack.org'),
      'external-attacher/cinder-csi-openstack-org',
    );
    assert.equal(faults.attacherFinalizer('csi-sshfs'), 'external-attacher/csi-sshfs');
  });

  it('quantities print like Go’s BinarySI', () => {
    assert.equal(binaryQuantity(100 * 2 ** 20), '100Mi');
    assert.equal(binaryQuantity(81920 * 1024), '80Mi');
    assert.equal(binaryQuantity(94652 * 1024), '94652Ki');
    assert.equal(binaryQuantity(12345), '12345');
    assert.equal(binaryQuantity(0), '0');
  });
});
