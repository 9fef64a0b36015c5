// Message normalisation, the one place for it: one canonical text for the wordings of every
// Kubernetes version and for what people paste, so that the rules match a single form.
//   - envelopes around the real cause: `(combined from similar events): `, Kubeflow's
//     `Reissued from pod/x: `, the kubelet's `Error syncing pod, skipping: failed to "StartContainer"
//     for "x" with CrashLoopBackOff: "…"` (its inner reason is kept), gRPC `rpc error: code = X desc = `;
//   - pasted forms: a kubectl describe or get-events row (type, reason, age, `(xN over …)`, source),
//     an old SubObjectPath column, JupyterHub's event log (`2024-01-01T00:00:00Z [Warning] …`), klog
//     prefixes, `(repeated N times)`, typographic quotes, markdown bold;
//   - old wordings: the double period before 1.3x, lower-case reasons of 1.0-era kubelets.
// Kept linear-time: inputs may be huge or hostile; every pattern is anchored or a single pass.

/** Messages longer than this are cut before matching; Kubernetes itself caps event messages at 1 KiB. */
export const MAX_MESSAGE = 8192;

export interface NormalizedMessage {
  text: string;
  /** The first gRPC status code seen (`rpc error: code = NotFound desc = ...`), if any. */
  rpcCode?: string;
  /** The API server cut the message at 1024 characters (it ends with ` ...`). */
  truncated: boolean;
  /** The event type the paste showed (`[Warning] …`, a describe row). */
  type?: 'Normal' | 'Warning';
  /** The reason the paste showed (a describe row, a status word before the message). */
  reason?: string;
  /**
   * The reason inside an envelope, which replaces the event's own: an unwrapped `Error syncing pod`
   * gives its inner reason (`CrashLoopBackOff`), or `''` when it has none (the wrapper's says nothing).
   */
  innerReason?: string;
}

const COMBINED = /^\s*\(combined from similar events\):\s*/;
const REISSUED = /^Reissued from pod\/[^\s:]+:\s*/;
const RPC = /rpc\s+error:\s+code\s+=\s+(\w+)\s+desc\s+=\s*/g;
// Pre-1.10 kubelets: `Error syncing pod[ <uid> ("name")], skipping: <cause>`; the cause may be
// `failed to "StartContainer" for "c" with Reason: "inner"` (several of them in `[…, …]`).
const SYNC = /^Error syncing pod(?: [0-9a-f-]{36} \([^)]*\))?, skipping: /;
const SYNC_FAILED = /^\[?failed to "\w+" for "[^"]*" with (\w+): "((?:[^"\\]|\\.)*)"/;

// Pasted forms, in the order they appear at the start of a line.
const KLOG = /^(?:[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+\s+)?[\w.-]+\.go:\d+\]\s*/;
const STAMP =
  /^(?:\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?|\d{1,2}:\d\d(?::\d\d)?\s?[AP]M)\s*/;
const BRACKET = /^\[(Warning|Normal)\]\s*/;
// `Warning  FailedMount  2m (x4 over 5m)  kubelet, node-1  <message>` with any columns missing.
const ROW =
  /^(Warning|Normal)(?:\s+|(?=[A-Z]))(?:([A-Z][A-Za-z]{2,})\s+)?(?:(?:\d+[smhd])+(?:\s+\(x\d+ over [^)]*\))?\s+|<unknown>\s+)?(?:(?:kubelet(?:,\s*[\w.-]+)?|default-scheduler|[a-z][\w-]*-(?:controller|scheduler|autoscaler|manager))\s+)?/;
const STATUS_WORD =
  /^(ImagePullBackOff|ErrImagePull|ErrImageNeverPull|InvalidImageName|CreateContainerConfigError|CreateContainerError|RunContainerError|CrashLoopBackOff)(?: error)?\s+(?=\S)/;
const SOURCE = /^(?:kubelet|default-scheduler)\s+(?=[A-Z])/;
const SUBOBJECT = /^spec\.(?:initContainers|containers|ephemeralContainers)\{[^}]+\}\s+/;
const REPEATED = /\s*\((?:repeated \d+ times|x\d+ over [^)]*)\)\s*$/;
const TYPOGRAPHIC = /[\u2018-\u201f\u2033]/;

function plainQuotes(text: string): string {
  return text.replace(/[\u2018\u2019\u201a\u201b]/g, "'").replace(/[\u201c-\u201f\u2033]/g, '"');
}

/** `\"` → `"` and `\\` → `\` of a string the kubelet had quoted with %q. */
function unquote(s: string): string {
  return s.replace(/\\(["\\])/g, '$1');
}

export function normalizeMessage(raw: unknown): NormalizedMessage {
  let text = typeof raw === 'string' ? raw : raw == null ? '' : String(raw);
  if (text.length > MAX_MESSAGE) text = text.slice(0, MAX_MESSAGE);
  let type: 'Normal' | 'Warning' | undefined;
  let reason: string | undefined;
  let innerReason: string | undefined;

  // Cheap gates first: most messages need none of this.
  if (TYPOGRAPHIC.test(text)) text = plainQuotes(text);
  if (text.includes('**')) text = text.replace(/\*\*/g, '');
  text = text.trimStart();
  let m = KLOG.exec(text);
  if (m) text = text.slice(m[0].length);
  m = STAMP.exec(text);
  if (m) text = text.slice(m[0].length);
  m = BRACKET.exec(text) ?? ROW.exec(text);
  if (m) {
    type = m[1] as 'Normal' | 'Warning';
    if (m[2]) reason = m[2];
    text = text.slice(m[0].length);
  }
  m = STATUS_WORD.exec(text);
  if (m) {
    reason ??= m[1];
    text = text.slice(m[0].length);
  }
  m = SOURCE.exec(text) ?? SUBOBJECT.exec(text);
  if (m) text = text.slice(m[0].length);

  if (text.trimStart().startsWith('(')) text = text.replace(COMBINED, '');
  if (text.startsWith('Reissued')) text = text.replace(REISSUED, '');
  m = SYNC.exec(text);
  if (m) {
    text = text.slice(m[0].length);
    const inner = SYNC_FAILED.exec(text);
    if (inner) {
      innerReason = inner[1];
      text = unquote(inner[2] ?? '');
    } else innerReason = '';
  }

  let truncated = false;
  if (text.endsWith(' ...')) {
    truncated = true;
    text = text.slice(0, -4);
  }
  let rpcCode: string | undefined;
  // Before ~1.30 kubelet kept the CRI's gRPC wrapper in the text; later versions strip it.
  if (text.includes('rpc'))
    text = text.replace(RPC, (_all, code: string) => {
      rpcCode ??= code;
      return '';
    });
  if (text.trimEnd().endsWith(')')) text = text.replace(REPEATED, '');
  // The scheduler and kubelet used to append a period to messages that already ended in one.
  if (text.includes('..')) text = text.replace(/\.\.(?=\s|$)/g, '.');
  text = text.trim();
  const out: NormalizedMessage = { text, truncated };
  if (rpcCode !== undefined) out.rpcCode = rpcCode;
  if (type) out.type = type;
  if (reason !== undefined) out.reason = reason;
  if (innerReason !== undefined) out.innerReason = innerReason;
  return out;
}

const SPACED_REASON = /^[A-Z][a-z]+(?: [A-Z][a-z]*)+$/;

/**
 * 1.0-era kubelets wrote reasons in lower case (`pulling`, `failedScheduling`); today's are CamelCase.
 * Some consoles show them in words (`Failed Mount`).
 */
export function normalizeReason(reason: string): string {
  // A console that shows the reason in words (OpenShift 3's `Failed Mount`, `Back Off`).
  if (SPACED_REASON.test(reason)) return reason.replace(/ /g, '');
  const first = reason.charCodeAt(0);
  return first >= 97 && first <= 122 ? reason[0]!.toUpperCase() + reason.slice(1) : reason;
}

/** Reasons that only Normal events carry (what `kubectl describe` shows as Normal). */
const NORMAL_REASONS = new Set([
  'Scheduled',
  'Pulling',
  'Pulled',
  'Created',
  'Started',
  'Killing',
  'SandboxChanged',
  'SuccessfulCreate',
  'SuccessfulDelete',
  'SuccessfulAttachVolume',
  'SuccessfulMountVolume',
  'ScalingReplicaSet',
  'AddedInterface',
  'TriggeredScaleUp',
  'NotTriggerScaleUp',
  'Provisioning',
  'ProvisioningSucceeded',
  'ExternalProvisioning',
  'WaitForFirstConsumer',
  'LeaderElection',
  'Starting',
  'RegisteredNode',
  'NodeReady',
  'NodeAllocatableEnforced',
  'NodeHasSufficientMemory',
  'NodeHasNoDiskPressure',
  'NodeHasSufficientPID',
]);
const WARNING_REASON =
  /^(?:Failed|Err|Error|BackOff|Back-off|Unhealthy|Evicted|OutOf|Unexpected|Invalid|Inspect|Network|SystemOOM|OOM|Preempt|DNSConfig|Missing|Exceeded|ProbeWarning|Create\w*Error|Run\w*Error|CrashLoop|Image\w*BackOff)/;
const FAILURE_WORDS =
  /\b(?:fail(?:ed|ure|s)?|error|unable|cannot|can't|couldn't|denied|refused|forbidden|timed out|timeout|exceeded|not found|invalid|back-?off|unhealthy|unavailable|insufficient|evicted|unschedulable|oom|unexpected)\b/i;

/**
 * A pasted line without its type: Normal or Warning? By the reason when there is one, otherwise by
 * the wording. Real events always carry a type; this only serves pasted text (the CLI, the corpus).
 */
export function inferType(reason: string, text: string): 'Normal' | 'Warning' {
  if (NORMAL_REASONS.has(reason)) return 'Normal';
  if (reason && WARNING_REASON.test(reason)) return 'Warning';
  return FAILURE_WORDS.test(text.length > 2048 ? text.slice(0, 2048) : text) ? 'Warning' : 'Normal';
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
