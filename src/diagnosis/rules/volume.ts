// Volume family: attach and mount failures, with csi-sshfs (the MetaCentrum home) told apart from
// the rest. A failure is sshfs's when the message names the csi-sshfs driver or an `sshfs` command,
// or when the pod spec says the named volume is a csi-sshfs volume.

import { clean, type Family, type Item, type Match, type Rule, type RuleContext, runRules } from '../rule.js';
import type { DiagnosisParams } from '../types.js';

const SSHFS_DRIVER = /\bcsi-sshfs\b|\bsshfs\.csi\b|\bsshfs-csi\b/i;
// `cmd: 'sshfs ondryx@storage-brno12-cerit.metacentrum.cz:/nfs4/home/ondryx /var/lib/... -o ...'`
// Options before the source may take a value (`-o ro`, `-p 22`); a value has no `@` or `:`.
const SSHFS_CMD = /\bsshfs\s+(?:-\S+\s+(?:[^-\s@:'"][^\s@:'"]*\s+)?)*(?:([^@\s'"]+)@)?([A-Za-z0-9.-]+):(\S*)/;
const SSHFS_OUTPUT = /output: "((?:[^"\\]|\\.)*)"/;
const DRIVER_NAME = /of (\S+) CSI driver|driver name (\S+) not found|CSI driver (\S+)/;
const NOT_REGISTERED = /^object "[^"]*"\/"[^"]*" not registered\s*$/;
const CACHE_SYNC = /^failed to sync (?:configmap|secret) cache/;
const NFS = /mount\.nfs4?:|-t nfs4?\b/;
const NFS_SOURCE = /-t nfs4?\s+(?:-o\s+\S+\s+)?([A-Za-z0-9.-]+):(\S+)/;

function unescapeOutput(s: string): string {
  return s
    .replace(/\\[nrt]/g, ' ')
    .replace(/\\"/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

function specDriver(ctx: RuleContext, volume: string | undefined): string | undefined {
  if (!volume) return undefined;
  const volumes = Array.isArray(ctx.pod?.spec?.volumes) ? ctx.pod.spec.volumes : [];
  const driver = volumes.find((v) => v?.name === volume)?.csi?.driver;
  return typeof driver === 'string' ? driver : undefined;
}

function specClaim(ctx: RuleContext, volume: string | undefined): string | undefined {
  if (!volume) return undefined;
  const volumes = Array.isArray(ctx.pod?.spec?.volumes) ? ctx.pod.spec.volumes : [];
  const claim = volumes.find((v) => v?.name === volume)?.persistentVolumeClaim?.claimName;
  return typeof claim === 'string' ? claim : undefined;
}

function driverOf(cause: string, ctx: RuleContext, volume: string | undefined): string | undefined {
  const m = DRIVER_NAME.exec(cause);
  const named = m?.[1] ?? m?.[2] ?? m?.[3];
  if (named) return named.replace(/[.,:]$/, '');
  if (SSHFS_DRIVER.test(cause)) return 'csi-sshfs';
  return specDriver(ctx, volume);
}

export function isSshfs(cause: string, driver: string | undefined): boolean {
  return SSHFS_DRIVER.test(cause) || SSHFS_CMD.test(cause) || (driver !== undefined && /sshfs/i.test(driver));
}

export function shortCause(cause: string): string {
  const out = SSHFS_OUTPUT.exec(cause)?.[1];
  const text = out !== undefined ? unescapeOutput(out) : cause.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

// `AttachVolume.Attach failed for volume "v" : <cause>` (pkg/volume/util/operationexecutor).
const ATTACH = /^AttachVolume\.Attach failed for volume\s+"([^"]*)"\s*:\s*([\s\S]*)$/;
// `MountVolume.SetUp failed for volume "v" : <cause>`, MountDevice / WaitForAttach / NewMounter, the
// block-device forms `MapVolume.SetUpDevice` / `MapPodDevice` / `MapBlockVolume`, and the 1.7 form
// `… for volume "kubernetes.io/nfs/<uid>-nfs" (spec.Name: "nfs") pod "<uid>" (UID: "<uid>") with: …`.
const MOUNT =
  /^(?:MountVolume|MapVolume)\.(\w+)\s+failed for volume\s*(?:"([^"\s]*)"?)?(?: \(spec\.Name: "([^"]*)"\))?(?:\s+(?:pod "[^"]*"|\([^)]*\)))*\s*(?:with)?:\s*([\s\S]*)$/;
// The kubelet's summary after its wait: lists the volumes, not the cause (weak evidence). Old kubelets
// say `timeout expired waiting for volumes to attach/mount for pod "ns"/"name". list of
// unattached/unmounted volumes=[v]`, or name a cause instead of the timeout.
const SUMMARY =
  /^(?:Unable to (?:attach or mount volumes|mount volumes for pod)|timeout expired waiting for volumes to attach)[\s\S]*?unmounted volumes=\[([^\]]*)\]/;
const SUMMARY_CAUSE = /^Unable to (?:attach or )?mount volumes for pod "[^"]*": ([\s\S]+)$/;
// A CSI node plugin missing on the node, pasted without the MountVolume envelope.
const CSI_NOT_REGISTERED =
  /^kubernetes\.io\/csi: \w+\.\w+ failed [\s\S]*?driver name (\S+) not found in the list of registered CSI drivers/;
// The kubelet's object cache not yet knowing the pod's ConfigMap/Secret right after scheduling.
const NOT_REGISTERED_ANYWHERE = /\bobject "[^"]*"\/"[^"]*" not registered\s*$/;
// A driver refusing a second attach call while the first is still running: it is attaching.
const ATTACHING = /\bis attaching\s*$|\boperation (?:with the given Volume ID \S+ )?already exists/i;
// The claim's provisioner failed this time (ProvisioningFailed, on the claim): it stays unbound.
const PROVISIONING = /^failed to provision volume with storage ?class "([^"]*)"/i;

const RULES: readonly Rule[] = [
  {
    id: 'volume.multi-attach',
    category: 'volume.attach_failed',
    strength: 'decisive',
    topic: 'attach',
    pattern: /^Multi-Attach error for volume "([^"]*)"/,
    params: (m) => ({ volume: m[1], cause: 'the volume is already attached to another node' }),
  },
  {
    id: 'volume.csi-not-registered',
    category: 'volume.mount_failed',
    strength: 'decisive',
    topic: 'mount',
    pattern: CSI_NOT_REGISTERED,
    params: (m) => ({ csiDriver: m[1], cause: m[0] }),
  },
  {
    id: 'volume.not-registered',
    category: 'startup.benign_warning',
    strength: 'benign',
    topic: 'mount',
    pattern: NOT_REGISTERED_ANYWHERE,
  },
  {
    id: 'volume.provisioning-failed',
    category: 'volume.pvc_pending',
    strength: 'decisive',
    topic: 'scheduling',
    pattern: PROVISIONING,
    params: (m) => ({ cause: m.input.slice(0, 300) }),
  },
];

function attach(ctx: RuleContext, volume: string | undefined, cause: string): Match {
  if (ATTACHING.test(cause))
    return {
      category: 'startup.benign_warning',
      strength: 'benign',
      topic: 'attach',
      params: clean({ volume }),
      rule: 'volume.attaching',
    };
  const driver = driverOf(cause, ctx, volume);
  const params: DiagnosisParams = clean({
    volume,
    csiDriver: driver,
    cause: shortCause(cause),
    pvc: specClaim(ctx, volume),
  });
  if (isSshfs(cause, driver)) {
    return {
      category: 'volume.sshfs_attach_failed',
      strength: 'decisive',
      topic: 'attach',
      params,
      rule: 'volume.sshfs-attach',
    };
  }
  return {
    category: 'volume.attach_failed',
    strength: 'decisive',
    topic: 'attach',
    params,
    rule: 'volume.attach',
  };
}

function mount(ctx: RuleContext, volume: string | undefined, cause: string): Match {
  const driver = driverOf(cause, ctx, volume);
  const base: DiagnosisParams = {
    volume,
    csiDriver: driver,
    cause: shortCause(cause),
    pvc: specClaim(ctx, volume),
  };
  if (isSshfs(cause, driver)) {
    const cmd = SSHFS_CMD.exec(cause);
    const params = clean({
      ...base,
      csiDriver: driver ?? 'csi-sshfs',
      storageUser: cmd?.[1],
      storageServer: cmd?.[2],
      storagePath: cmd?.[3],
    });
    return {
      category: 'volume.sshfs_mount_failed',
      strength: 'decisive',
      topic: 'mount',
      params,
      rule: 'volume.sshfs-mount',
    };
  }
  // The kubelet's object cache not yet knowing the pod's ConfigMap/Secret right after scheduling:
  // usually transient, the retry succeeds. If it never does, the kubelet's timeout summary reports it.
  if (NOT_REGISTERED.test(cause))
    return {
      category: 'startup.benign_warning',
      strength: 'benign',
      topic: 'mount',
      params: clean({ volume }),
      rule: 'volume.not-registered',
    };
  const weak = CACHE_SYNC.test(cause);
  const cm = /configmaps? "([^"]+)" not found/.exec(cause);
  const secret = /secrets? "([^"]+)" not found/.exec(cause);
  const nfs = NFS.test(cause) ? NFS_SOURCE.exec(cause) : null;
  const params = clean({
    ...base,
    configMap: cm?.[1],
    secret: secret?.[1],
    storageServer: nfs?.[1],
    storagePath: nfs?.[2],
  });
  return {
    category: 'volume.mount_failed',
    strength: weak ? 'weak' : 'decisive',
    topic: 'mount',
    params,
    rule: 'volume.mount',
  };
}

export const volumeFamily: Family = (item: Item, ctx: RuleContext): Match | null => {
  const msg = item.message;
  const a = ATTACH.exec(msg);
  if (a) return attach(ctx, a[1], a[2] ?? '');
  const m = MOUNT.exec(msg);
  if (m) return mount(ctx, m[3] ?? m[2], m[4] ?? '');
  const table = runRules(RULES, item, ctx);
  if (table) return table;
  const c = SUMMARY_CAUSE.exec(msg);
  if (c && !/^timeout expired waiting/.test(c[1] ?? '')) return mount(ctx, undefined, c[1] ?? '');
  const s = SUMMARY.exec(msg);
  if (s) {
    const volumes = (s[1] ?? '').split(/\s+/).filter(Boolean);
    // Prefer a volume the spec says is sshfs: that is the one that usually hangs.
    const sshfs = volumes.find((v) => /sshfs/i.test(specDriver(ctx, v) ?? ''));
    const volume = sshfs ?? volumes[0];
    const category = sshfs ? 'volume.sshfs_mount_failed' : 'volume.mount_failed';
    const params = clean({ volume, csiDriver: specDriver(ctx, volume), pvc: specClaim(ctx, volume) });
    return { category, strength: 'weak', topic: 'mount', params, rule: 'volume.summary-timeout' };
  }
  return null;
};
