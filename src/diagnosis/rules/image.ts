// Image family: pulls in progress, and why a pull failed. The kubelet wraps the runtime's error in
// a few envelopes (Failed "Failed to pull image", BackOff "Back-off pulling image" with the cause
// since 1.32, the container's waiting state ErrImagePull / ImagePullBackOff); the cause tables
// below classify the runtime's own words (containerd, CRI-O, dockershim).

import { clean, type Family, type Item, type Match, type Rule, type RuleContext, runRules } from '../rule.js';
import type { Category, DiagnosisParams } from '../types.js';

/** The registry host of an image reference, as container runtimes resolve it (default docker.io). */
export function registryOf(image: string): string | undefined {
  const ref = image.trim();
  if (!ref || /\s/.test(ref)) return undefined;
  const slash = ref.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = ref.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first.toLowerCase();
  return 'docker.io';
}

function imageParams(image: string | undefined): DiagnosisParams {
  if (!image) return {};
  return clean({ image, registry: registryOf(image) });
}

interface Cause {
  id: string;
  category: Category;
  pattern: RegExp;
}

// Order matters: "repository does not exist or may require authorization" says both not-found and
// denied; DESIGN section 3 files it under not_found, so not-found patterns come first.
const CAUSES: readonly Cause[] = [
  {
    id: 'invalid-reference',
    category: 'image.invalid_name',
    pattern:
      /invalid reference format|couldn't parse image|InvalidImageName|repository name must be (?:lowercase|canonical)/i,
  },
  {
    // containerd: `<ref>: not found`; Docker 1.x: `Tag x not found in repository y`, `image x not found`.
    id: 'containerd-not-found',
    category: 'image.not_found',
    pattern:
      /: not found\s*$|: not found[:;]|\bNotFound\b|code = NotFound|\bTag \S+ not found in repository|\bimage \S+ not found\b/,
  },
  {
    id: 'manifest-unknown',
    category: 'image.not_found',
    pattern:
      /manifest unknown|manifest for \S+ not found|name unknown|repository name not known to registry/i,
  },
  {
    id: 'repo-does-not-exist',
    category: 'image.not_found',
    pattern: /repository does not exist|does not exist or (?:may require|you don't have)/i,
  },
  { id: 'never-pull', category: 'image.not_found', pattern: /is not present with pull policy of Never/ },
  {
    // DNS, TCP, TLS, timeouts, rate limits, 5xx and broken transfers: the registry, not the image.
    id: 'unavailable',
    category: 'image.registry_unreachable',
    pattern:
      /because the registry is unavailable|no such host|server misbehaving|connection refused|i\/o timeout|network is unreachable|no route to host|connection reset by peer|connection timed out|TLS handshake timeout|x509:|tls: failed to verify|certificate signed by unknown authority|server gave HTTP response to HTTPS client|context deadline exceeded|Client\.Timeout|request canceled|toomanyrequests|429 Too Many Requests|pull rate limit|\b50[0-4]\b [A-Z][a-z]+|HTTP status: 5\d\d|Service Unavailable|Bad Gateway|Gateway Timeout|Internal Server Error|unexpected EOF|: EOF\s*$|failed size validation|unable to ping registry endpoint/i,
  },
  {
    id: 'denied',
    category: 'image.access_denied',
    pattern:
      /\b401\b|\b403\b|Unauthorized|unauthorized|unauthenticated|not authorized|Forbidden|forbidden|denied|authentication (?:is )?required|Authentication is required|no basic auth credentials|failed to authorize|insufficient_scope|signature validation failed/,
  },
];

const NOT_FOUND_BY_CODE: Cause = { id: 'rpc-not-found', category: 'image.not_found', pattern: /$^/ };

function classifyCause(cause: string): Cause | undefined {
  return CAUSES.find((c) => c.pattern.test(cause));
}

// `Failed to pull image "x": <cause>`; a pasted copy may lose the colon; 1.0-era kubelets quoted nothing.
const FAILED_PULL = /^Failed to pull image "([^"]*)"(?:(?::|\s)\s*([\s\S]*))?$/;
const FAILED_PULL_BARE = /^Failed to pull image ([^\s"]+?)(?::\s+([\s\S]*))?$/;
// Docker 1.x (kubelet 1.1): `image pull failed for x, this may be because there are no credentials
// on this request.  details: (<cause>)`.
const PULL_FAILED_FOR = /^image pull failed for (\S+?), [\s\S]*?details: \(([\s\S]*)\)\s*$/;
// 1.32+: `Back-off pulling image "x": ErrImagePull: <cause>`; before: just `Back-off pulling image "x"`.
// Kubelets before 1.6 wrote it in lower case.
// Pasted copies keep the kubelet log's `\"` escapes or lose the closing quote.
const BACKOFF_PULL = /^Back-off pulling image \\?"([^"\\]*)\\?"?(?::\s*(?:ErrImagePull:\s*)?([\s\S]*))?$/i;
const QUOTED_IMAGE = /image "([^"]+)"/;

function failure(item: Item, image: string | undefined, cause: string, ruleId: string): Match {
  const params = imageParams(image);
  if (item.container) params.container = item.container;
  // Newer containerd reports a missing image as gRPC NotFound even when the text is terse.
  const found = classifyCause(cause) ?? (item.rpcCode === 'NotFound' ? NOT_FOUND_BY_CODE : undefined);
  if (found)
    return {
      category: found.category,
      strength: 'decisive',
      topic: 'image',
      params,
      rule: `image.${found.id}/${ruleId}`,
    };
  // A pull failure whose cause we cannot place: real trouble, but not one we can name.
  return {
    category: 'unknown.warning',
    strength: 'weak',
    topic: 'image',
    params,
    rule: `image.unplaced/${ruleId}`,
  };
}

// Envelope rules expressible as plain data.
const RULES: readonly Rule[] = [
  {
    id: 'image.pulling',
    category: 'image.pulling',
    strength: 'progress',
    topic: 'image',
    pattern: /^Pulling image "([^"]*)"?/i,
    params: (m) => imageParams(m[1]),
  },
  {
    id: 'image.invalid-name/inspect',
    category: 'image.invalid_name',
    strength: 'decisive',
    topic: 'image',
    pattern:
      /^(?:Failed to apply default image tag "([^"]*)"|Error: InvalidImageName|Failed to inspect image "([^"]*)": .*(?:invalid reference|couldn't parse))/,
    params: (m) => imageParams(m[1] ?? m[2]),
  },
  {
    id: 'image.never-pull',
    category: 'image.not_found',
    strength: 'decisive',
    topic: 'image',
    pattern:
      /^(?:Container image "([^"]*)" is not present with pull policy of Never|Error: ErrImageNeverPull)/,
    params: (m) => imageParams(m[1]),
  },
  {
    // kuberuntime's summary events carry no cause; the kubelet's Failed event before them does.
    id: 'image.error-summary',
    category: 'unknown.warning',
    strength: 'weak',
    topic: 'image',
    pattern:
      /^Error: (?:ErrImagePull|ImagePullBackOff|ImageInspectError|RegistryUnavailable|SignatureValidationFailed)\s*$/,
  },
];

const STATUS_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'ImageInspectError',
  'RegistryUnavailable',
  'SignatureValidationFailed',
]);

export const imageFamily: Family = (item: Item, ctx: RuleContext): Match | null => {
  const msg = item.message;
  let m = FAILED_PULL.exec(msg) ?? FAILED_PULL_BARE.exec(msg) ?? PULL_FAILED_FOR.exec(msg);
  if (m) return failure(item, m[1], m[2] ?? '', 'failed-pull');
  m = BACKOFF_PULL.exec(msg);
  if (m) {
    if (m[2]?.trim()) return failure(item, m[1], m[2], 'backoff-cause');
    const params = imageParams(m[1]);
    if (item.container) params.container = item.container;
    return {
      category: 'unknown.warning',
      strength: 'weak',
      topic: 'image',
      params,
      rule: 'image.backoff-bare',
    };
  }
  const table = runRules(RULES, item, ctx);
  if (table) return table;
  if (item.kind === 'pod-status' && STATUS_REASONS.has(item.reason)) {
    const image = containerImage(ctx, item.container) ?? QUOTED_IMAGE.exec(msg)?.[1];
    if (item.reason === 'InvalidImageName') {
      const params = imageParams(image);
      if (item.container) params.container = item.container;
      return {
        category: 'image.invalid_name',
        strength: 'decisive',
        topic: 'image',
        params,
        rule: 'image.status-invalid',
      };
    }
    if (item.reason === 'ErrImageNeverPull')
      return failure(item, image, 'is not present with pull policy of Never', 'status');
    return failure(item, image, msg, 'status');
  }
  return null;
};

// The cause alone, pasted without its `Failed to pull image` envelope (a kubelet log line, a status
// message, an issue title): recognised by the runtime's own openings.
const BARE_CAUSE =
  /^(?:initializing source docker:\/\/|Error reading manifest |reading manifest |Error response from daemon: (?:manifest|pull access denied|Get "?https?:|Head "?https?:|unauthorized|toomanyrequests)|failed to pull and unpack image|failed to resolve reference|pinging container registry|error pulling image configuration|manifest for \S+ not found)|couldn't parse image reference|Failed to apply default image tag/;

/**
 * The last resort for image trouble: a cause pasted without its envelope. Runs after every other
 * family, so that a sandbox or mount message that mentions an image is theirs.
 */
export const imageCauseFamily: Family = (item: Item): Match | null => {
  const msg = item.message;
  if (!BARE_CAUSE.test(msg)) return null;
  const found = classifyCause(msg);
  if (!found) return null;
  const params = imageParams(QUOTED_IMAGE.exec(msg)?.[1] ?? REF_IN_CAUSE.exec(msg)?.[1]);
  if (item.container) params.container = item.container;
  return {
    category: found.category,
    strength: 'decisive',
    topic: 'image',
    params,
    rule: `image.${found.id}/bare`,
  };
};

const REF_IN_CAUSE = /docker:\/\/([^\s:]+(?::[^\s:@]+)?(?:@sha256:[0-9a-f]+)?)/;

function containerImage(ctx: RuleContext, container: string | undefined): string | undefined {
  if (!container) return undefined;
  const spec = ctx.pod?.spec;
  const all = [
    ...(Array.isArray(spec?.containers) ? spec.containers : []),
    ...(Array.isArray(spec?.initContainers) ? spec.initContainers : []),
  ];
  const image = all.find((c) => c?.name === container)?.image;
  return typeof image === 'string' ? image : undefined;
}
