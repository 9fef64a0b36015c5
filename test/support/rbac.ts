// Applies deploy/rbac/ to the testbed and mints a kubeconfig for spawn-doctor's service account
// through the TokenRequest API, so that tests and the demo run the service with exactly the
// rights an operator would give it — never with the admin kubeconfig.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig, type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RBAC_DIR = join(ROOT, 'deploy/rbac');
/** The namespace the manifests name; replaced by the one asked for. */
const MANIFEST_NAMESPACE = 'spawn-doctor';
const SA_NAME = 'spawn-doctor';
const CLUSTER_SCOPED = new Set([
  'ClusterRole',
  'ClusterRoleBinding',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
]);

export interface RbacOptions {
  /** Where the service account lives (and the leader-election Role); created if missing. */
  namespace?: string;
  /** Also apply admission-policy.yaml (default true). */
  admissionPolicy?: boolean;
  /** Token lifetime (default 2 h; the API server's minimum is 10 min). */
  tokenSeconds?: number;
  /** Where to write the kubeconfig (default <testbed dir>/spawn-doctor-<namespace>.kubeconfig). */
  kubeconfigPath?: string;
}

export interface ServiceAccountAccess {
  namespace: string;
  serviceAccount: string;
  /** `system:serviceaccount:<ns>:<name>` */
  username: string;
  token: string;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** Every object applied, for cleanup. */
  objects: KubernetesObject[];
}

/** The admin kubeconfig of the testbed (KUBECONFIG, else .testbed/kubeconfig). */
export function testbedKubeconfigPath(): string {
  return process.env.KUBECONFIG || join(ROOT, '.testbed/kubeconfig');
}

export function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testbedKubeconfigPath());
  return kc;
}

/** Reads the manifests and moves them to `namespace` (metadata, subjects, the policy's user). */
export function rbacManifests(namespace: string, admissionPolicy = true): KubernetesObject[] {
  const files = readdirSync(RBAC_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .filter((f) => admissionPolicy || f !== 'admission-policy.yaml')
    .sort();
  const objects: KubernetesObject[] = [];
  for (const f of files) {
    for (const doc of parseAllDocuments(readFileSync(join(RBAC_DIR, f), 'utf8'))) {
      if (doc.errors.length) throw new Error(`${f}: ${doc.errors[0]!.message}`);
      const obj = doc.toJS() as KubernetesObject & {
        subjects?: Array<{ namespace?: string }>;
        spec?: unknown;
      };
      if (!obj) continue;
      if (obj.metadata?.namespace === MANIFEST_NAMESPACE) obj.metadata.namespace = namespace;
      // Cluster-scoped objects get the namespace in their name, so that test runs in different
      // namespaces (in parallel) never rebind each other's service account.
      if (namespace !== MANIFEST_NAMESPACE && obj.metadata?.name && CLUSTER_SCOPED.has(obj.kind ?? '')) {
        obj.metadata.name = `${obj.metadata.name}-${namespace}`;
      }
      const ref = (obj as { roleRef?: { kind?: string; name?: string } }).roleRef;
      if (namespace !== MANIFEST_NAMESPACE && ref?.kind === 'ClusterRole')
        ref.name = `${ref.name}-${namespace}`;
      const spec = obj.spec as { policyName?: string } | undefined;
      if (
        namespace !== MANIFEST_NAMESPACE &&
        obj.kind === 'ValidatingAdmissionPolicyBinding' &&
        spec?.policyName
      ) {
        spec.policyName = `${spec.policyName}-${namespace}`;
      }
      for (const s of obj.subjects ?? []) if (s.namespace === MANIFEST_NAMESPACE) s.namespace = namespace;
      if (obj.kind === 'ValidatingAdmissionPolicy') {
        const text = JSON.stringify(obj.spec).replaceAll(
          `system:serviceaccount:${MANIFEST_NAMESPACE}:${SA_NAME}`,
          `system:serviceaccount:${namespace}:${SA_NAME}`,
        );
        obj.spec = JSON.parse(text);
      }
      objects.push(obj);
    }
  }
  return objects;
}

function status(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

async function applyObject(api: KubernetesObjectApi, obj: KubernetesObject): Promise<void> {
  try {
    await api.create(obj);
  } catch (err) {
    if (status(err) !== 409)
      throw new Error(`creating ${obj.kind} ${obj.metadata?.name}: ${(err as Error).message}`);
    const live = await api.read({
      apiVersion: obj.apiVersion!,
      kind: obj.kind!,
      metadata: {
        name: obj.metadata!.name!,
        ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
      },
    });
    await api.replace({
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: live.metadata?.resourceVersion },
    });
  }
}

async function ensureNamespace(core: CoreV1Api, name: string): Promise<void> {
  try {
    await core.createNamespace({ body: { metadata: { name } } });
  } catch (err) {
    if (status(err) !== 409) throw err;
  }
}

/** A kubeconfig with the admin's cluster (server, CA) and the service account's token. */
export function tokenKubeConfig(admin: KubeConfig, token: string, user: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  return kc;
}

/**
 * Applies the manifests (idempotent) and returns a kubeconfig for the service account. The
 * ValidatingAdmissionPolicy takes a moment to become active; callers that test it should retry.
 */
export async function applyRbac(
  opts: RbacOptions = {},
  admin: KubeConfig = adminKubeConfig(),
): Promise<ServiceAccountAccess> {
  const namespace = opts.namespace ?? MANIFEST_NAMESPACE;
  const core = admin.makeApiClient(CoreV1Api);
  await ensureNamespace(core, namespace);
  const api = KubernetesObjectApi.makeApiClient(admin);
  const objects = rbacManifests(namespace, opts.admissionPolicy ?? true);
  for (const obj of objects) await applyObject(api, obj);

  const tr = await core.createNamespacedServiceAccountToken({
    name: SA_NAME,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: opts.tokenSeconds ?? 7200 } },
  });
  const token = tr.status?.token;
  if (!token) throw new Error('TokenRequest returned no token');
  const username = `system:serviceaccount:${namespace}:${SA_NAME}`;
  const kubeConfig = tokenKubeConfig(admin, token, username.replaceAll(':', '-'));
  const kubeconfigPath =
    opts.kubeconfigPath ?? join(dirname(testbedKubeconfigPath()), `spawn-doctor-${namespace}.kubeconfig`);
  mkdirSync(dirname(kubeconfigPath), { recursive: true });
  writeFileSync(kubeconfigPath, kubeConfig.exportConfig(), { mode: 0o600 });
  return { namespace, serviceAccount: SA_NAME, username, token, kubeconfigPath, kubeConfig, objects };
}

/** Removes what applyRbac created (cluster-scoped objects too); missing objects are fine. */
export async function removeRbac(
  access: ServiceAccountAccess,
  admin: KubeConfig = adminKubeConfig(),
): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const obj of [...access.objects].reverse()) {
    try {
      await api.delete(obj);
    } catch (err) {
      if (status(err) !== 404) throw err;
    }
  }
}
