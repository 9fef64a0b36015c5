// The real list+watch transport for pods (by label selector) and Pod events, per namespace or
// cluster-wide. Watches end server-side after a few minutes (with jitter) and are resumed.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { KubeClients } from './client.js';
import type { ListWatchSource, WatchType } from './informer.js';

function watchTimeout(): number {
  return 240 + Math.floor(Math.random() * 120);
}

/** A list+watch source for `path`; `list` reads the same objects in full. */
export function makeSource<T>(
  k: KubeClients,
  path: string,
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
  query: Record<string, string>,
): ListWatchSource<T> {
  return {
    async list() {
      const res = await list();
      return { items: res.items ?? [], resourceVersion: res.metadata?.resourceVersion ?? '' };
    },
    async watch(resourceVersion, onEvent, onDone) {
      const params: Record<string, string | number | boolean> = {
        ...query,
        allowWatchBookmarks: true,
        timeoutSeconds: watchTimeout(),
      };
      if (resourceVersion) params.resourceVersion = resourceVersion;
      const controller = await k.watch.watch(
        path,
        params,
        (type: string, obj: unknown) => onEvent(type as WatchType, obj),
        (err: unknown) => onDone(err ?? undefined),
      );
      return { abort: () => controller.abort() };
    },
  };
}

export function podSource(
  k: KubeClients,
  namespace: string | undefined,
  labelSelector: string,
): ListWatchSource<V1Pod> {
  const query: Record<string, string> = labelSelector ? { labelSelector } : {};
  return namespace
    ? makeSource(
        k,
        `/api/v1/namespaces/${namespace}/pods`,
        () => k.core.listNamespacedPod({ namespace, ...query }),
        query,
      )
    : makeSource(k, '/api/v1/pods', () => k.core.listPodForAllNamespaces(query), query);
}

export const POD_EVENTS_FIELD_SELECTOR = 'involvedObject.kind=Pod';

export function eventSource(k: KubeClients, namespace: string | undefined): ListWatchSource<CoreV1Event> {
  const query = { fieldSelector: POD_EVENTS_FIELD_SELECTOR };
  return namespace
    ? makeSource(
        k,
        `/api/v1/namespaces/${namespace}/events`,
        () => k.core.listNamespacedEvent({ namespace, ...query }),
        query,
      )
    : makeSource(k, '/api/v1/events', () => k.core.listEventForAllNamespaces(query), query);
}
