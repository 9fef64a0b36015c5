// What a failed Kubernetes API call means for us: its HTTP status, and whether trying again helps.
import { ApiException } from '@kubernetes/client-node';

/** The HTTP status of a client-node error, or undefined for network failures. */
export function statusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

/** Network errors, throttling, and server-side failures are worth another attempt. */
export function isRetryableKube(err: unknown): boolean {
  const status = statusOf(err);
  if (status === undefined) return true;
  return status === 429 || status >= 500;
}

/** A short description for logs and notes (never the whole response). */
export function kubeErrorText(err: unknown): string {
  const status = statusOf(err);
  let message = err instanceof Error ? err.message : String(err);
  if (err instanceof ApiException) {
    const body = err.body as { message?: unknown } | string | undefined;
    if (body && typeof body === 'object' && typeof body.message === 'string') message = body.message;
    else if (typeof body === 'string') {
      try {
        const parsed = JSON.parse(body) as { message?: unknown };
        if (typeof parsed.message === 'string') message = parsed.message;
      } catch {
        // keep the exception's own message
      }
    }
  }
  message = message.replace(/\s+/g, ' ').slice(0, 300);
  return status ? `HTTP ${status}: ${message}` : message;
}
