// Which CSI VolumeAttachments a pod is waiting for: the one place that maps a pod's claim to its
// PersistentVolume (by the PV's claimRef, so no PVC needs reading) and the PV on the pod's node to
// its VolumeAttachment. Fed by informers on PersistentVolumes and VolumeAttachments (list+watch,
// no per-event API calls); pure state, read by the decision loop.
import { StorageV1Api, type V1PersistentVolume, type V1VolumeAttachment } from '@kubernetes/client-node';
import type { AttachmentEvidence, PodLike } from '../diagnosis/types.js';
import type { KubeClients } from './client.js';
import {
  Informer,
  type InformerHandlers,
  type InformerOptions,
  type KubeObject,
  type ListWatchSource,
} from './informer.js';
import { makeSource } from './sources.js';
import { toMs } from './time.js';

export interface AttachmentWatchConfig {
  /** An attach of a watched driver not done after this many seconds has failed. */
  timeoutSeconds: number;
  drivers: readonly string[];
}

interface PvInfo {
  driver?: string;
  server?: string;
  /** `namespace/name` of the claim it is bound (or reserved) for. */
  claim?: string;
}

interface VaInfo {
  name: string;
  pv: string;
  node: string;
  driver: string;
  attached: boolean;
  acknowledged: boolean;
  createdAt?: number;
  /** When this process first saw it (a local clock, and finer than creationTimestamp's seconds). */
  firstSeen: number;
  attachError?: { message: string; at?: string };
}

const claimKey = (namespace: string, name: string) => `${namespace}/${name}`;

/** The `namespace/claim` keys of the pod's PersistentVolumeClaim volumes. */
export function podClaims(pod: PodLike): string[] {
  const ns = pod.metadata?.namespace;
  if (!ns) return [];
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const c = v?.persistentVolumeClaim?.claimName;
    if (typeof c === 'string' && c) out.push(claimKey(ns, c));
  }
  return out;
}

export class AttachmentIndex {
  private readonly pvs = new Map<string, PvInfo>();
  private readonly pvByClaim = new Map<string, string>();
  private readonly vas = new Map<string, VaInfo>();
  /** `pv` NUL `node` → attachment name (one attachment per volume and node). */
  private readonly vaByPvNode = new Map<string, string>();

  constructor(private readonly config: AttachmentWatchConfig) {}

  /** A PV was added or changed; returns the claims whose pods may see different evidence. */
  upsertPv(pv: V1PersistentVolume): string[] {
    const name = pv.metadata?.name;
    if (!name) return [];
    const before = this.pvs.get(name)?.claim;
    const ref = pv.spec?.claimRef;
    const info: PvInfo = {};
    if (pv.spec?.csi?.driver) info.driver = pv.spec.csi.driver;
    const server = pv.spec?.csi?.volumeAttributes?.server;
    if (server) info.server = server;
    if (ref?.namespace && ref.name) info.claim = claimKey(ref.namespace, ref.name);
    if (before && before !== info.claim && this.pvByClaim.get(before) === name) this.pvByClaim.delete(before);
    this.pvs.set(name, info);
    if (info.claim) this.pvByClaim.set(info.claim, name);
    return [before, info.claim].filter((c): c is string => c !== undefined);
  }

  deletePv(pv: V1PersistentVolume): string[] {
    const name = pv.metadata?.name;
    const info = name ? this.pvs.get(name) : undefined;
    if (!name || !info) return [];
    this.pvs.delete(name);
    if (info.claim && this.pvByClaim.get(info.claim) === name) this.pvByClaim.delete(info.claim);
    return info.claim ? [info.claim] : [];
  }

  /** A VolumeAttachment was added or changed; returns the claim of its PV, when known. */
  upsertVa(va: V1VolumeAttachment, now = Date.now()): string[] {
    const name = va.metadata?.name;
    const pv = va.spec?.source?.persistentVolumeName;
    if (!name || !pv || !this.config.drivers.includes(va.spec.attacher)) return [];
    const info: VaInfo = {
      name,
      pv,
      node: va.spec.nodeName,
      driver: va.spec.attacher,
      attached: va.status?.attached === true,
      acknowledged: (va.metadata?.finalizers ?? []).some((f) => f.startsWith('external-attacher/')),
      firstSeen: this.vas.get(name)?.firstSeen ?? now,
    };
    const created = toMs(va.metadata?.creationTimestamp);
    if (created !== undefined) info.createdAt = created;
    const err = va.status?.attachError;
    if (err?.message) {
      info.attachError = { message: err.message };
      const at = toMs(err.time);
      if (at !== undefined) info.attachError.at = new Date(at).toISOString();
    }
    const old = this.vas.get(name);
    if (old) this.vaByPvNode.delete(`${old.pv}\u0000${old.node}`);
    this.vas.set(name, info);
    this.vaByPvNode.set(`${pv}\u0000${info.node}`, name);
    return this.claimOf(pv);
  }

  deleteVa(va: V1VolumeAttachment): string[] {
    const name = va.metadata?.name;
    const info = name ? this.vas.get(name) : undefined;
    if (!name || !info) return [];
    this.vas.delete(name);
    const key = `${info.pv}\u0000${info.node}`;
    if (this.vaByPvNode.get(key) === name) this.vaByPvNode.delete(key);
    return this.claimOf(info.pv);
  }

  /** The watched attachments the pod waits for on its node, as of `now`. */
  forPod(pod: PodLike, now: number): AttachmentEvidence[] {
    const node = pod.spec?.nodeName;
    const ns = pod.metadata?.namespace;
    if (!node || !ns) return [];
    // Time before the pod existed does not count (an attachment left from an earlier pod), nor
    // time before we saw it: never early, whatever the clocks and the seconds-only timestamps.
    const podCreated = toMs(pod.metadata?.creationTimestamp) ?? now;
    const out: AttachmentEvidence[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      const claim = v?.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const pvName = this.pvByClaim.get(claimKey(ns, claim));
      if (!pvName) continue;
      const vaName = this.vaByPvNode.get(`${pvName}\u0000${node}`);
      const va = vaName ? this.vas.get(vaName) : undefined;
      if (!va) continue;
      const since = Math.max(va.createdAt ?? now, va.firstSeen, podCreated);
      const e: AttachmentEvidence = {
        name: va.name,
        pv: pvName,
        pvc: claim,
        driver: va.driver,
        node,
        attached: va.attached,
        acknowledged: va.acknowledged,
        waitedSeconds: Math.max(0, (now - since) / 1000),
        timeoutSeconds: this.config.timeoutSeconds,
        observedAt: new Date(now).toISOString(),
      };
      if (v.name) e.volume = v.name;
      const server = this.pvs.get(pvName)?.server;
      if (server) e.storageServer = server;
      if (va.attachError) e.attachError = { ...va.attachError };
      out.push(e);
    }
    return out;
  }

  get size(): { pvs: number; attachments: number } {
    return { pvs: this.pvs.size, attachments: this.vas.size };
  }

  private claimOf(pv: string): string[] {
    const claim = this.pvs.get(pv)?.claim;
    return claim ? [claim] : [];
  }
}

/** List+watch of every VolumeAttachment (cluster-scoped, storage.k8s.io/v1). */
export function volumeAttachmentSource(k: KubeClients): ListWatchSource<V1VolumeAttachment> {
  const storage = k.config.makeApiClient(StorageV1Api);
  return makeSource(k, '/apis/storage.k8s.io/v1/volumeattachments', () => storage.listVolumeAttachment(), {});
}

/** List+watch of every PersistentVolume (cluster-scoped). */
export function persistentVolumeSource(k: KubeClients): ListWatchSource<V1PersistentVolume> {
  return makeSource(k, '/api/v1/persistentvolumes', () => k.core.listPersistentVolume(), {});
}

/**
 * The two informers that feed `index`; `changed` gets the claims whose pods should be looked at
 * again. They are not part of readiness: without the rights (or before they sync) the service
 * works as before and only reports a stuck attach when the controller does.
 */
export function attachmentInformers(
  k: KubeClients,
  index: AttachmentIndex,
  changed: (claims: string[]) => void,
  opts: InformerOptions,
  restart: (name: string) => NonNullable<InformerHandlers<unknown>['restart']>,
): Informer<KubeObject>[] {
  return [
    new Informer<V1PersistentVolume>(
      'persistentvolumes',
      persistentVolumeSource(k),
      {
        upsert: (pv) => changed(index.upsertPv(pv)),
        delete: (pv) => changed(index.deletePv(pv)),
        restart: restart('persistentvolumes'),
      },
      opts,
    ) as Informer<KubeObject>,
    new Informer<V1VolumeAttachment>(
      'volumeattachments',
      volumeAttachmentSource(k),
      {
        upsert: (va) => changed(index.upsertVa(va)),
        delete: (va) => changed(index.deleteVa(va)),
        restart: restart('volumeattachments'),
      },
      opts,
    ) as Informer<KubeObject>,
  ];
}
