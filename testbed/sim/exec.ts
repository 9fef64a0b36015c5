// Whether a container's process can be executed in its image. What runs is Docker's rule: the
// container's command, else the image's ENTRYPOINT; then the container's args, else (when the
// command is not overridden) the image's CMD. KubeSpawner sets only args, and only when the hub
// sets a cmd (Zero to JupyterHub's default is jupyterhub-singleuser). A program the image does
// not have fails in runc before the process starts.
import type { V1Container } from '@kubernetes/client-node';
import type { CatalogImage } from './catalog.js';
import { faults } from './fault-wording.js';

/** The argv the runtime would exec. */
export function processArgv(image: CatalogImage, c: V1Container): string[] {
  const command = c.command?.length ? c.command : (image.entrypoint ?? []);
  const args = c.args?.length ? c.args : c.command?.length ? [] : (image.cmd ?? []);
  return [...command, ...args];
}

/** The exec error runc reports, or undefined when the program exists (or the image allows anything). */
export function execError(image: CatalogImage, c: V1Container): string | undefined {
  const have = image.executables;
  if (!have) return undefined;
  const program = processArgv(image, c)[0];
  if (program === undefined || program === '') return undefined;
  const base = program.slice(program.lastIndexOf('/') + 1);
  const found = program.includes('/')
    ? have.includes(program) || (/^\/(usr\/(local\/)?)?s?bin\/[^/]+$/.test(program) && have.includes(base))
    : have.includes(program);
  return found ? undefined : faults.execNotFound(program);
}
