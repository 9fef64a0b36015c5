// An example spawn-doctor plugin: when a spawn is stopped, POST a short JSON summary to an admin
// webhook (a chat bridge, a ticketing system, …). Configure it in spawn-doctor's YAML:
//
//   plugins:
//     - module: ./webhook-plugin.ts      # relative to the config file (or a compiled .js)
//       timeoutSeconds: 5                # the call is abandoned after this; the stop never waits longer
//       options:
//         url: https://chat.example.org/hooks/jupyter-admins
//         headers: { Authorization: "Bearer …" }   # optional
//         categories: ["scheduling.", "volume.sshfs_"]  # optional prefixes; default: every stop
//
// A plugin is a module whose default export is a plugin object or, as here, a factory that gets
// the `options` from the config. It may export `onDiagnosis(ctx)` (add advice/notes before the
// diagnosis is announced) and/or `onStop(ctx)` (side effects after the stop). Whatever it does —
// throw, hang, return garbage — the spawn is handled the same; failures are logged and counted in
// `spawn_doctor_plugin_failures_total`. Honour `ctx.signal`: it is aborted when the time is up.
// Only a type import from spawn-doctor (erased at run time), no other dependency: the file works
// when copied next to a site's config.
import type { Plugin, StopContext } from '../src/plugins/types.js';

export interface WebhookOptions {
  url: string;
  headers?: Record<string, string>;
  categories?: string[];
}

/** Checks the options from the YAML; a bad one is a startup error naming the field. */
export function parseOptions(raw: Record<string, unknown>): Required<WebhookOptions> {
  const fail = (field: string, why: string): never => {
    throw new Error(`webhook plugin: options.${field}: ${why}`);
  };
  const { url, headers = {}, categories = [], ...rest } = raw;
  for (const key of Object.keys(rest)) fail(key, 'unknown option');
  if (typeof url !== 'string') return fail('url', 'required, an http(s) URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('url', `not a URL: ${url.slice(0, 100)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail('url', 'must be http(s)');
  if (!headers || typeof headers !== 'object' || Array.isArray(headers))
    return fail('headers', 'a map of strings');
  for (const [k, v] of Object.entries(headers))
    if (typeof v !== 'string') fail(`headers.${k}`, 'must be a string');
  if (!Array.isArray(categories) || categories.some((c) => typeof c !== 'string' || c === '')) {
    return fail('categories', 'a list of category prefixes');
  }
  return { url, headers: headers as Record<string, string>, categories: categories as string[] };
}

/** What the admins receive. Plain data: the receiver must treat every string as text. */
export interface StopSummary {
  event: 'spawn-stopped';
  at: string;
  category: string;
  severity: string;
  outcome: StopContext['outcome'];
  user: string;
  server: string;
  namespace: string;
  pod: string;
  /** The decisive Kubernetes reason and message, shortened. */
  reason?: string;
  message?: string;
}

export function summarize(ctx: StopContext, now = new Date()): StopSummary {
  const { diagnosis, spawn } = ctx;
  return {
    event: 'spawn-stopped',
    at: now.toISOString(),
    category: diagnosis.category,
    severity: diagnosis.severity,
    outcome: ctx.outcome,
    user: spawn.user,
    server: spawn.server,
    namespace: spawn.namespace,
    pod: spawn.pod,
    ...(diagnosis.params.reason ? { reason: diagnosis.params.reason } : {}),
    ...(diagnosis.params.message ? { message: diagnosis.params.message.slice(0, 500) } : {}),
  };
}

export default function createWebhookPlugin(raw: Record<string, unknown>): Plugin {
  const options = parseOptions(raw);
  return {
    name: 'admin-webhook',
    async onStop(ctx) {
      const category = ctx.diagnosis.category;
      if (options.categories.length > 0 && !options.categories.some((p) => category.startsWith(p))) return;
      const res = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(summarize(ctx)),
        signal: ctx.signal,
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
      ctx.log.info({ category, status: res.status }, 'admins notified');
    },
  };
}
