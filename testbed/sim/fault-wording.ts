// The exact words of the faults beyond images and sshfs (messages.ts has the rest), each from the
// component that prints it. Sources (file @ version) are named at every message so that a reader
// can check them; none of these strings comes from spawn-doctor's classifier.

/** Go's resource.Quantity.String() of a byte count in the BinarySI format (`100Mi`, `81920Ki`, `12345`). */
export function binaryQuantity(bytes: number): string {
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let n = Math.round(bytes);
  let i = 0;
  while (n !== 0 && n % 1024 === 0 && i < suffixes.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n}${suffixes[i]}`;
}

export const faults = {
  // ---- runtime: a command the image does not have ------------------------------------------
  // containerd v2.2.7 internal/cri/server/container_start.go:208 wraps the shim's error in
  // "failed to create containerd task: %w"; the runc shim adds "failed to create shim task: OCI
  // runtime create failed: runc create failed: "; runc >= 1.2 says "unable to start container
  // process: error during container init: exec: ..." (as pasted in cri-o/cri-o#9136 and
  // opencontainers/runc#4713); ": unknown" is the gRPC code of the ttrpc error.
  execNotFound: (program: string) =>
    program.includes('/')
      ? `exec: "${program}": stat ${program}: no such file or directory`
      : `exec: "${program}": executable file not found in $PATH`,
  startFailed: (execError: string) =>
    `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${execError}: unknown`,

  // ---- node-pressure eviction ----------------------------------------------------------------
  // kubelet v1.34.4 pkg/kubelet/eviction/helpers.go: nodeLowMessageFmt, thresholdMetMessageFmt,
  // containerMessageFmt (evictionMessage); the event reason and pod status reason "Evicted";
  // the event annotations offending_containers, offending_containers_usage, starved_resource.
  evictionReason: 'Evicted',
  evicted: (a: {
    resource: string;
    threshold: string;
    available: string;
    containers: Array<{ name: string; usage: string; request: string }>;
  }) =>
    `The node was low on resource: ${a.resource}. Threshold quantity: ${a.threshold}, available: ${a.available}. ${a.containers
      .map(
        (c) =>
          `Container ${c.name} was using ${c.usage}, request is ${c.request}, has larger consumption of ${a.resource}. `,
      )
      .join('')}`,
  // kubelet v1.34.4 pkg/kubelet/eviction/eviction_manager.go:426 (the DisruptionTarget condition)
  // and pkg/kubelet/status/generate.go (Ready/ContainersReady of a Failed pod: reason PodFailed).
  disruptionReason: 'TerminationByKubelet',
  podFailedReason: 'PodFailed',

  // ---- kubelet admission: sysctls ------------------------------------------------------------
  // kubelet v1.34.4 pkg/kubelet/sysctl/allowlist.go:101,119 (reason SysctlForbidden) and
  // pkg/kubelet/kubelet.go:2397 rejectPod (the status message's "Pod was rejected: " prefix).
  sysctlForbiddenReason: 'SysctlForbidden',
  sysctlForbidden: (name: string) => `forbidden sysctl: "${name}" not allowlisted`,
  rejected: (message: string) => `Pod was rejected: ${message}`,

  // ---- sandbox: CNI (Multus thin plugin, whereabouts IPAM) -----------------------------------
  // kubelet v1.34.4 pkg/kubelet/kuberuntime/kuberuntime_manager.go:1348 "Failed to create pod
  // sandbox: %v"; containerd v2.2.7 internal/cri/server/sandbox_run.go:262 "failed to setup network
  // for sandbox %q: %w"; containernetworking/cni v1.2.2 libcni/api.go:516 `plugin type="t"
  // name="n" failed (add): %w`.
  sandboxFailed: (sandboxId: string, cniError: string) =>
    `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${sandboxId}": plugin type="multus" name="multus-cni-network" failed (add): ${cniError}`,
  // multus-cni v4.2.4 pkg/multus/multus.go:630 cmdErr, :790; pkg/k8sclient/k8sclient.go:297,396,470;
  // the NotFound text is the API server's for network-attachment-definitions.k8s.cni.cncf.io.
  nadNotFound: (name: string, namespace: string) =>
    `cannot find a network-attachment-definition (${name}) in namespace (${namespace}): network-attachment-definitions.k8s.cni.cncf.io "${name}" not found`,
  multusNoNad: (pod: { namespace: string; name: string; uid: string }, nadError: string) =>
    `Multus: [${pod.namespace}/${pod.name}/${pod.uid}]: error loading k8s delegates k8s args: TryLoadPodDelegates: error in getting k8s network for pod: GetNetworkDelegates: failed getting the delegate: getKubernetesDelegate: ${nadError}`,
  // multus-cni v4.2.4 pkg/k8sclient/kubeconfig.go:240 (component "multus") and k8sclient.go:299.
  noNetworkFoundReason: 'NoNetworkFound',
  multusComponent: 'multus',
  // multus-cni v4.2.4 pkg/multus/multus.go:638 cmdPluginErr, :852; the delegate (macvlan,
  // containernetworking/plugins v1.4.0 plugins/main/macvlan/macvlan.go:322 returns the IPAM error
  // as it is) wrapped by libcni as above; whereabouts v0.9.4 cmd/whereabouts.go:90 and
  // pkg/allocate/allocate.go:21.
  poolExhausted: (
    pod: { namespace: string; name: string; uid: string },
    network: string,
    range: { first: string; last: string; cidr: string },
  ) =>
    `[${pod.namespace}/${pod.name}/${pod.uid}:${network}]: error adding container to network "${network}": plugin type="macvlan" failed (add): error at storage engine: Could not allocate IP in range: ip: ${range.first} / - ${range.last} / range: ${range.cidr} / excludeRanges: []`,

  // ---- NFS volumes ---------------------------------------------------------------------------
  // kubelet v1.34.4 pkg/volume/nfs/nfs.go:244 mounts without systemd-run; k8s.io/mount-utils
  // v0.34.4 mount_linux.go:273 formats the failure; mount.nfs (nfs-utils) prints the output and
  // exits 32, as pasted e.g. in csi-driver-nfs reports ("mount.nfs: access denied by server while
  // mounting 192.168.56.11:/srv/nfs").
  nfsMountFailed: (a: { source: string; target: string; options: string[]; output: string }) =>
    `mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs${a.options.length ? ` -o ${a.options.join(',')}` : ''} ${a.source} ${a.target}\nOutput: ${a.output}`,
  nfsAccessDenied: (source: string) => `mount.nfs: access denied by server while mounting ${source}\n`,
  nfsUnresolved: (host: string) => `mount.nfs: Failed to resolve server ${host}: Name or service not known\n`,

  // ---- CSI attach: what the external attacher stores in VolumeAttachment.status.attachError ----
  // kubernetes-csi/external-attacher v4.10.0 pkg/controller/csi_handler.go:598 saveAttachError
  // (the driver's gRPC error as it is); cloud-provider-openstack v1.36.0
  // pkg/csi/cinder/controllerserver.go:319 ControllerPublishVolume.
  cinderVolumeNotFound: (volumeId: string) =>
    `rpc error: code = NotFound desc = [ControllerPublishVolume] Volume ${volumeId} not found`,
  // external-attacher v4.10.0 pkg/controller/util.go:139 GetFinalizerName / SanitizeDriverName.
  attacherFinalizer: (driver: string) => {
    const name = driver.replace(/[^a-zA-Z0-9-]/g, '-');
    return `external-attacher/${name.endsWith('-') ? `${name}X` : name}`;
  },
} as const;
