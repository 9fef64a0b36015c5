// Small helpers around @kubernetes/client-node calls the simulated kubelet makes.
import type { CoreV1Api, V1ConfigMap, V1Secret } from '@kubernetes/client-node';

export function isNotFound(err: unknown): boolean {
  return (err as { code?: number }).code === 404;
}

/** Reads a ConfigMap; undefined when it does not exist. */
export async function getConfigMap(
  core: CoreV1Api,
  namespace: string,
  name: string,
): Promise<V1ConfigMap | undefined> {
  try {
    return await core.readNamespacedConfigMap({ name, namespace });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Reads a Secret; undefined when it does not exist. */
export async function getSecret(
  core: CoreV1Api,
  namespace: string,
  name: string,
): Promise<V1Secret | undefined> {
  try {
    return await core.readNamespacedSecret({ name, namespace });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function decodeSecretValue(secret: V1Secret, key: string): string | undefined {
  const data = secret.data?.[key];
  if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
  return secret.stringData?.[key];
}
