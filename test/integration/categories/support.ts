// Shared by the category tests: their hub (JupyterHub 6 with spawn-doctor under deploy/rbac's
// service account, the e2e tests' config) and reading times and reasons off a progress stream.
import { type Hub, type ProgressEvent, startHub } from '../../support/hub.js';
import { SERVICE_CONFIG, START_TIMEOUT, serviceKubeconfig } from '../service/e2e.js';

export async function startCategoriesHub(name: string): Promise<Hub> {
  const sa = await serviceKubeconfig();
  return startHub({
    version: 6,
    startTimeout: START_TIMEOUT,
    name,
    spawnDoctor: { enabled: true, configYaml: SERVICE_CONFIG, kubeconfig: sa.kubeconfigPath },
  });
}

/** When the stream first carried an Event of `reason` (Event timestamps have whole seconds). */
export function firstAt(events: ProgressEvent[], reason: string): number | undefined {
  const e = events.find((x) => x.raw_event?.reason === reason)?.raw_event as
    | { firstTimestamp?: string; eventTime?: string; metadata?: { creationTimestamp?: string } }
    | undefined;
  const t = e?.firstTimestamp ?? e?.eventTime ?? e?.metadata?.creationTimestamp;
  return t ? Date.parse(t) : undefined;
}

export const reasons = (events: ProgressEvent[]): string[] =>
  events.map((e) => e.raw_event?.reason).filter((r): r is string => Boolean(r));
