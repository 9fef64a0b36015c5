// The shapes shared by the rule families: an evidence item (one event or one piece of pod status,
// already normalised), a rule (data + small matcher) and the match it produces.
import type { CapacitySnapshot, Category, DiagnosisParams, PodLike } from './types.js';

export interface Item {
  kind: 'event' | 'pod-status' | 'volume-attachment';
  /** 'Normal' | 'Warning' for events; pod-status problems are 'Warning'. */
  type: string;
  reason: string;
  /** Normalised message (see normalize.ts). */
  message: string;
  rpcCode?: string;
  /** Milliseconds since the epoch, -Infinity when unknown; pod status counts as "now". */
  at: number;
  /** Input order, the tie-breaker. */
  seq: number;
  /** Event name or status path. */
  ref?: string;
  /** The container the evidence is about (from `involvedObject.fieldPath` or the status). */
  container?: string;
  exitCode?: number;
}

export interface RuleContext {
  pod?: PodLike;
  capacity?: CapacitySnapshot;
}

/**
 * How much a match says. `decisive`: the cause itself; `weak`: a symptom whose cause is elsewhere
 * (a bare back-off, a generic timeout); `unknown`: a Warning nothing recognised; `progress`: work in
 * progress (an image pull); `benign`: a Warning that is usually harmless while the server starts;
 * `info`: nothing wrong.
 */
export type Strength = 'decisive' | 'weak' | 'unknown' | 'progress' | 'benign' | 'info';

export const STRENGTH_RANK: Readonly<Record<Strength, number>> = {
  decisive: 5,
  weak: 4,
  unknown: 3,
  progress: 2,
  benign: 1,
  info: 0,
};

/** What a later success clears: a Pulled clears earlier image trouble, a Scheduled scheduling trouble. */
export type Topic = 'image' | 'scheduling' | 'attach' | 'mount' | 'container' | 'sandbox' | 'runtime' | 'pod';

export interface Match {
  category: Category;
  strength: Strength;
  topic: Topic;
  params: DiagnosisParams;
  /** Breaks ties between matches of the same time (OOMKilled over CrashLoopBackOff). */
  priority?: number;
  rule: string;
}

export interface Rule {
  id: string;
  category: Category;
  strength: Strength;
  topic: Topic;
  /**
   * Event or status reasons the rule applies to; omitted: any reason. Only rules whose pattern alone
   * cannot tell (a catch-all, a generic word) need one: pasted text often comes without its reason.
   */
  reasons?: readonly string[];
  pattern: RegExp;
  priority?: number;
  params?: (m: RegExpExecArray, item: Item, ctx: RuleContext) => DiagnosisParams;
}

/** A family: an ordered rule table, or a matcher for what a table cannot express. */
export type Family = (item: Item, ctx: RuleContext) => Match | null;

/** Runs a rule table: the first rule whose reason and pattern fit wins. */
export function runRules(rules: readonly Rule[], item: Item, ctx: RuleContext): Match | null {
  for (const rule of rules) {
    if (rule.reasons && !rule.reasons.includes(item.reason)) continue;
    const m = rule.pattern.exec(item.message);
    if (!m) continue;
    const params = rule.params ? rule.params(m, item, ctx) : {};
    if (item.container && params.container === undefined) params.container = item.container;
    const match: Match = {
      category: rule.category,
      strength: rule.strength,
      topic: rule.topic,
      params,
      rule: rule.id,
    };
    if (rule.priority !== undefined) match.priority = rule.priority;
    return match;
  }
  return null;
}

/** Drops undefined values so params stay minimal and comparable. */
export function clean(params: DiagnosisParams): DiagnosisParams {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') out[k] = v;
  return out as DiagnosisParams;
}
