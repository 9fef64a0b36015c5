// Whether a container's process can be executed in its image. Images in the catalog with an
// `executables` list have no ENTRYPOINT (as docker.io/library/python:*): the runtime execs the
// container's command, or its args when there is no command (KubeSpawner sets only args), or the
// image's CMD. A program the image does not have fails in runc before the process starts.
import type { V1Container } from '@kubernetes/client-node';
import type { CatalogImage } from './catalog.js';
import { faults } from './fault-wording.js';

/** The exec error runc reports, or undefined when the program exists (or the image allows anything). */
export function execError(image: CatalogImage, c: V1Container): string | undefined {
  const have = image.executables;
  if (!have) return undefined;
  const argv = c.command?.length ? [...c.command, ...(c.args ?? [])] : (c.args ?? []);
  const program = argv[0];
  // Nothing given: the image's own CMD runs, which it has.
  if (program === undefined || program === '') return undefined;
  const base = program.slice(program.lastIndexOf('/') + 1);
  const found = program.includes('/')
    ? have.includes(program) || (/^\/(usr\/(local\/)?)?s?bin\/[^/]+$/.test(program) && have.includes(base))
    : have.includes(program);
  return found ? undefined : faults.execNotFound(program);
}
