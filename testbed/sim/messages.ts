// The exact words a kubelet (v1.34) and containerd (2.x, CRI plugin) use. Kept in one place
// so that every simulated failure reads like a real cluster's.
import type { Catalog, CatalogImage } from './catalog.js';
import { goDuration } from './duration.js';
import { parseImageReference } from './reference.js';

export type PullOutcome =
  | { kind: 'invalid'; message: string }
  | { kind: 'exists'; image: CatalogImage; normalized: string }
  | { kind: 'fails'; grpcCode: 'NotFound' | 'Unknown'; desc: string; afterMs: number };

/** What pulling `image` (as written in the pod spec) would do. */
export function pullOutcome(catalog: Catalog, image: string): PullOutcome {
  const parsed = parseImageReference(image);
  if (!parsed.ok) {
    return {
      kind: 'invalid',
      message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${parsed.error}`,
    };
  }
  const { ref } = parsed;
  const found = catalog.findImage(ref.normalized);
  if (found) return { kind: 'exists', image: found, normalized: ref.normalized };
  const head = `failed to pull and unpack image "${ref.normalized}": failed to resolve reference "${ref.normalized}"`;
  if (!catalog.registries.known.includes(ref.domain)) {
    const reference = ref.digest ?? ref.tag ?? 'latest';
    return {
      kind: 'fails',
      grpcCode: 'Unknown',
      desc: `${head}: failed to do request: Head "https://${ref.domain}/v2/${ref.path}/manifests/${reference}": dial tcp: lookup ${ref.domain.replace(/:\d+$/, '')} on 127.0.0.53:53: no such host`,
      afterMs: 150,
    };
  }
  if (catalog.registries.privatePrefixes.some((p) => ref.path.startsWith(p))) {
    const scope = encodeURIComponent(`repository:${ref.path}:pull`);
    return {
      kind: 'fails',
      grpcCode: 'Unknown',
      desc: `${head}: failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://${ref.domain}/service/token?scope=${scope}&service=harbor-registry: 401 Unauthorized`,
      afterMs: 400,
    };
  }
  return { kind: 'fails', grpcCode: 'NotFound', desc: `${head}: ${ref.normalized}: not found`, afterMs: 400 };
}

export const msg = {
  pulling: (image: string) => `Pulling image "${image}"`,
  pulled: (image: string, pullMs: number, totalMs: number, size: number) =>
    `Successfully pulled image "${image}" in ${goDuration(pullMs)} (${goDuration(totalMs)} including waiting). Image size: ${size} bytes.`,
  alreadyPresent: (image: string) => `Container image "${image}" already present on machine`,
  neverPull: (image: string) => `Container image "${image}" is not present with pull policy of Never`,
  pullFailed: (image: string, err: string) => `Failed to pull image "${image}": ${err}`,
  pullBackOff: (image: string) => `Back-off pulling image "${image}"`,
  grpc: (code: string, desc: string) => `rpc error: code = ${code} desc = ${desc}`,
  error: (what: string) => `Error: ${what}`,
  created: (container: string) => `Created container: ${container}`,
  started: (container: string) => `Started container ${container}`,
  killing: (container: string) => `Stopping container ${container}`,
  crashBackOffEvent: (container: string, pod: string) =>
    `Back-off restarting failed container ${container} in pod ${pod}`,
  crashBackOffStatus: (backoffMs: number, container: string, pod: string) =>
    `back-off ${goDuration(backoffMs)} restarting failed container=${container} pod=${pod}`,
  mountFailed: (volume: string, err: string) => `MountVolume.SetUp failed for volume "${volume}" : ${err}`,
  notFound: (kind: 'configmap' | 'secret', name: string) => `${kind} "${name}" not found`,
  missingKey: (kind: 'ConfigMap' | 'Secret', key: string, namespace: string, name: string) =>
    `couldn't find key ${key} in ${kind} ${namespace}/${name}`,
  sshfsMountFailed: (a: {
    user: string;
    server: string;
    share: string;
    port: string;
    podUid: string;
    pv: string;
  }) =>
    `rpc error: code = Internal desc = mounting failed: exit status 1 cmd: 'sshfs ${a.user}@${a.server}:${a.share} /var/lib/kubelet/pods/${a.podUid}/volumes/kubernetes.io~csi/${a.pv}/mount -o port=${a.port} -o IdentityFile=/tmp/pk-${Math.floor(Math.random() * 4_294_967_295)} -o reconnect -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=/dev/null -o uid=1000,gid=100,allow_other,follow_symlinks' output: "read: Connection reset by peer\\n"`,
} as const;

/** The kubelet's `name_namespace(uid)` way of naming a pod in messages. */
export function podDesc(pod: { name: string; namespace: string; uid: string }): string {
  return `${pod.name}_${pod.namespace}(${pod.uid})`;
}
