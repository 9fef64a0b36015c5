// "Start again with these values": the hub's REST API, as JupyterHub's own JS calls it.
import type { AdviceRequest } from '../../src/diagnosis/annotation.js';
import { type ServerRef, serverApiUrl, spawnPendingUrl } from './links.js';

/** The new user_options: the failed spawn's options with exactly the suggested resources. */
export function respawnOptions(previous: Record<string, unknown> | undefined, request: AdviceRequest) {
  return {
    ...(previous ?? {}),
    cpu: request.cpu,
    memory: request.memory,
    gpu: request.gpu,
    gpu_count: request.gpu_count,
  };
}

export interface RespawnDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  xsrf: string | undefined;
}

/** A readable reason from a JupyterHub error response ({status, message}). */
async function reason(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) return `${res.status} ${body.message}`;
  } catch {
    // not JSON
  }
  return `HTTP ${res.status}`;
}

/**
 * Starts the server with `options`; resolves to the spawn-pending URL to open. While the hub is
 * still stopping the failed spawn it answers 400: we retry for a while (15 × 2 s by default).
 */
export async function respawn(
  ref: ServerRef,
  options: Record<string, unknown>,
  deps: RespawnDeps,
  attempts = 15,
): Promise<string> {
  let url = serverApiUrl(ref);
  if (deps.xsrf) url += `?_xsrf=${encodeURIComponent(deps.xsrf)}`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (deps.xsrf) headers['X-XSRFToken'] = deps.xsrf;
  let last = '';
  for (let i = 0; i < attempts; i++) {
    const res = await deps.fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers,
      body: JSON.stringify(options),
    });
    if (res.status === 201 || res.status === 202) return spawnPendingUrl(ref);
    last = await reason(res);
    // While the failed spawn is being cancelled the hub answers "... is pending stop", or for a
    // moment even "... is already running" (it still holds the cancelled server's record).
    const transient = res.status === 400 && /pending|already running/i.test(last);
    if (!transient) throw new Error(last);
    await deps.sleep(2000);
  }
  throw new Error(last);
}

/**
 * The options of the last spawn of this server, from the hub's user model (stopped servers
 * included; JupyterHub keeps user_options in its database). Undefined when not available.
 */
export async function fetchUserOptions(
  ref: ServerRef,
  deps: Pick<RespawnDeps, 'fetch' | 'xsrf'>,
): Promise<Record<string, unknown> | undefined> {
  const base = ref.baseUrl.endsWith('/') ? ref.baseUrl : `${ref.baseUrl}/`;
  let url = `${base}api/users/${encodeURIComponent(ref.user)}?include_stopped_servers=1`;
  if (deps.xsrf) url += `&_xsrf=${encodeURIComponent(deps.xsrf)}`;
  try {
    const res = await deps.fetch(url, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) return undefined;
    const user = (await res.json()) as { servers?: Record<string, { user_options?: unknown }> };
    const options = user.servers?.[ref.server]?.user_options;
    return typeof options === 'object' && options !== null && !Array.isArray(options)
      ? (options as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
