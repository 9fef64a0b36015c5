// Diagnosis + timeline + per-category config → wait / notify / stop. Pure and total.
import type { CategoryPolicy } from '../config/schema.js';
import { type Category, categoryEntry } from '../diagnosis/catalogue.js';
import { type Decision, MILESTONES, type PolicyInput, type SpawnTimeline } from './types.js';

const secs = (ms: number) => Math.round(ms / 100) / 10;

/** The latest milestone reached, in epoch ms. */
export function lastProgress(t: SpawnTimeline): number | undefined {
  let last: number | undefined;
  for (const m of MILESTONES) {
    const v = t[m];
    if (v !== undefined && Number.isFinite(v) && (last === undefined || v > last)) last = v;
  }
  return last;
}

export function decide(input: PolicyInput, policy: Readonly<Record<Category, CategoryPolicy>>): Decision {
  const { diagnosis, timeline, now } = input;
  const category = diagnosis.category;
  const cfg = policy[category];
  if (input.podReady) return { kind: 'wait', reason: 'the pod is ready; a ready pod is never stopped' };
  if (timeline.deleted !== undefined) return { kind: 'wait', reason: 'the pod is already being deleted' };
  if (category === 'normal' || cfg.action === 'none') {
    return { kind: 'wait', reason: `${category}: nothing to do` };
  }
  const since = Number.isFinite(input.since) ? Math.min(input.since, now) : now;

  if (cfg.action === 'wait') {
    const progress = category === 'image.pulling' ? input.pull : undefined;
    if (cfg.budgetSeconds === 0) {
      return {
        kind: 'wait',
        reason: `${category}: waiting without a budget`,
        ...(progress ? { progress } : {}),
      };
    }
    const deadline = since + cfg.budgetSeconds * 1000;
    if (now >= deadline) {
      return {
        kind: 'stop',
        reason: `${category}: waited ${secs(now - since)} s, beyond the budget of ${cfg.budgetSeconds} s`,
      };
    }
    return {
      kind: 'wait',
      reason: `${category}: within the budget of ${cfg.budgetSeconds} s (${secs(now - since)} s so far)`,
      recheckAt: deadline,
      ...(progress ? { progress } : {}),
    };
  }

  // stop or notify: a transient shortage while the autoscaler adds a node is worth waiting for.
  if (categoryEntry(category).waitsForScaleUp && input.scaleUpAt !== undefined && cfg.budgetSeconds > 0) {
    const deadline = Math.min(since, input.scaleUpAt) + cfg.budgetSeconds * 1000;
    if (now < deadline) {
      return {
        kind: 'wait',
        reason: `${category}: the cluster autoscaler is adding a node; waiting up to ${cfg.budgetSeconds} s`,
        recheckAt: deadline,
      };
    }
  }

  // Grace counts from the decisive evidence, or from later progress: a pod that moved on after a
  // warning gets a fresh grace (the warning may have been transient).
  const progressed = lastProgress(timeline);
  const start = progressed !== undefined && progressed > since ? progressed : since;
  const due = start + cfg.graceSeconds * 1000;
  if (now < due) {
    return {
      kind: 'wait',
      reason:
        start === since
          ? `${category}: within the grace of ${cfg.graceSeconds} s`
          : `${category}: the pod progressed after the evidence; grace of ${cfg.graceSeconds} s restarts`,
      recheckAt: due,
    };
  }
  return cfg.action === 'notify'
    ? { kind: 'notify', reason: `${category}: configured to notify only` }
    : {
        kind: 'stop',
        reason:
          cfg.graceSeconds > 0
            ? `${category}: persisted beyond the grace of ${cfg.graceSeconds} s`
            : `${category}: cannot recover`,
      };
}
