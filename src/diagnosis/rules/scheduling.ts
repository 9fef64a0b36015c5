// Scheduling family: the scheduler's FailedScheduling message (and the PodScheduled condition that
// carries the same text) taken apart into short resources, taints and selector terms, plus the
// kubelet's admission rejections (OutOfcpu, UnexpectedAdmissionError).
import { judgeCapacity } from '../capacity.js';
import { requestedResources } from '../quantity.js';
import { clean, type Family, type Item, type Match, type RuleContext } from '../rule.js';
import type { DiagnosisParams } from '../types.js';

export interface SchedulingReasons {
  short: string[];
  taints: string[];
  selector: string[];
  /** Reasons that are about placement (anti-affinity, topology spread, ports, volume zone). */
  placement: string[];
  unschedulableNodes: boolean;
  /** A resource is short but the message does not say which (1.0's `PodFitsResources`). */
  anyResource: boolean;
  /** A scheduler extender's quota reason (e.g. gpu-admission's `ExceedsGPUQuota`). */
  quota: string[];
  /** Text that is no reason list at all (`failed to find a fit for pod: <spec>`). */
  unparsed: string[];
}

// Older schedulers: `node(s) had taint {k: v}, that the pod didn't tolerate`; ~1.25+: `node(s) had
// untolerated taint {k: v}`; newest: `node(s) had untolerated taint(s)` without the taint.
const TAINT = /had (?:untolerated )?taints? \{([^}]*)\}/;
const TAINT_BARE = /had untolerated taint\(s\)|had taints that the pod didn't tolerate/;
const SELECTOR = /didn't match (?:Pod's )?node (?:affinity\/selector|selector|affinity)/;
// Predicate names of the 1.x schedulers (`No nodes are available that match all of the following
// predicates:: Insufficient cpu (2), MatchNodeSelector (1).`, `fit failure summary on nodes : …`).
const PREDICATE_TAINT =
  /^(?:PodToleratesNodeTaints|PodToleratesNodeNoExecuteTaints|MatchTaints|TaintToleration)$/;
const PREDICATE_SELECTOR = /^(?:MatchNodeSelector|PodMatchNodeSelector|NodeAffinity|HostName)$/;
const PREDICATE_UNSCHEDULABLE = /^(?:CheckNodeUnschedulable|NodeUnschedulable)$/;
const PREDICATE_RESOURCES = /^(?:PodFitsResources|GeneralPredicates)$/;
// The openings of the scheduler's texts across versions, wrappers included.
const LIST_START =
  /^(?:[\s\S]*?\d+\/\d+ nodes are available:|No nodes are available that match all of the following predicates::?|[\s\S]*?fit failure summary on nodes :|Cannot schedule pods:|Failed for reason)/;

/** Splits `0/6 nodes are available: 1 node(s) ..., 2 Insufficient cpu. preemption: ...`. */
export function parseSchedulingMessage(message: string): SchedulingReasons {
  const out: SchedulingReasons = {
    short: [],
    taints: [],
    selector: [],
    placement: [],
    unschedulableNodes: false,
    anyResource: false,
    quota: [],
    unparsed: [],
  };
  let body = message;
  const cut = body.search(/\.?\s*preemption:/);
  if (cut >= 0) body = body.slice(0, cut);
  // 1.3/1.4: `pod (x) failed to fit in any node` and a `fit failure on node (n): A, B` line per node;
  // the reasons of all nodes, once each, make the list.
  const perNode = body.includes('fit failure on node (')
    ? [...body.matchAll(/fit failure on node \([^)]*\):\s*([^\n]*)/g)].flatMap((m) =>
        (m[1] ?? '').split(/,\s*/),
      )
    : [];
  const start = perNode.length > 0 || LIST_START.exec(body) !== null;
  if (perNode.length > 0) body = [...new Set(perNode.map((r) => r.trim()).filter(Boolean))].join(', ');
  else body = body.replace(LIST_START, '');
  // The list ends at the first sentence stop; 1.3x appends sentences such as
  // `no new claims to deallocate` (dots inside names like nvidia.com/gpu are not followed by a space).
  const stop = body.search(/\.(?:\s|$)/);
  if (stop >= 0) body = body.slice(0, stop);
  body = body.replace(/[.,]\s*$/, '');
  // 1.x lists count last (`Insufficient cpu (9), MatchNodeSelector (18)`), later ones first.
  const parts = perNode.length > 0 || /\(\d+\)/.test(body) ? body.split(/,\s+/) : body.split(/,\s+(?=\d+\s)/);
  for (const raw of parts) {
    // `3 Insufficient cpu` (counted first) or `Insufficient cpu (3)` (1.x, counted last).
    const part = raw
      .trim()
      .replace(/^\d+\s+/, '')
      .replace(/\s+\(\d+\)$/, '')
      .replace(/ and possibly others$/, '');
    const insufficient = /^Insufficient (\S+?)\.?$/i.exec(part);
    if (insufficient?.[1]) {
      if (!out.short.includes(insufficient[1])) out.short.push(insufficient[1]);
      continue;
    }
    if (/^Too many pods/.test(part)) {
      if (!out.short.includes('pods')) out.short.push('pods');
      continue;
    }
    const taint = TAINT.exec(part);
    if (taint?.[1] !== undefined) {
      const [key, value] = taint[1].split(/:\s*/, 2);
      const term = value ? `${key}=${value}` : (key ?? '');
      if (term && !out.taints.includes(term)) out.taints.push(term);
      continue;
    }
    if (TAINT_BARE.test(part) || PREDICATE_TAINT.test(part)) {
      if (!out.taints.includes('untolerated taint')) out.taints.push('untolerated taint');
      continue;
    }
    if (SELECTOR.test(part) || PREDICATE_SELECTOR.test(part)) {
      if (!out.selector.includes('node affinity/selector')) out.selector.push('node affinity/selector');
      continue;
    }
    if (/were unschedulable/.test(part) || PREDICATE_UNSCHEDULABLE.test(part)) {
      out.unschedulableNodes = true;
      continue;
    }
    if (PREDICATE_RESOURCES.test(part)) {
      out.anyResource = true;
      continue;
    }
    if (/quota/i.test(part)) {
      out.quota.push(part);
      continue;
    }
    // What follows a list's opening is a placement reason (affinity, ports, volume zone, an
    // extender's own words); anything else is not a reason list at all.
    if (part) (start || parts.length > 1 ? out.placement : out.unparsed).push(part);
  }
  return out;
}

function selectorTerms(ctx: RuleContext, fallback: string[]): string[] {
  const sel = ctx.pod?.spec?.nodeSelector;
  if (sel && typeof sel === 'object') {
    const terms = Object.entries(sel).map(([k, v]) => `${k}=${v}`);
    if (terms.length > 0) return terms;
  }
  return fallback;
}

const PVC_NOT_FOUND = /persistentvolumeclaim "([^"]+)" not found/;
const PVC_UNBOUND =
  /pod has unbound (?:immediate )?PersistentVolumeClaims|didn't find available persistent volumes to bind|waiting for (?:first consumer|volume binding)|PersistentVolumeClaim is not bound: "([^"]+)"/;
const NO_NODES = /^no nodes available to schedule pods/;
const SCHEDULING_REASONS = new Set(['FailedScheduling', 'Unschedulable', 'PodUnschedulable']);
// The scheduler's own texts, recognisable without their reason (pasted copies, issue titles, wrappers
// such as GKE's `Cannot schedule pods:`, the 1.17 framework's `running "VolumeBinding" filter plugin`).
const SCHEDULER_TEXT =
  /^(?:\d+\/\d+ nodes are available\b|No nodes are available that match|pod \(\S+\) failed to fit in any node|\d+ Insufficient \S|Insufficient \S+\. preemption:|(?:running|error while running) "\w+" (?:filter|prefilter|pre-filter) plugin|\[?SchedulerPredicates failed due to|pod has unbound (?:immediate )?PersistentVolumeClaims|persistentvolumeclaim "[^"]+" not found|Cannot schedule pods: |Failed for reason \w+|failed to find a fit for pod|There are no nodes that your pod can schedule to)/;

export const schedulingFamily: Family = (item: Item, ctx: RuleContext): Match | null => {
  if (SCHEDULING_REASONS.has(item.reason) || SCHEDULER_TEXT.test(item.message))
    return failedScheduling(item, ctx);
  return admission(item, ctx);
};

function failedScheduling(item: Item, ctx: RuleContext): Match {
  const msg = item.message;
  const pvc = PVC_NOT_FOUND.exec(msg);
  if (pvc)
    return {
      category: 'volume.pvc_not_found',
      strength: 'decisive',
      topic: 'scheduling',
      params: { pvc: pvc[1] },
      rule: 'scheduling.pvc-not-found',
    };
  const unbound = PVC_UNBOUND.exec(msg);
  if (unbound) {
    const claim = unbound[1] ?? podClaims(ctx)[0];
    return {
      category: 'volume.pvc_pending',
      strength: 'decisive',
      topic: 'scheduling',
      params: clean({ pvc: claim }),
      rule: 'scheduling.pvc-unbound',
    };
  }
  if (NO_NODES.test(msg))
    return {
      category: 'scheduling.no_matching_node',
      strength: 'decisive',
      topic: 'scheduling',
      params: {},
      rule: 'scheduling.no-nodes',
    };
  const reasons = parseSchedulingMessage(msg);
  const params: DiagnosisParams = {};
  if (reasons.taints.length) params.taints = reasons.taints;
  if (reasons.unschedulableNodes)
    params.taints = [...(params.taints ?? []), 'node.kubernetes.io/unschedulable'];
  if (reasons.selector.length) params.selector = selectorTerms(ctx, reasons.selector);
  if (reasons.short.length === 0 && !reasons.anyResource && reasons.quota.length)
    return {
      category: 'quota.exceeded',
      strength: 'decisive',
      topic: 'scheduling',
      params: { cause: reasons.quota.join(', ') },
      rule: 'scheduling.extender-quota',
    };
  if (reasons.short.length === 0 && !reasons.anyResource) {
    const recognised =
      reasons.taints.length ||
      reasons.selector.length ||
      reasons.unschedulableNodes ||
      reasons.placement.length;
    if (!recognised)
      return {
        category: 'unknown.warning',
        strength: 'unknown',
        topic: 'scheduling',
        params: {},
        rule: 'scheduling.unparsed',
      };
    return {
      category: 'scheduling.no_matching_node',
      strength: 'decisive',
      topic: 'scheduling',
      params,
      rule: 'scheduling.no-matching-node',
    };
  }
  return resources(reasons.short, params, ctx, 'scheduling.insufficient');
}

function resources(short: string[], params: DiagnosisParams, ctx: RuleContext, rule: string): Match {
  params.short = short;
  const requested = requestedResources(ctx.pod);
  if (Object.keys(requested).length) params.requested = requested;
  const verdict = judgeCapacity(ctx.pod, ctx.capacity);
  if (verdict) {
    params.largestAllocatable = verdict.largestAllocatable;
    params.largestFree = verdict.largestFree;
    if (verdict.unsatisfiable) {
      // Name what can never fit; the scheduler's list may also name things merely busy now.
      const named = short.filter((n) => verdict.neverFits.includes(n));
      params.short = named.length ? named : verdict.neverFits.length ? verdict.neverFits : short;
      return {
        category: 'scheduling.unsatisfiable',
        strength: 'decisive',
        topic: 'scheduling',
        params,
        rule: `${rule}/never-fits`,
      };
    }
  }
  return {
    category: 'scheduling.insufficient_resources',
    strength: 'decisive',
    topic: 'scheduling',
    params,
    rule,
  };
}

function podClaims(ctx: RuleContext): string[] {
  const volumes = Array.isArray(ctx.pod?.spec?.volumes) ? ctx.pod.spec.volumes : [];
  return volumes
    .map((v) => v?.persistentVolumeClaim?.claimName)
    .filter((c): c is string => typeof c === 'string');
}

// Kubelet admission: `Node didn't have enough resource: cpu, requested: 64000, used: 0, capacity: 8000`
// (reason OutOfcpu / OutOfmemory / OutOfnvidia.com/gpu; in the pod status prefixed `Pod ` or, since
// 1.2x, `Pod was rejected: `) and device-plugin allocation failures (UnexpectedAdmissionError).
const OUT_OF = /^OutOf(\S+)$/;
const ENOUGH = /^(?:Pod (?:was rejected: )?)?Node didn't have enough resource: (\S+?),/;
const DEVICES = /requested number of devices unavailable for (\S+?)\.?(?:\s|$)/;

function admission(item: Item, ctx: RuleContext): Match | null {
  const out = OUT_OF.exec(item.reason);
  const enough = ENOUGH.exec(item.message);
  if (out?.[1] || enough) {
    const name = enough?.[1] ?? out?.[1] ?? 'resources';
    return resources([name], {}, ctx, 'scheduling.admission');
  }
  const m = DEVICES.exec(item.message);
  if (m?.[1]) return resources([m[1]], {}, ctx, 'scheduling.device-admission');
  return null;
}
