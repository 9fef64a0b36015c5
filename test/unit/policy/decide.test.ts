import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CATEGORY_DEFAULTS } from '../../../src/diagnosis/catalogue.js';
import { CATEGORIES, type Category, type Diagnosis } from '../../../src/diagnosis/types.js';
import { DEFAULT_POLICY, decide, mergePolicy } from '../../../src/policy/index.js';
import type { PolicyInput } from '../../../src/policy/types.js';

const T0 = Date.parse('2026-01-01T10:00:00Z');

function diag(category: Category): Diagnosis {
  return { category, ...CATEGORY_DEFAULTS[category], params: {}, evidence: [] };
}

function input(category: Category, over: Partial<PolicyInput> = {}): PolicyInput {
  return {
    diagnosis: diag(category),
    timeline: { created: T0 },
    since: T0,
    now: T0,
    podReady: false,
    ...over,
  };
}

describe('decide', () => {
  it('stops an unrecoverable category at once', () => {
    for (const c of ['image.not_found', 'volume.pvc_not_found', 'config.missing_reference'] as const) {
      const d = decide(input(c, { now: T0 + 10 }), DEFAULT_POLICY);
      assert.equal(d.kind, 'stop', c);
    }
  });

  it('keeps waiting on a pull without a budget and carries the progress note', () => {
    const pull = { image: 'big:1', imageSize: 5e9, etaSeconds: 40 };
    const d = decide(input('image.pulling', { now: T0 + 3_600_000, pull }), DEFAULT_POLICY);
    assert.equal(d.kind, 'wait');
    assert.deepEqual(d.kind === 'wait' && d.progress, pull);
    assert.equal(d.kind === 'wait' && d.recheckAt, undefined);
  });

  for (const c of ['volume.pvc_pending', 'image.registry_unreachable', 'sandbox.failed'] as const) {
    it(`${c} waits within its budget, then stops`, () => {
      const budget = DEFAULT_POLICY[c].budgetSeconds * 1000;
      assert.ok(budget > 0);
      const before = decide(input(c, { now: T0 + budget - 1 }), DEFAULT_POLICY);
      assert.equal(before.kind, 'wait');
      assert.equal(before.kind === 'wait' && before.recheckAt, T0 + budget);
      assert.equal(decide(input(c, { now: T0 + budget }), DEFAULT_POLICY).kind, 'stop');
    });
  }

  it('unknown.warning stops only after its grace', () => {
    const grace = DEFAULT_POLICY['unknown.warning'].graceSeconds * 1000;
    assert.ok(grace > 0);
    const early = decide(input('unknown.warning', { now: T0 + grace - 1 }), DEFAULT_POLICY);
    assert.equal(early.kind, 'wait');
    assert.equal(early.kind === 'wait' && early.recheckAt, T0 + grace);
    assert.equal(decide(input('unknown.warning', { now: T0 + grace }), DEFAULT_POLICY).kind, 'stop');
  });

  it('unknown.warning gets a fresh grace when the pod progresses after it', () => {
    const grace = DEFAULT_POLICY['unknown.warning'].graceSeconds * 1000;
    const progressed = T0 + 5_000;
    const d = decide(
      input('unknown.warning', { timeline: { created: T0 - 1000, pulled: progressed }, now: T0 + grace + 1 }),
      DEFAULT_POLICY,
    );
    assert.equal(d.kind, 'wait');
    assert.equal(d.kind === 'wait' && d.recheckAt, progressed + grace);
    // Progress before the warning does not help.
    const stale = decide(
      input('unknown.warning', { timeline: { created: T0 - 9000, pulled: T0 - 5000 }, now: T0 + grace }),
      DEFAULT_POLICY,
    );
    assert.equal(stale.kind, 'stop');
  });

  it('waits on insufficient resources while the autoscaler scales up, within the budget', () => {
    const budget = DEFAULT_POLICY['scheduling.insufficient_resources'].budgetSeconds * 1000;
    const scaling = decide(
      input('scheduling.insufficient_resources', { scaleUpAt: T0 + 1000, now: T0 + 2000 }),
      DEFAULT_POLICY,
    );
    assert.equal(scaling.kind, 'wait');
    assert.equal(
      decide(input('scheduling.insufficient_resources', { now: T0 + 2000 }), DEFAULT_POLICY).kind,
      'stop',
    );
    assert.equal(
      decide(input('scheduling.insufficient_resources', { scaleUpAt: T0, now: T0 + budget }), DEFAULT_POLICY)
        .kind,
      'stop',
    );
    // The autoscaler does not make an unsatisfiable request satisfiable.
    assert.equal(
      decide(input('scheduling.unsatisfiable', { scaleUpAt: T0, now: T0 + 1 }), DEFAULT_POLICY).kind,
      'stop',
    );
  });

  it('honours configured actions and graces', () => {
    const policy = mergePolicy({
      'image.not_found': { action: 'notify' },
      'volume.pvc_not_found': { graceSeconds: 20 },
      'scheduling.insufficient_resources': { action: 'wait', budgetSeconds: 0 },
    });
    assert.equal(decide(input('image.not_found'), policy).kind, 'notify');
    assert.equal(decide(input('volume.pvc_not_found', { now: T0 + 19_999 }), policy).kind, 'wait');
    assert.equal(decide(input('volume.pvc_not_found', { now: T0 + 20_000 }), policy).kind, 'stop');
    assert.equal(decide(input('scheduling.insufficient_resources', { now: T0 + 1e9 }), policy).kind, 'wait');
    // A site that makes image.pulling wait with a budget gets a stop after it.
    const bounded = mergePolicy({ 'image.pulling': { budgetSeconds: 60 } });
    assert.equal(decide(input('image.pulling', { now: T0 + 60_000 }), bounded).kind, 'stop');
  });

  it('never acts on normal, nor on a pod being deleted', () => {
    assert.equal(decide(input('normal', { now: T0 + 1e9 }), DEFAULT_POLICY).kind, 'wait');
    assert.equal(
      decide(input('image.not_found', { timeline: { created: T0, deleted: T0 + 1 } }), DEFAULT_POLICY).kind,
      'wait',
    );
  });

  it('property: a ready pod is never stopped, whatever the category, config and times', () => {
    const policyArb = fc.record({
      action: fc.constantFrom('stop', 'wait', 'notify', 'none' as const),
      graceSeconds: fc.integer({ min: 0, max: 1000 }),
      budgetSeconds: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...CATEGORIES),
        policyArb,
        fc.integer({ min: -1e7, max: 1e7 }),
        fc.integer({ min: 0, max: 1e7 }),
        fc.option(fc.integer({ min: 0, max: 1e7 }), { nil: undefined }),
        (category, cfg, sinceOffset, elapsed, scaleUp) => {
          const policy = mergePolicy({ [category]: cfg });
          const base = {
            since: T0 + sinceOffset,
            now: T0 + elapsed,
            ...(scaleUp !== undefined ? { scaleUpAt: T0 + scaleUp } : {}),
          };
          assert.equal(decide(input(category, { ...base, podReady: true }), policy).kind, 'wait');
          const d = decide(input(category, base), policy);
          assert.ok(['wait', 'stop', 'notify'].includes(d.kind));
          assert.ok(d.reason.length > 0);
          if (d.kind === 'wait' && d.recheckAt !== undefined) assert.ok(d.recheckAt > base.now);
        },
      ),
    );
  });

  it('property: stops only categories configured to stop, or waits whose budget ran out', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CATEGORIES), fc.integer({ min: 0, max: 1e7 }), (category, elapsed) => {
        const d = decide(input(category, { now: T0 + elapsed }), DEFAULT_POLICY);
        if (d.kind !== 'stop') return;
        const cfg = DEFAULT_POLICY[category];
        assert.ok(cfg.action === 'stop' || (cfg.action === 'wait' && cfg.budgetSeconds > 0), category);
      }),
    );
  });
});
