// The Kubernetes connection: KUBECONFIG (or ~/.kube/config) outside a cluster, the service
// account inside one. loadFromDefault tries exactly that order.
import { CoordinationV1Api, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';

export interface KubeClients {
  config: KubeConfig;
  core: CoreV1Api;
  coordination: CoordinationV1Api;
  watch: Watch;
  /** The namespace of our own service account, when running in a cluster. */
  inClusterNamespace?: string;
}

export function createKubeClients(kubeconfigPath?: string): KubeClients {
  const config = new KubeConfig();
  if (kubeconfigPath) config.loadFromFile(kubeconfigPath);
  else config.loadFromDefault();
  if (!config.getCurrentCluster()) {
    throw new Error('no Kubernetes cluster configured: set KUBECONFIG or run inside a cluster');
  }
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    coordination: config.makeApiClient(CoordinationV1Api),
    watch: new Watch(config),
  };
}

/** The HTTP status of an error from the client (ApiException.code, watch statusCode), if any. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown; status?: unknown } | undefined;
  for (const v of [e?.code, e?.statusCode, e?.status]) if (typeof v === 'number') return v;
  return undefined;
}
