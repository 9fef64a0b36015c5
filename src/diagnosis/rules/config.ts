// Config family: CreateContainerConfigError, a container that refers to a Secret, ConfigMap or key
// that does not exist (pkg/kubelet/kuberuntime, pkg/kubelet/kubelet_pods.go makeEnvironmentVariables),
// and a pod that names a ServiceAccount that does not exist (the API server's admission, seen in a
// controller's FailedCreate). The texts are distinctive, so pasted copies without a reason match too.
import type { Rule } from '../rule.js';
import { type Family, runRules } from '../rule.js';

const RULES: readonly Rule[] = [
  {
    id: 'config.secret',
    category: 'config.missing_reference',
    strength: 'decisive',
    topic: 'container',
    pattern: /^(?:Error: ?)?secrets? "([^"]+)" not found/,
    params: (m) => ({ secret: m[1] }),
  },
  {
    id: 'config.configmap',
    category: 'config.missing_reference',
    strength: 'decisive',
    topic: 'container',
    pattern: /^(?:Error: ?)?configmaps? "([^"]+)" not found/,
    params: (m) => ({ configMap: m[1] }),
  },
  {
    id: 'config.key',
    category: 'config.missing_reference',
    strength: 'decisive',
    topic: 'container',
    pattern: /^(?:Error: ?)?couldn't find key (\S+) in (Secret|ConfigMap) (?:[^/\s]+\/)?(\S+)/i,
    params: (m) =>
      m[2]?.toLowerCase() === 'secret' ? { key: m[1], secret: m[3] } : { key: m[1], configMap: m[3] },
  },
  {
    // The kubelet could not read the object in time (often it does not exist or is forbidden).
    id: 'config.cache',
    category: 'config.missing_reference',
    strength: 'weak',
    topic: 'container',
    pattern: /^(?:Error: )?failed to sync (secret|configmap) cache/,
  },
  {
    id: 'config.service-account',
    category: 'config.missing_reference',
    strength: 'decisive',
    topic: 'pod',
    pattern: /is forbidden: error looking up service account [^:\s]+: serviceaccount "([^"]+)" not found/,
    params: (m) => ({ serviceAccount: m[1] }),
  },
  {
    id: 'config.status',
    category: 'config.missing_reference',
    strength: 'weak',
    topic: 'container',
    reasons: ['CreateContainerConfigError'],
    pattern: /[\s\S]*/,
  },
];

export const configFamily: Family = (item, ctx) => runRules(RULES, item, ctx);
