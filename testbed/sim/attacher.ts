// Stands in for the CSI external-attacher sidecars of the testbed's drivers (csi-sshfs and, when
// the catalog has it, the Cinder driver): the real attach-detach controller creates a
// VolumeAttachment for each CSI volume a pod on a node needs; the attacher acknowledges it with
// its finalizer, calls the driver and records the result in the status, as
// kubernetes-csi/external-attacher v4.10.0 pkg/controller/csi_handler.go does. Per the catalog a
// volume attaches at once or after a delay, is never acted on (the controller then times out
// after 2 minutes with its own FailedAttachVolume), or fails with the driver's error, which the
// controller reports at once. On deletion (detach) the finalizer is removed again.
import type {
  CoreV1Api,
  StorageV1Api,
  V1PersistentVolume,
  V1VolumeAttachment,
} from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Catalog } from './catalog.js';
import { faults } from './fault-wording.js';
import { isNotFound } from './kube.js';

export type AttachPlan =
  | { kind: 'skip' }
  /** The attacher never acts (not running, or stuck): no finalizer, no status. */
  | { kind: 'stuck' }
  | { kind: 'attach'; afterMs: number }
  | { kind: 'error'; message: string };

/** What the driver of `pv` does with an attach request, per the catalog. */
export function attachPlan(catalog: Catalog, pv: V1PersistentVolume | undefined): AttachPlan {
  const csi = pv?.spec?.csi;
  if (!csi) return { kind: 'skip' };
  if (csi.driver === catalog.sshfs.driver) {
    const server = csi.volumeAttributes?.server ?? '';
    if (catalog.sshfs.attachStuck.includes(server)) return { kind: 'stuck' };
    return { kind: 'attach', afterMs: (catalog.sshfs.attachDelaySeconds[server] ?? 0) * 1000 };
  }
  if (catalog.cinder && csi.driver === catalog.cinder.driver) {
    if (catalog.cinder.missing.includes(csi.volumeHandle))
      return { kind: 'error', message: faults.cinderVolumeNotFound(csi.volumeHandle) };
    return { kind: 'attach', afterMs: 0 };
  }
  return { kind: 'skip' };
}

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class SimAttacher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Attachments being worked on, with the newest object seen meanwhile (our own patches come back as updates). */
  private readonly busy = new Map<string, V1VolumeAttachment | undefined>();
  /** What was already written for an attachment (an older object may still come back). */
  private readonly written = new Map<string, 'attached' | 'error'>();

  constructor(
    private readonly core: CoreV1Api,
    private readonly storage: StorageV1Api,
    private readonly catalog: Catalog,
    private readonly log: (line: string) => void,
  ) {}

  /** Called for every add/update of a VolumeAttachment of one of the testbed's nodes. */
  onChange(va: V1VolumeAttachment): void {
    const name = va.metadata?.name ?? '';
    if (this.busy.has(name)) {
      this.busy.set(name, va);
      return;
    }
    this.busy.set(name, undefined);
    this.handle(va)
      .catch((err) => this.log(`attach ${name}: ${String(err)}`))
      .finally(() => {
        const newer = this.busy.get(name);
        this.busy.delete(name);
        if (newer) this.onChange(newer);
      });
  }

  onDelete(va: V1VolumeAttachment): void {
    this.clear(va.metadata?.name ?? '');
  }

  private clear(name: string): void {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
    this.written.delete(name);
  }

  private async handle(va: V1VolumeAttachment): Promise<void> {
    const name = va.metadata?.name ?? '';
    const pvName = va.spec.source.persistentVolumeName;
    if (!name || !pvName) return;
    const finalizer = faults.attacherFinalizer(va.spec.attacher);
    const finalizers = va.metadata?.finalizers ?? [];
    if (va.metadata?.deletionTimestamp) {
      this.clear(name);
      if (finalizers.includes(finalizer)) {
        await this.storage.patchVolumeAttachment(
          { name, body: { metadata: { finalizers: finalizers.filter((f) => f !== finalizer) } } },
          MERGE,
        );
        this.log(`volumeattachment ${name} (${pvName}): detached`);
      }
      return;
    }
    if (va.status?.attached || this.timers.has(name) || this.written.has(name)) return;
    let pv: V1PersistentVolume | undefined;
    try {
      pv = await this.core.readPersistentVolume({ name: pvName });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const plan = attachPlan(this.catalog, pv);
    if (plan.kind === 'skip' || plan.kind === 'stuck') {
      if (plan.kind === 'stuck' && !va.status?.attachError)
        this.log(`volumeattachment ${name} (${pvName}): stuck`);
      return;
    }
    if (!finalizers.includes(finalizer)) {
      // Acknowledged: the finalizer first, as the real attacher does before calling the driver.
      await this.storage.patchVolumeAttachment(
        { name, body: { metadata: { finalizers: [...finalizers, finalizer] } } },
        MERGE,
      );
    }
    if (plan.kind === 'error') {
      if (va.status?.attachError?.message === plan.message) return;
      await this.storage.patchVolumeAttachmentStatus(
        {
          name,
          body: { status: { attached: false, attachError: { message: plan.message, time: new Date() } } },
        },
        MERGE,
      );
      this.written.set(name, 'error');
      this.log(`volumeattachment ${name} (${pvName}): attach error`);
      return;
    }
    const attach = async () => {
      this.timers.delete(name);
      try {
        await this.storage.patchVolumeAttachmentStatus(
          { name, body: { status: { attached: true, attachError: null } } as unknown as V1VolumeAttachment },
          MERGE,
        );
        this.written.set(name, 'attached');
        this.log(
          `volumeattachment ${name} (${pvName}): attached${plan.afterMs ? ` after ${plan.afterMs} ms` : ''}`,
        );
      } catch (err) {
        if (!isNotFound(err)) this.log(`attach ${name}: ${String(err)}`);
      }
    };
    if (plan.afterMs <= 0) {
      await attach();
      return;
    }
    this.timers.set(
      name,
      setTimeout(() => void attach(), plan.afterMs),
    );
  }
}
