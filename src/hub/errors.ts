// Errors of the hub client, and the JupyterHub error body's message.

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
