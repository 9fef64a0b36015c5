// Which pods are JupyterHub's: the singleuser label selector AND the username annotation.
// The service never looks at, let alone acts on, any other pod.
import type { PodLike } from '../diagnosis/types.js';
import type { SpawnRef } from '../plugins/types.js';
import { matchesSelector, type Selector } from './selector.js';

export const USERNAME_ANNOTATION = 'hub.jupyter.org/username';
export const SERVERNAME_ANNOTATION = 'hub.jupyter.org/servername';

export function isHubPod(pod: PodLike | undefined, selector: Selector): boolean {
  const md = pod?.metadata;
  if (!md?.uid || !md.name || !md.namespace) return false;
  const user = md.annotations?.[USERNAME_ANNOTATION];
  return typeof user === 'string' && user !== '' && matchesSelector(selector, md.labels);
}

/** The spawn a hub pod belongs to; undefined for any pod that is not a hub pod. */
export function spawnRefOf(pod: PodLike | undefined, selector: Selector): SpawnRef | undefined {
  if (!isHubPod(pod, selector)) return undefined;
  const md = pod!.metadata!;
  return {
    namespace: md.namespace!,
    pod: md.name!,
    uid: md.uid!,
    user: md.annotations![USERNAME_ANNOTATION]!,
    server: md.annotations?.[SERVERNAME_ANNOTATION] ?? '',
  };
}
