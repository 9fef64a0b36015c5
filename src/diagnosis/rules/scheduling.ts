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
}

// Older schedulers: `node(s) had taint {k: v}, that the pod didn't tolerate`; ~1.25+: `node(s) had
// untolerated taint {k: v}`; newest: `node(s) had untolerated taint(s)` without the taint.
const TAINT = /had (?:untolerated )?taints? \{([^}]*)\}/;
const TAINT_BARE = /had untolerated taint\(s\)|had taints that the pod didn't tolerate/;
const SELECTOR = /didn't match (?:Pod's )?node (?:affinity\/selector|selector|affinity)/;

/** Splits `0/6 nodes are available: 1 node(s) ..., 2 Insufficient cpu. preemption: ...`. */
export function parseSchedulingMessage(message: string): SchedulingReasons {
  const out: SchedulingReasons = {
    short: [],
    taints: [],
    selector: [],
    placement: [],
    unschedulableNodes: false,
  };
  let body = message;
  const cut = body.search(/\.?\s*preemption:/);
  if (cut >= 0) body = body.slice(0, cut);
  const colon = body.indexOf('nodes are available:');
  if (colon >= 0) body = body.slice(colon + 'nodes are available:'.length);
  // The list ends at the first sentence stop; 1.3x appends sentences such as
  // `no new claims to deallocate` (dots inside names like nvidia.com/gpu are not followed by a space).
  const stop = body.search(/\.(?:\s|$)/);
  if (stop >= 0) body = body.slice(0, stop);
  body = body.replace(/[.,]\s*$/, '');
  for (const raw of body.split(/,\s+(?=\d+\s)/)) {
    const part = raw.trim().replace(/^\d+\s+/, '');
    const insufficient = /^Insufficient (\S+?)\.?$/.exec(part);
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
    if (TAINT_BARE.test(part)) {
      if (!out.taints.includes('untolerated taint')) out.taints.push('untolerated taint');
      continue;
    }
    if (SELECTOR.test(part)) {
      if (!out.selector.includes('node affinity/selector')) out.selector.push('node affinity/selector');
      continue;
    }
    if (/were unschedulable/.test(part)) {
      out.unschedulableNodes = true;
      continue;
    }
    if (part) out.placement.push(part);
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

export const schedulingFamily: Family = (item: Item, ctx: RuleContext): Match | null => {
  if (item.reason === 'FailedScheduling' || item.reason === 'Unschedulable')
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
  if (reasons.short.length === 0) {
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
// (reason OutOfcpu / OutOfmemory / OutOfnvidia.com/gpu) and device-plugin allocation failures.
const OUT_OF = /^OutOf(\S+)$/;
const ENOUGH = /didn't have enough resource: (\S+?),/;
const DEVICES =
  /requested number of devices unavailable for (\S+?)\.?(?:\s|$)|Allocate failed due to .*? for (\S+?)[.,]?(?:\s|$)/;

function admission(item: Item, ctx: RuleContext): Match | null {
  const out = OUT_OF.exec(item.reason);
  if (out?.[1]) {
    const name = ENOUGH.exec(item.message)?.[1] ?? out[1];
    return resources([name], {}, ctx, 'scheduling.admission');
  }
  if (item.reason === 'UnexpectedAdmissionError') {
    const m = DEVICES.exec(item.message);
    const name = m?.[1] ?? m?.[2];
    if (name) return resources([name], {}, ctx, 'scheduling.device-admission');
  }
  return null;
}
