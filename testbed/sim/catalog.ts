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
      })
      .strict(),
  })
  .strict();

export type CatalogImage = z.infer<typeof Image>;
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
