// The safety check before spawn-doctor touches a pod or announces on it: the live object must be
// the same pod (UID), a JupyterHub single-user pod (selector labels and the username
// annotation) and the same user and server as the spawn we decided about. Pure.
import type { PodLike } from '../diagnosis/types.js';
import { SERVERNAME_ANNOTATION, USERNAME_ANNOTATION } from '../kube/ownership.js';
import { matchesSelector, type Selector } from '../kube/selector.js';
import type { SpawnRef } from '../plugins/types.js';

export type GuardResult = { ok: true } | { ok: false; reason: string };

export function checkPod(pod: PodLike | undefined, spawn: SpawnRef, selector: Selector): GuardResult {
  if (!pod?.metadata) return { ok: false, reason: 'pod not found' };
  const md = pod.metadata;
  if (md.uid !== spawn.uid)
    return {
      ok: false,
      reason: `pod ${spawn.namespace}/${spawn.pod} is now UID ${md.uid}, not ${spawn.uid}`,
    };
  if (md.name !== spawn.pod || (md.namespace && md.namespace !== spawn.namespace)) {
    return { ok: false, reason: 'pod name or namespace differ from the spawn' };
  }
  if (!matchesSelector(selector, md.labels))
    return { ok: false, reason: 'pod does not match the single-user pod selector' };
  const user = md.annotations?.[USERNAME_ANNOTATION];
  if (!user) return { ok: false, reason: `pod has no ${USERNAME_ANNOTATION} annotation` };
  if (user !== spawn.user) return { ok: false, reason: `pod belongs to user "${user}", not "${spawn.user}"` };
  const server = md.annotations?.[SERVERNAME_ANNOTATION];
  if (server !== undefined && server !== spawn.server) {
    return { ok: false, reason: `pod is server "${server}", not "${spawn.server}"` };
  }
  return { ok: true };
}
