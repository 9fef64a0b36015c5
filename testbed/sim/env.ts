// Resolves a container's environment as the kubelet does before creating it; a missing
// Secret, ConfigMap or key is the kubelet's CreateContainerConfigError with its words.
import type { CoreV1Api, V1Container, V1Pod } from '@kubernetes/client-node';
import { decodeSecretValue, getConfigMap, getSecret } from './kube.js';
import { msg } from './messages.js';

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; message: string };

export async function resolveEnv(
  core: CoreV1Api,
  pod: V1Pod,
  c: V1Container,
  podIP: string,
): Promise<EnvResult> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const cm = await getConfigMap(core, ns, name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        return { ok: false, message: msg.notFound('configmap', name) };
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env[`${from.prefix ?? ''}${k}`] = v;
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const s = await getSecret(core, ns, name);
      if (!s) {
        if (from.secretRef.optional) continue;
        return { ok: false, message: msg.notFound('secret', name) };
      }
      for (const k of Object.keys(s.data ?? {}))
        env[`${from.prefix ?? ''}${k}`] = decodeSecretValue(s, k) ?? '';
    }
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      env[e.name] = expand(e.value ?? '', env);
      continue;
    }
    const vf = e.valueFrom;
    if (vf.configMapKeyRef) {
      const { name = '', key, optional } = vf.configMapKeyRef;
      const cm = await getConfigMap(core, ns, name);
      if (!cm) {
        if (optional) continue;
        return { ok: false, message: msg.notFound('configmap', name) };
      }
      const v = cm.data?.[key];
      if (v === undefined) {
        if (optional) continue;
        return { ok: false, message: msg.missingKey('ConfigMap', key, ns, name) };
      }
      env[e.name] = v;
    } else if (vf.secretKeyRef) {
      const { name = '', key, optional } = vf.secretKeyRef;
      const s = await getSecret(core, ns, name);
      if (!s) {
        if (optional) continue;
        return { ok: false, message: msg.notFound('secret', name) };
      }
      const v = decodeSecretValue(s, key);
      if (v === undefined) {
        if (optional) continue;
        return { ok: false, message: msg.missingKey('Secret', key, ns, name) };
      }
      env[e.name] = v;
    } else if (vf.fieldRef) {
      env[e.name] = fieldValue(pod, vf.fieldRef.fieldPath, podIP);
    } else if (vf.resourceFieldRef) {
      env[e.name] = '0';
    }
  }
  return { ok: true, env };
}

/** `$(VAR)` expansion of earlier variables, as in the kubelet. */
function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string) => env[name] ?? all);
}

function fieldValue(pod: V1Pod, path: string, podIP: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2] ?? ''] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
      return podIP;
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    default:
      return '';
  }
}
