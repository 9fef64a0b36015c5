// The decision: match every item against the families, drop what later successes superseded, and
// pick the decisive match. Precedence (tested in test/unit/diagnosis/precedence.test.ts):
//   1. a Ready pod is fine, whatever happened before;
//   2. a success clears earlier trouble of its topic (Pulled → image, Scheduled → scheduling, a
//      created/running container → image, mounts, attach, sandbox, config) for the same container;
//   3. among what is left the strongest wins (decisive > weak > unknown > progress), then the
//      newest, then the more specific (OOMKilled over CrashLoopBackOff), then the later input;
//   4. nothing left: `normal`.
import { attachmentMatches } from './attachment.js';
import { CATEGORY_DEFAULTS } from './catalogue.js';
import { collect, type Resolution, STATUS_TIME } from './evidence.js';
import { excerpt } from './normalize.js';
import { requestedResources } from './quantity.js';
import { type Family, type Item, type Match, type RuleContext, STRENGTH_RANK } from './rule.js';
import { configFamily } from './rules/config.js';
import { imageCauseFamily, imageFamily } from './rules/image.js';
import { podFamily } from './rules/pod.js';
import { quotaFamily } from './rules/quota.js';
import { runtimeFamily } from './rules/runtime.js';
import { schedulingFamily } from './rules/scheduling.js';
import { startupFamily } from './rules/startup.js';
import { volumeFamily } from './rules/volume.js';
import type { Category, Diagnosis, DiagnosisParams, Evidence, EvidenceRef, PodLike } from './types.js';

/**
 * Order matters: specific families first, the runtime family's `Error: <anything>` after them, the
 * benign start-up warnings next, and last an image cause pasted without its envelope.
 */
const FAMILIES: readonly Family[] = [
  imageFamily,
  configFamily,
  volumeFamily,
  schedulingFamily,
  quotaFamily,
  podFamily,
  runtimeFamily,
  startupFamily,
  imageCauseFamily,
];

interface Scored {
  item: Item;
  match: Match;
}

/** Normal events that never carry trouble: no rule needs to look at them. */
const INFORMATIONAL = new Set([
  'Scheduled',
  'Pulled',
  'Created',
  'Started',
  'Killing',
  'SandboxChanged',
  'SuccessfulAttachVolume',
  'SuccessfulMountVolume',
  'AddedInterface',
  'TriggeredScaleUp',
  'NotTriggerScaleUp',
]);

const INFO: Match = { category: 'normal', strength: 'info', topic: 'pod', params: {}, rule: 'normal' };

export function matchItem(item: Item, ctx: RuleContext): Match {
  if (item.type === 'Normal' && INFORMATIONAL.has(item.reason)) return { ...INFO, params: {} };
  for (const family of FAMILIES) {
    const m = family(item, ctx);
    if (m) return m;
  }
  if (item.type === 'Warning')
    return {
      category: 'unknown.warning',
      strength: 'unknown',
      topic: 'pod',
      params: {},
      rule: 'unrecognised-warning',
    };
  return { ...INFO, params: {} };
}

function later(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
  return a.at > b.at || (a.at === b.at && a.seq > b.seq);
}

function sameScope(r: Resolution, s: Scored): boolean {
  const container = s.match.params.container ?? s.item.container;
  if (r.container && container) return r.container === container;
  const image = s.match.params.image;
  if (r.image && image) return r.image === image;
  return true;
}

function cleared(s: Scored, resolutions: readonly Resolution[]): boolean {
  return resolutions.some(
    (r) =>
      r.clears.includes(s.match.topic) &&
      // Pod status is "now" on both sides: a status problem is never cleared by status.
      !(r.kind === 'pod-status' && s.item.kind === 'pod-status') &&
      later(r, s.item) &&
      sameScope(r, s),
  );
}

function better(a: Scored, b: Scored): boolean {
  const ra = STRENGTH_RANK[a.match.strength];
  const rb = STRENGTH_RANK[b.match.strength];
  if (ra !== rb) return ra > rb;
  if (a.item.at !== b.item.at) return a.item.at > b.item.at;
  const pa = a.match.priority ?? 0;
  const pb = b.match.priority ?? 0;
  if (pa !== pb) return pa > pb;
  return a.item.seq > b.item.seq;
}

function ref(item: Item): EvidenceRef {
  const out: EvidenceRef = { kind: item.kind, reason: item.reason, message: excerpt(item.message) };
  if (item.ref) out.ref = item.ref;
  if (Number.isFinite(item.at) && item.at !== STATUS_TIME) out.at = new Date(item.at).toISOString();
  return out;
}

function diagnosis(category: Category, params: DiagnosisParams, evidence: EvidenceRef[]): Diagnosis {
  const d = CATEGORY_DEFAULTS[category];
  return { category, severity: d.severity, action: d.action, params, evidence };
}

function containerImage(pod: PodLike | undefined, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const all = [
    ...(Array.isArray(pod?.spec?.containers) ? pod.spec.containers : []),
    ...(Array.isArray(pod?.spec?.initContainers) ? pod.spec.initContainers : []),
  ];
  const image = all.find((c) => c && c.name === name)?.image;
  return typeof image === 'string' ? image : undefined;
}

/** The decision itself; `classify` in index.ts wraps it so that nothing can escape as an exception. */
export function decide(evidence: Evidence): Diagnosis {
  const pod = evidence.pod && typeof evidence.pod === 'object' ? evidence.pod : undefined;
  const ctx: RuleContext = {};
  if (pod) ctx.pod = pod;
  if (evidence.capacity && typeof evidence.capacity === 'object') ctx.capacity = evidence.capacity;
  const { items, resolutions, podReady, deleting } = collect(evidence.events, pod);
  if (podReady) {
    return diagnosis('normal', {}, [
      {
        kind: 'pod-status',
        reason: 'Ready',
        message: 'all containers are ready',
        ref: 'status.conditions[Ready]',
      },
    ]);
  }
  const scored: Scored[] = items.map((item) => ({ item, match: matchItem(item, ctx) }));
  const lastSeq = [...items, ...resolutions].reduce((m, x) => Math.max(m, x.seq), 0);
  scored.push(...attachmentMatches(evidence.attachments, lastSeq));
  const live = scored.filter((s) => s.match.strength === 'info' || !cleared(s, resolutions));
  let best: Scored | undefined;
  for (const s of live) if (!best || better(s, best)) best = s;
  if (!best || best.match.strength === 'info') {
    const newest = [...scored].sort((a, b) => (later(a.item, b.item) ? -1 : 1))[0];
    return diagnosis('normal', {}, newest ? [ref(newest.item)] : []);
  }
  // Warnings while the pod is being torn down are not why the spawn failed.
  if (deleting && best.match.strength === 'unknown') return diagnosis('normal', {}, [ref(best.item)]);

  const params: DiagnosisParams = { ...best.match.params };
  if (params.container === undefined && best.item.container) params.container = best.item.container;
  if (params.exitCode === undefined && best.item.exitCode !== undefined) params.exitCode = best.item.exitCode;
  if (best.match.topic === 'image' && !params.image) {
    // A summary event ("Error: ImagePullBackOff") does not name the image; its siblings or the spec do.
    const sibling = live.find(
      (s) =>
        s.match.topic === 'image' &&
        s.match.params.image &&
        (s.match.params.container ?? s.item.container) === params.container,
    );
    const image = sibling?.match.params.image ?? containerImage(pod, params.container);
    if (image) {
      params.image = image;
      if (sibling?.match.params.registry) params.registry = sibling.match.params.registry;
    }
  }
  if (best.match.category === 'runtime.oom_killed' && !params.requested) {
    const requested = requestedResources(pod);
    if (Object.keys(requested).length) params.requested = requested;
  }
  params.reason = best.item.reason;
  const head = ref(best.item);
  params.message = head.message;
  const support = live
    .filter((s) => s !== best && s.match.category === best.match.category)
    .sort((a, b) => (later(a.item, b.item) ? -1 : 1))
    .slice(0, 4)
    .map((s) => ref(s.item));
  return diagnosis(best.match.category, params, [head, ...support]);
}
