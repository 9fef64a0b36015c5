// Volume set-up as the kubelet's volume manager sees it: ConfigMap/Secret/projected sources
// must exist, PVC-backed CSI volumes must be attached (by the attach-detach controller and
// the external attacher) before they are mounted, and sshfs mounts from broken servers fail
// with the driver's own words.
import type { CoreV1Api, StorageV1Api, V1PersistentVolume, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { Catalog } from './catalog.js';
import { getConfigMap, getSecret, isNotFound } from './kube.js';
import { msg } from './messages.js';
import { nfsMountError } from './nfs.js';

export type VolumeState =
  | { kind: 'mounted' }
  /** Not attached yet: the kubelet waits without an event of its own. */
  | { kind: 'waiting'; why: string }
  | { kind: 'failed'; message: string };

export interface VolumeDeps {
  core: CoreV1Api;
  storage: StorageV1Api;
  catalog: Catalog;
}

async function sourceMissing(
  deps: VolumeDeps,
  ns: string,
  kind: 'configmap' | 'secret',
  name: string,
  optional: boolean | undefined,
): Promise<string | undefined> {
  if (optional) return undefined;
  const found =
    kind === 'configmap' ? await getConfigMap(deps.core, ns, name) : await getSecret(deps.core, ns, name);
  return found ? undefined : msg.notFound(kind, name);
}

export async function mountVolume(
  deps: VolumeDeps,
  pod: V1Pod,
  node: string,
  vol: V1Volume,
): Promise<VolumeState> {
  const ns = pod.metadata?.namespace ?? 'default';
  if (vol.configMap) {
    const err = await sourceMissing(deps, ns, 'configmap', vol.configMap.name ?? '', vol.configMap.optional);
    return err ? { kind: 'failed', message: msg.mountFailed(vol.name, err) } : { kind: 'mounted' };
  }
  if (vol.secret) {
    const err = await sourceMissing(deps, ns, 'secret', vol.secret.secretName ?? '', vol.secret.optional);
    return err ? { kind: 'failed', message: msg.mountFailed(vol.name, err) } : { kind: 'mounted' };
  }
  if (vol.projected) {
    for (const src of vol.projected.sources ?? []) {
      const err = src.configMap
        ? await sourceMissing(deps, ns, 'configmap', src.configMap.name ?? '', src.configMap.optional)
        : src.secret
          ? await sourceMissing(deps, ns, 'secret', src.secret.name ?? '', src.secret.optional)
          : undefined;
      if (err) return { kind: 'failed', message: msg.mountFailed(vol.name, err) };
    }
    return { kind: 'mounted' };
  }
  if (vol.nfs) {
    const err = nfsMountError(deps.catalog, pod.metadata?.uid ?? '', vol.name, vol.nfs);
    return err ? { kind: 'failed', message: msg.mountFailed(vol.name, err) } : { kind: 'mounted' };
  }
  if (vol.persistentVolumeClaim) {
    const claim = vol.persistentVolumeClaim.claimName;
    let pvName: string | undefined;
    try {
      const pvc = await deps.core.readNamespacedPersistentVolumeClaim({ name: claim, namespace: ns });
      pvName = pvc.spec?.volumeName;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!pvName) return { kind: 'waiting', why: `claim ${claim} is not bound` };
    let pv: V1PersistentVolume;
    try {
      pv = await deps.core.readPersistentVolume({ name: pvName });
    } catch (err) {
      if (isNotFound(err)) return { kind: 'waiting', why: `volume ${pvName} does not exist` };
      throw err;
    }
    const nfs = pv.spec?.nfs;
    if (nfs) {
      const err = nfsMountError(deps.catalog, pod.metadata?.uid ?? '', pvName, nfs, pv.spec?.mountOptions);
      return err ? { kind: 'failed', message: msg.mountFailed(pvName, err) } : { kind: 'mounted' };
    }
    const csi = pv.spec?.csi;
    if (!csi) return { kind: 'mounted' };
    if ((await needsAttach(deps, csi.driver)) && !(await attached(deps, pvName, node)))
      return { kind: 'waiting', why: `volume ${pvName} is not attached` };
    if (csi.driver === deps.catalog.sshfs.driver) {
      const a = csi.volumeAttributes ?? {};
      const server = a.server ?? '';
      if (deps.catalog.sshfs.mountBroken.includes(server)) {
        return {
          kind: 'failed',
          message: msg.mountFailed(
            pvName,
            msg.sshfsMountFailed({
              user: a.user ?? '',
              server,
              share: a.share ?? '',
              port: a.port ?? '22',
              podUid: pod.metadata?.uid ?? '',
              pv: pvName,
            }),
          ),
        };
      }
    }
    return { kind: 'mounted' };
  }
  return { kind: 'mounted' };
}

/** CSI volumes need attaching unless a CSIDriver object says otherwise (as in the kubelet). */
async function needsAttach(deps: VolumeDeps, driver: string): Promise<boolean> {
  try {
    const d = await deps.storage.readCSIDriver({ name: driver });
    return d.spec.attachRequired !== false;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

async function attached(deps: VolumeDeps, pv: string, node: string): Promise<boolean> {
  const list = await deps.storage.listVolumeAttachment();
  return list.items.some(
    (va) =>
      va.spec.source.persistentVolumeName === pv && va.spec.nodeName === node && va.status?.attached === true,
  );
}
