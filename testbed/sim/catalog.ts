// The catalog (testbed/catalog.yaml): which images exist and how they behave, and which
// storage servers misbehave. Validated on load so that a typo fails loudly at start-up.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseImageReference } from './reference.js';

const Image = z
  .object({
    image: z.string().min(1),
    size: z.number().int().positive(),
    pullSeconds: z.number().nonnegative(),
    memoryFootprint: z.number().int().nonnegative(),
    server: z.enum(['jupyterhub-singleuser', 'static-http', 'none']),
    /** When set, the container exits with this code right after starting. */
    exitCode: z.number().int().min(0).max(255).optional(),
    /** The image's ENTRYPOINT and CMD (Docker semantics with the container's command and args). */
    entrypoint: z.array(z.string()).optional(),
    cmd: z.array(z.string()).optional(),
    /**
     * The programs the image has (names on its $PATH, or absolute paths): a process that is not
     * one of them cannot be executed. Unset: anything runs.
     */
    executables: z.array(z.string().min(1)).optional(),
    /** The node runs low on memory this long after the container starts: the kubelet evicts the pod. */
    evictAfterSeconds: z.number().positive().optional(),
  })
  .strict();

const Network = z
  .object({
    name: z.string().min(1),
    /** The whereabouts IPAM range of the attachment, e.g. 10.56.217.0/28. */
    range: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/),
    /** The range is exhausted by leaked reservations for this long after a pod's first attempt. */
    exhaustedForSeconds: z.number().nonnegative().default(0),
  })
  .strict();

const Catalog = z
  .object({
    registries: z
      .object({
        known: z.array(z.string().min(1)).min(1),
        privatePrefixes: z.array(z.string().min(1)).default([]),
      })
      .strict(),
    images: z.array(Image),
    crashCommands: z.array(z.string()).default([]),
    sshfs: z
      .object({
        driver: z.string().min(1),
        attachStuck: z.array(z.string()).default([]),
        mountBroken: z.array(z.string()).default([]),
        /** Servers whose volumes the external attacher attaches only after this many seconds. */
        attachDelaySeconds: z.record(z.string(), z.number().nonnegative()).default({}),
      })
      .strict(),
    cinder: z
      .object({
        driver: z.string().min(1),
        /** Volume ids (a PV's volumeHandle) the cloud does not have: ControllerPublishVolume fails. */
        missing: z.array(z.string()).default([]),
      })
      .strict()
      .optional(),
    nfs: z
      .object({
        /** NFS servers that resolve, and the paths they export to the nodes (and below). */
        servers: z.array(z.object({ host: z.string().min(1), exports: z.array(z.string()) }).strict()),
      })
      .strict()
      .default({ servers: [] }),
    /** Multus NetworkAttachmentDefinitions that exist in every namespace. */
    networks: z.array(Network).default([]),
    /** The kubelet's --allowed-unsafe-sysctls, on top of its safe list. */
    allowedUnsafeSysctls: z.array(z.string()).default([]),
  })
  .strict();

export type CatalogImage = z.infer<typeof Image>;
export type CatalogNetwork = z.infer<typeof Network>;
export type CatalogData = z.infer<typeof Catalog>;

export interface Catalog extends CatalogData {
  /** Looks an image up by any spelling that normalises to a listed one. */
  findImage(normalized: string): CatalogImage | undefined;
}

export function parseCatalog(text: string, source = 'catalog'): Catalog {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const result = Catalog.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${source}: ${issues}`);
  }
  const byName = new Map<string, CatalogImage>();
  for (const img of result.data.images) {
    const parsed = parseImageReference(img.image);
    if (!parsed.ok)
      throw new Error(`${source}: image "${img.image}" is not a valid reference: ${parsed.error}`);
    byName.set(parsed.ref.normalized, img);
  }
  return { ...result.data, findImage: (normalized) => byName.get(normalized) };
}

export function loadCatalog(path: string): Catalog {
  return parseCatalog(readFileSync(path, 'utf8'), path);
}
