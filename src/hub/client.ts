// A small JupyterHub REST client: what spawn-doctor needs and nothing more. Cancel (stop) a
// server, and follow a server's progress stream. Uses Node's built-in fetch.
import {
  type CancelResult,
  cancelResultFromResponse,
  describeError,
  HubHttpError,
  HubNetworkError,
  hubErrorMessage,
  isTransientStatus,
} from './errors.js';
import { type ProgressEvent, parseProgressData } from './progress.js';
import { retry } from './retry.js';
import { SseParser } from './sse.js';

export interface HubClientOptions {
  /** A name for logs and errors. */
  name: string;
  /** The hub's API URL, e.g. `http://hub:8081/hub/api` (JUPYTERHUB_API_URL). */
  apiUrl: string;
  /** Returns the current token; called per request so that a rotated token file is picked up. */
  token: () => string;
  /** Per request (not for the progress stream, which the caller bounds). */
  timeoutMs?: number;
  /** Attempts for transient failures (network, 429, 5xx). */
  attempts?: number;
  baseDelayMs?: number;
  fetch?: typeof fetch;
}

/** Normalises an API URL: no trailing slash; a bare hub URL gets `/hub/api`. */
export function normaliseApiUrl(url: string): string {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`hub API URL must be http(s): ${url}`);
  let path = u.pathname.replace(/\/+$/, '');
  if (!/\/api$/.test(path)) path = `${path}/hub/api`;
  u.pathname = path;
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/+$/, '');
}

/** The path of a user's server; the default server ('') is `/users/{u}/server`. */
export function serverPath(user: string, server: string): string {
  if (!user) throw new Error('user name is empty');
  const u = encodeURIComponent(user);
  return server === '' ? `/users/${u}/server` : `/users/${u}/servers/${encodeURIComponent(server)}`;
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Called for every payload that is not a valid progress event (for logs). */
  onBadEvent?: (error: string, data: string) => void;
}

export class HubClient {
  readonly name: string;
  readonly apiUrl: string;
  private readonly token: () => string;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: HubClientOptions) {
    this.name = opts.name;
    this.apiUrl = normaliseApiUrl(opts.apiUrl);
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.attempts = Math.max(1, opts.attempts ?? 4);
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `token ${this.token()}`, ...extra };
  }

  /**
   * Stops the server, which on JupyterHub ≥ 5.1 also cancels a pending spawn. Never throws:
   * every answer is one of CancelResult. Transient failures are retried with backoff.
   */
  async cancelSpawn(user: string, server: string, signal?: AbortSignal): Promise<CancelResult> {
    const url = this.apiUrl + serverPath(user, server);
    const what = `DELETE ${serverPath(user, server)}`;
    try {
      return await retry(
        async () => {
          const { status, body } = await this.request('DELETE', url, what, signal);
          const result = cancelResultFromResponse(status, body);
          if (result.kind === 'unreachable') throw new HubHttpError(this.name, status, result.message, what);
          return result;
        },
        {
          attempts: this.attempts,
          baseDelayMs: this.baseDelayMs,
          maxDelayMs: 8_000,
          retryable: (err) =>
            err instanceof HubNetworkError || (err instanceof HubHttpError && isTransientStatus(err.status)),
          ...(signal ? { signal } : {}),
        },
      );
    } catch (err) {
      if (err instanceof HubHttpError)
        return { kind: 'unreachable', status: err.status, message: err.message };
      return { kind: 'unreachable', message: describeError(err) };
    }
  }

  /**
   * Opens the server's progress stream and resolves once the hub answered 200, so that a caller
   * knows the hub owns this server before doing anything else. Rejects with HubHttpError when the
   * hub refuses (404 no such user or server, 400 not starting, 401/403) and HubNetworkError when
   * it cannot be reached. The events then arrive from the returned generator, until the stream
   * ends or `signal` aborts (then it simply stops). Bad events are skipped.
   */
  async openProgress(
    user: string,
    server: string,
    opts: FollowOptions = {},
  ): Promise<AsyncGenerator<ProgressEvent>> {
    const path = `${serverPath(user, server)}/progress`;
    const what = `GET ${path}`;
    const headers = this.headers({ Accept: 'text/event-stream' });
    let response: Response;
    try {
      response = await this.fetchImpl(this.apiUrl + path, {
        headers,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch (err) {
      throw new HubNetworkError(this.name, what, err);
    }
    if (response.status !== 200 || !response.body) {
      const body = await response.text().catch(() => '');
      throw new HubHttpError(this.name, response.status, hubErrorMessage(body), what);
    }
    return this.events(response.body, what, opts);
  }

  /** openProgress and its events in one generator; ends quietly when `signal` aborts. */
  async *followProgress(
    user: string,
    server: string,
    opts: FollowOptions = {},
  ): AsyncGenerator<ProgressEvent> {
    let events: AsyncGenerator<ProgressEvent>;
    try {
      events = await this.openProgress(user, server, opts);
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
    yield* events;
  }

  private async *events(
    body: ReadableStream<Uint8Array>,
    what: string,
    opts: FollowOptions,
  ): AsyncGenerator<ProgressEvent> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = body.getReader();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          if (opts.signal?.aborted) return;
          throw new HubNetworkError(this.name, what, err);
        }
        if (chunk.done) {
          parser.push(decoder.decode());
          parser.end();
          return;
        }
        for (const data of parser.push(decoder.decode(chunk.value, { stream: true }))) {
          const parsed = parseProgressData(data);
          if (parsed.ok) yield parsed.event;
          else opts.onBadEvent?.(parsed.error, data.slice(0, 200));
        }
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }

  /** One request with its own timeout; the body is read whole (answers here are small). */
  private async request(
    method: string,
    url: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: string }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers = this.headers();
    try {
      const res = await this.fetchImpl(url, { method, headers, signal: combined });
      const body = await res.text();
      return { status: res.status, body };
    } catch (err) {
      throw new HubNetworkError(this.name, what, err);
    }
  }
}
