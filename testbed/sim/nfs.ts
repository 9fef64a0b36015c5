// NFS volumes (inline `nfs:` or a PV with an `nfs:` source) as the kubelet's in-tree NFS plugin
// mounts them: `mount -t nfs server:path <pod dir>/volumes/kubernetes.io~nfs/<name>`. A server the
// catalog does not list does not resolve; a path outside its exports is refused. Wording:
// fault-wording.ts.
import type { Catalog } from './catalog.js';
import { faults } from './fault-wording.js';

export interface NfsSource {
  server: string;
  path: string;
  readOnly?: boolean;
}

/** The mount error (the part after `MountVolume.SetUp failed for volume "v" : `), or undefined when it mounts. */
export function nfsMountError(
  catalog: Catalog,
  podUid: string,
  volume: string,
  src: NfsSource,
  mountOptions: string[] = [],
): string | undefined {
  const source = `${src.server}:${src.path}`;
  const target = `/var/lib/kubelet/pods/${podUid}/volumes/kubernetes.io~nfs/${volume}`;
  const options = [...mountOptions, ...(src.readOnly ? ['ro'] : [])];
  const server = catalog.nfs.servers.find((s) => s.host === src.server);
  if (!server)
    return faults.nfsMountFailed({ source, target, options, output: faults.nfsUnresolved(src.server) });
  const exported = server.exports.some(
    (e) => src.path === e || src.path.startsWith(`${e.replace(/\/$/, '')}/`),
  );
  if (!exported)
    return faults.nfsMountFailed({ source, target, options, output: faults.nfsAccessDenied(source) });
  return undefined;
}
