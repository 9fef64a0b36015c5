// How the hub answered a request to stop (cancel) a server, as a closed set of outcomes so that
// the caller handles each one. JupyterHub's DELETE /users/{u}/servers/{s} answers 204 (stopped),
// 202 (stop in progress), 400 "… is pending spawn, please wait" before 5.1 (no cancel of a pending
// start), 400 for other refusals (e.g. a rename in progress), 404 (no such user or server),
// 401/403 (token missing, wrong, or lacking `delete:servers`).

export type CancelResult =
  | { kind: 'accepted'; status: 202 | 204 }
  /** JupyterHub < 5.1 cannot cancel a pending spawn. */
  | { kind: 'pending-refused'; status: 400; message: string }
  | { kind: 'not-found'; status: 404; message: string }
  | { kind: 'unauthorized'; status: 401 | 403; message: string }
  /** Any other answer the hub gave on purpose (other 4xx). */
  | { kind: 'refused'; status: number; message: string }
  /** Network failure, timeout, or 5xx/429 after the retries. */
  | { kind: 'unreachable'; status?: number; message: string };

/** An HTTP answer from the hub that is not what we asked for. */
export class HubHttpError extends Error {
  constructor(
    readonly hub: string,
    readonly status: number,
    readonly hubMessage: string,
    what: string,
  ) {
    super(`hub ${hub}: ${what} answered HTTP ${status}${hubMessage ? `: ${hubMessage}` : ''}`);
    this.name = 'HubHttpError';
  }
}

/** The hub could not be reached (DNS, TCP, TLS, timeout). */
export class HubNetworkError extends Error {
  constructor(
    readonly hub: string,
    what: string,
    cause: unknown,
  ) {
    super(`hub ${hub}: ${what} failed: ${describeError(cause)}`, { cause });
    this.name = 'HubNetworkError';
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code = cause && typeof cause === 'object' && 'code' in cause ? ` (${String(cause.code)})` : '';
    return `${err.message}${code}`;
  }
  return String(err);
}

/** The `message` of JupyterHub's JSON error body, or the (shortened) text itself. */
export function hubErrorMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') {
      return parsed.message.slice(0, 500);
    }
  } catch {
    // not JSON: use the text
  }
  return body.replace(/\s+/g, ' ').trim().slice(0, 500);
}

/** Worth another attempt: the hub may be restarting or overloaded. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504 || status === 500;
}

/** Maps a final HTTP answer to the DELETE onto its outcome. Pure. */
export function cancelResultFromResponse(status: number, body: string): CancelResult {
  const message = hubErrorMessage(body);
  if (status === 202 || status === 204) return { kind: 'accepted', status };
  // 200 is not what JupyterHub sends, but a success is a success.
  if (status === 200) return { kind: 'accepted', status: 204 };
  if (status === 400 && /\bis pending\b/i.test(message)) return { kind: 'pending-refused', status, message };
  if (status === 404) return { kind: 'not-found', status, message };
  if (status === 401 || status === 403) return { kind: 'unauthorized', status, message };
  if (isTransientStatus(status)) return { kind: 'unreachable', status, message };
  return { kind: 'refused', status, message };
}
