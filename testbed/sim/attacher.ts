// Stands in for the CSI external-attacher sidecar: the real attach-detach controller creates
// VolumeAttachments for CSI volumes, and this marks them attached, except for volumes from a
// storage server in the catalog's attachStuck list, whose attach then times out in the
// controller with its own FailedAttachVolume event.
import type { CoreV1Api, StorageV1Api, V1VolumeAttachment } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Catalog } from './catalog.js';
import { isNotFound } from './kube.js';

export async function attachIfPossible(
  core: CoreV1Api,
  storage: StorageV1Api,
  catalog: Catalog,
  va: V1VolumeAttachment,
): Promise<'attached' | 'stuck' | 'skipped'> {
  if (va.status?.attached || va.metadata?.deletionTimestamp) return 'skipped';
  const pvName = va.spec.source.persistentVolumeName;
  if (!pvName) return 'skipped';
  let server = '';
  try {
    const pv = await core.readPersistentVolume({ name: pvName });
    if (pv.spec?.csi?.driver === catalog.sshfs.driver) server = pv.spec.csi.volumeAttributes?.server ?? '';
  } catch (err) {
    if (isNotFound(err)) return 'skipped';
    throw err;
  }
  if (catalog.sshfs.attachStuck.includes(server)) return 'stuck';
  await storage.patchVolumeAttachmentStatus(
    { name: va.metadata?.name ?? '', body: { status: { attached: true } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  return 'attached';
}
