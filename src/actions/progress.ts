// Progress notes: one calm SpawnProgress (Normal) Event per pod UID (e.g. a large image being
// pulled), updated in place, and only when its content changed. Once the pod is ready (KubeSpawner
// forwards nothing after that) or going, the note is deleted: it must not show up in the next
// spawn of the same server as if it were about that one.
import { type DiagnosisAnnotation, PROGRESS_REASON } from '../diagnosis/annotation.js';
import type { KubeEvent, PodLike } from '../diagnosis/types.js';
import { isPodReady } from '../kube/tracker.js';
import type { SpawnRef } from '../plugins/types.js';
import { deleteEvent } from './cleanup.js';
import { type StopDeps, timed } from './context.js';
import { progressEvent, progressEventName, progressPatch, validAnnotation } from './events.js';
import { checkPod } from './guard.js';
import { kubeErrorText, statusOf } from './kube-errors.js';
import { readPod } from './pod.js';

/** Bounded memory for the "same progress content" short-cut. */
const PROGRESS_CACHE_MAX = 5000;

export function progressNotes(d: StopDeps) {
  const last = new Map<string, string>();
  /** Pods with a note, by UID (learnt from our writes and from the event informer). */
  const noted = new Map<string, SpawnRef>();

  /** A pod changed: its note goes once it is ready or being deleted. */
  function observePod(pod: PodLike): void {
    const md = pod.metadata;
    const spawn = md?.uid ? noted.get(md.uid) : undefined;
    if (!spawn || !(md?.deletionTimestamp || isPodReady(pod))) return;
    noted.delete(spawn.uid);
    last.delete(spawn.uid);
    deleteEvent(d, spawn.namespace, { metadata: { name: progressEventName(spawn) } }).catch((err) =>
      d.log.warn({ uid: spawn.uid, err: kubeErrorText(err) }, 'could not delete a progress note'),
    );
  }

  /** Our own notes, as the informer lists them (after a restart too). */
  function observeEvent(e: KubeEvent): void {
    const io = e.involvedObject;
    if (e.reason !== PROGRESS_REASON || !io?.uid || !io.name || !e.metadata?.namespace) return;
    if (e.reportingComponent !== 'spawn-doctor' && e.source?.component !== 'spawn-doctor') return;
    if (e.metadata.name !== progressEventName({ pod: io.name, uid: io.uid } as SpawnRef)) return;
    noted.set(io.uid, { namespace: e.metadata.namespace, pod: io.name, uid: io.uid, user: '', server: '' });
  }

  async function announceProgress(
    spawn: SpawnRef,
    annotation: DiagnosisAnnotation,
    sentence: string,
  ): Promise<void> {
    const valid = validAnnotation(annotation);
    if (!valid.ok) {
      d.observe('progress', 'error', 0);
      d.log.error(
        { namespace: spawn.namespace, pod: spawn.pod, error: valid.error },
        'not announcing invalid progress',
      );
      return;
    }
    const content = `${sentence}\n${valid.json}`;
    if (last.get(spawn.uid) === content) {
      d.observe('progress', 'skipped', 0);
      return;
    }
    const pod = await readPod(d, spawn);
    const guard = checkPod(pod as PodLike | undefined, spawn, d.selector);
    if (!guard.ok || pod?.metadata?.deletionTimestamp) {
      d.observe('progress', 'skipped', 0);
      d.log.debug(
        { namespace: spawn.namespace, pod: spawn.pod, reason: guard.ok ? 'terminating' : guard.reason },
        'no progress note',
      );
      return;
    }
    await timed(d, 'progress', async () => {
      const at = d.now();
      try {
        await d.kube('create progress event', () =>
          d.core.createNamespacedEvent({
            namespace: spawn.namespace,
            body: progressEvent({
              spawn,
              annotationJson: valid.json,
              sentence,
              now: at,
              instance: d.instance,
            }),
          }),
        );
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
        const name = progressEventName(spawn);
        const existing = await d.kube('read progress event', () =>
          d.core.readNamespacedEvent({ name, namespace: spawn.namespace }),
        );
        const same =
          existing.message === sentence &&
          existing.metadata?.annotations?.['spawn-doctor/diagnosis'] === valid.json;
        if (!same) {
          await d.kube('patch progress event', () =>
            d.core.patchNamespacedEvent({
              name,
              namespace: spawn.namespace,
              body: progressPatch({ spawn, annotationJson: valid.json, sentence, now: at }, existing.count),
            }),
          );
        }
      }
    });
    if (last.size >= PROGRESS_CACHE_MAX) last.delete(last.keys().next().value as string);
    last.set(spawn.uid, content);
    noted.set(spawn.uid, spawn);
  }

  return { announceProgress, observePod, observeEvent };
}
