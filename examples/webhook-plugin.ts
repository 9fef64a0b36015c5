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
import { z } from 'zod';
import type { Plugin, StopContext } from '../src/plugins/types.js';

const optionsSchema = z
  .object({
    url: z.url(),
    headers: z.record(z.string(), z.string()).default({}),
    categories: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type WebhookOptions = z.input<typeof optionsSchema>;

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
  // A bad option is a startup error naming the field, not a surprise at the first stop.
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`webhook plugin: options.${issue?.path.join('.') || '?'}: ${issue?.message}`);
  }
  const options = parsed.data;
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
