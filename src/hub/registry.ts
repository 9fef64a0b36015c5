// The configured hubs and which one a pod belongs to: by namespace list, by the namespace's
// labels, or by the pod's own labels. The first hub that matches wins; a hub without any of the
// three matches every pod (the usual single-hub, managed-service case).
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { HubConfig } from '../config/schema.js';
import { matchesSelector, parseSelector, type Selector } from '../kube/selector.js';
import { HubClient } from './client.js';

export interface HubTarget {
  namespace: string;
  /** The pod's labels. */
  labels?: Record<string, string>;
  /** The namespace's labels, when a hub selects by namespaceSelector (else such a hub never matches). */
  namespaceLabels?: Record<string, string>;
}

export interface HubRegistry {
  readonly clients: readonly HubClient[];
  /** The hub responsible for a pod, or undefined (then the pod is deleted instead of cancelled). */
  forPod(target: HubTarget): HubClient | undefined;
}

export type Env = Record<string, string | undefined>;

/** The token source of a hub: tokenFile (re-read per call: rotated tokens), tokenEnv, JUPYTERHUB_API_TOKEN. */
export function tokenSource(hub: HubConfig, baseDir: string, env: Env): () => string {
  if (hub.tokenFile) {
    const file = isAbsolute(hub.tokenFile) ? hub.tokenFile : resolve(baseDir, hub.tokenFile);
    return () => {
      let token: string;
      try {
        token = readFileSync(file, 'utf8').trim();
      } catch (err) {
        throw new Error(
          `hub ${hub.name}: cannot read token file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
        );
      }
      if (!token) throw new Error(`hub ${hub.name}: token file ${file} is empty`);
      return token;
    };
  }
  const variable = hub.tokenEnv ?? 'JUPYTERHUB_API_TOKEN';
  return () => {
    const token = env[variable]?.trim();
    if (!token) throw new Error(`hub ${hub.name}: environment variable ${variable} is not set`);
    return token;
  };
}

interface Entry {
  client: HubClient;
  namespaces?: Set<string>;
  namespaceSelector?: Selector;
  labelSelector?: Selector;
}

function matches(entry: Entry, target: HubTarget): boolean {
  if (entry.namespaces && !entry.namespaces.has(target.namespace)) return false;
  if (entry.namespaceSelector) {
    if (!target.namespaceLabels) return false;
    if (!matchesSelector(entry.namespaceSelector, target.namespaceLabels)) return false;
  }
  if (entry.labelSelector && !matchesSelector(entry.labelSelector, target.labels)) return false;
  return true;
}

export function createHubRegistry(
  hubs: readonly HubConfig[],
  opts: {
    baseDir?: string;
    env?: Env;
    fetch?: typeof fetch;
    timeoutMs?: number;
    attempts?: number;
    baseDelayMs?: number;
  } = {},
): HubRegistry {
  const env = opts.env ?? process.env;
  const baseDir = opts.baseDir ?? process.cwd();
  const entries: Entry[] = hubs.map((hub) => {
    const entry: Entry = {
      client: new HubClient({
        name: hub.name,
        apiUrl: hub.apiUrl,
        token: tokenSource(hub, baseDir, env),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.attempts ? { attempts: opts.attempts } : {}),
        ...(opts.baseDelayMs !== undefined ? { baseDelayMs: opts.baseDelayMs } : {}),
      }),
    };
    if (hub.namespaces?.length) entry.namespaces = new Set(hub.namespaces);
    if (hub.namespaceSelector !== undefined) entry.namespaceSelector = parseSelector(hub.namespaceSelector);
    if (hub.labelSelector !== undefined) entry.labelSelector = parseSelector(hub.labelSelector);
    return entry;
  });
  return {
    clients: entries.map((e) => e.client),
    forPod: (target) => entries.find((e) => matches(e, target))?.client,
  };
}
