// A small JupyterHub REST client: what spawn-doctor needs and nothing more. Read a user's
// servers, cancel a pending spawn (only after its check passed, see cancel.ts), and follow a
// server's progress stream. Uses Node's built-in fetch.
import {
  answerKind,
  type CancelOutcome,
  type CancelRequest,
  type DeleteAnswer,
  describeAnswer,
  proofFits,
} from './cancel.js';
import { describeError, HubHttpError, HubNetworkError, hubErrorMessage } from './errors.js';
import { type ProgressEvent, parseProgressData } from './progress.js';
import { backoffDelay, sleep } from './retry.js';
import { SseParser } from './sse.js';

export interface HubClientOptions {
  /** A name for logs and errors. */
  name: string;
  /** The hub's API URL, e.g. `http://hub:8081/hub/api` (JUPYTERHUB_API_URL). */
  apiUrl: string;
  /** Returns the current token; called per request so that a rotated token file is picked up. */
  token: () => string;
  /** Per request (not for the progress stream, which the caller bounds); a DELETE waits this long. */
  timeoutMs?: number;
  /** Per read of the user model (the check before a cancel): short, so that a check is fresh. */
  readTimeoutMs?: number;
  /** Attempts for transient failures of reads, and DELETEs whose answer was ambiguous. */
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

export interface CancelOptions {
  signal?: AbortSignal;
  /** How long a check that cannot tell (the hub does not answer) is repeated before giving up. */
  unknownBudgetMs?: number;
}

export class HubClient {
  readonly name: string;
  readonly apiUrl: string;
  private readonly token: () => string;
  private readonly timeoutMs: number;
  private readonly readTimeoutMs: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: HubClientOptions) {
    this.name = opts.name;
    this.apiUrl = normaliseApiUrl(opts.apiUrl);
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.readTimeoutMs = opts.readTimeoutMs ?? 5_000;
    this.attempts = Math.max(1, opts.attempts ?? 4);
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `token ${this.token()}`, ...extra };
  }

  /**
   * The user model (GET /users/{user}; with `read:servers` it holds `servers`, on 4.x, 5.x and
   * 6.x alike), read once with the short read timeout: the check before a cancel wants a fresh
   * answer or none. Resolves to undefined when the hub does not know the user (404); rejects on
   * any other answer or a network failure.
   */
  async readUser(user: string, signal?: AbortSignal): Promise<unknown | undefined> {
    if (!user) throw new Error('user name is empty');
    const path = `/users/${encodeURIComponent(user)}`;
    const what = `GET ${path}`;
    const { status, body } = await this.request('GET', this.apiUrl + path, what, this.readTimeoutMs, signal);
    if (status === 404) return undefined;
    if (status !== 200) throw new HubHttpError(this.name, status, hubErrorMessage(body), what);
    try {
      return JSON.parse(body) as unknown;
    } catch {
      throw new HubHttpError(this.name, status, 'the answer is not JSON', what);
    }
  }

  /**
   * Cancels the pending spawn the request names: on JupyterHub >= 5.1 a DELETE of the server
   * interrupts a pending start. This is the only place that sends that DELETE, and it sends it
   * only right after `req.recheck()` proved the pending spawn is still the request's (same pod
   * UID, same `started`). An ambiguous answer is followed by the check, never by a blind resend.
   * Never throws.
   */
  async cancelPendingSpawn(req: CancelRequest, opts: CancelOptions = {}): Promise<CancelOutcome> {
    const path = serverPath(req.user, req.server);
    const deadline = Date.now() + (opts.unknownBudgetMs ?? 20_000);
    let attempts = 0;
    let lastAnswer: string | undefined;
    let pause = false;
    for (let unknown = 1; ; ) {
      let check: Awaited<ReturnType<CancelRequest['recheck']>>;
      try {
        check = proofFits(req, await req.recheck());
      } catch (err) {
        check = { same: false, kind: 'unknown', why: `the check failed: ${describeError(err)}` };
      }
      if (!check.same) {
        if (check.kind === 'unknown' && Date.now() < deadline && !opts.signal?.aborted) {
          await sleep(backoffDelay(unknown++, this.baseDelayMs, 4_000), opts.signal).catch(() => undefined);
          continue;
        }
        const tail = lastAnswer ? { lastAnswer } : {};
        return check.kind === 'unknown'
          ? { kind: 'unproven', why: check.why, afterAttempts: attempts, ...tail }
          : { kind: 'not-sent', check, afterAttempts: attempts, ...tail };
      }
      if (pause) {
        // The same spawn is still pending after an ambiguous answer: wait, then check once more.
        pause = false;
        await sleep(backoffDelay(attempts, this.baseDelayMs, 8_000), opts.signal).catch(() => undefined);
        continue;
      }
      attempts++;
      const answer = await this.deleteOnce(path, opts.signal);
      const kind = answerKind(answer);
      if (kind === 'accepted' && answer.kind === 'http') return { kind, status: answer.status, attempts };
      if (kind !== 'ambiguous' && answer.kind === 'http') {
        return { kind: kind as 'refused', status: answer.status, message: answer.message, attempts };
      }
      lastAnswer = describeAnswer(answer);
      if (attempts >= this.attempts || opts.signal?.aborted)
        return { kind: 'ambiguous', attempts, lastAnswer };
      // Check again at once: after a 500 the first DELETE has usually done its job already.
      pause = true;
    }
  }

  private async deleteOnce(path: string, signal?: AbortSignal): Promise<DeleteAnswer> {
    try {
      const { status, body } = await this.request(
        'DELETE',
        this.apiUrl + path,
        `DELETE ${path}`,
        this.timeoutMs,
        signal,
      );
      return { kind: 'http', status, message: hubErrorMessage(body) };
    } catch (err) {
      return { kind: 'network', message: describeError(err) };
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
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: string }> {
    const timeout = AbortSignal.timeout(timeoutMs);
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
