// Message normalisation: one canonical text for the wordings of every Kubernetes version, so the
// rules match a single form. Kept linear-time: inputs may be huge or hostile.

/** Messages longer than this are cut before matching; Kubernetes itself caps event messages at 1 KiB. */
export const MAX_MESSAGE = 8192;

export interface NormalizedMessage {
  text: string;
  /** The first gRPC status code seen (`rpc error: code = NotFound desc = ...`), if any. */
  rpcCode?: string;
  /** The API server cut the message at 1024 characters (it ends with ` ...`). */
  truncated: boolean;
}

const COMBINED = /^\s*\(combined from similar events\):\s*/;
const RPC = /rpc error: code = (\w+) desc = /g;

export function normalizeMessage(raw: unknown): NormalizedMessage {
  let text = typeof raw === 'string' ? raw : raw == null ? '' : String(raw);
  if (text.length > MAX_MESSAGE) text = text.slice(0, MAX_MESSAGE);
  text = text.replace(COMBINED, '');
  let truncated = false;
  if (text.endsWith(' ...')) {
    truncated = true;
    text = text.slice(0, -4);
  }
  let rpcCode: string | undefined;
  // Before ~1.30 kubelet kept the CRI's gRPC wrapper in the text; later versions strip it.
  text = text.replace(RPC, (_all, code: string) => {
    rpcCode ??= code;
    return '';
  });
  // The scheduler and kubelet used to append a period to messages that already ended in one.
  text = text.replace(/\.\.(?=\s|$)/g, '.').trim();
  return rpcCode === undefined ? { text, truncated } : { text, rpcCode, truncated };
}

const SPACING = /\s{2}|[^\S ]/;

/** A message fit for logs and the diagnosis: normalised, single-spaced, at most `max` characters. */
export function excerpt(text: string, max = 1024): string {
  // Collapsing whitespace only shortens, so twice the budget is plenty to look at.
  const head = text.length > max * 2 ? text.slice(0, max * 2) : text;
  // Most messages are already single-spaced; skip the rewrite for them.
  const flat = SPACING.test(head) ? head.replace(/\s+/g, ' ').trim() : head.trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
