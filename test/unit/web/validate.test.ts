// The hand validator of the browser bundle must agree with the zod contract on every input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as contract from '../../../src/diagnosis/annotation.js';
import { CATEGORIES } from '../../../src/diagnosis/types.js';
import * as events from '../../../web/src/events.js';
import { validateAnnotation } from '../../../web/src/validate.js';

const valid = {
  version: 1,
  category: 'scheduling.insufficient_resources',
  action: 'stop',
  severity: 'error',
  title: { en: 'No room', cs: 'Není místo' },
  detail: { en: 'd', cs: 'd' },
  advice: [{ en: 'a', cs: 'a', request: { cpu: 2, memory: 8, gpu: 'none', gpu_count: 0 } }],
  contact: 'support@example.org',
  progress: { imageSize: 4.2e9, etaSeconds: 120 },
};

function agree(input: unknown): void {
  const z = contract.diagnosisAnnotationSchema.safeParse(input);
  const h = validateAnnotation(input);
  assert.equal(h.ok, z.success, `zod ${z.success ? 'accepts' : 'rejects'} ${JSON.stringify(input)}`);
  // Compared as JSON: zod keeps a key whose value is undefined, which JSON input never has.
  if (h.ok && z.success)
    assert.deepEqual(JSON.parse(JSON.stringify(h.value)), JSON.parse(JSON.stringify(z.data)));
}

test('the wire constants are the contract’s', () => {
  assert.equal(events.ANNOTATION_KEY, contract.ANNOTATION_KEY);
  assert.equal(events.DIAGNOSIS_REASON, contract.DIAGNOSIS_REASON);
  assert.equal(events.PROGRESS_REASON, contract.PROGRESS_REASON);
  assert.equal(events.COMPONENT, contract.COMPONENT);
});

test('a full valid annotation passes both and comes out the same', () => {
  agree(valid);
  assert.ok(validateAnnotation(valid).ok);
});

test('named edge cases agree with zod', () => {
  const cases: unknown[] = [
    null,
    [],
    'x',
    { ...valid, version: 2 },
    { ...valid, category: 'image.nope' },
    { ...valid, advice: undefined },
    { ...valid, advice: Array.from({ length: 11 }, () => ({ en: 'a', cs: 'b' })) },
    { ...valid, advice: [{ en: 'a', cs: 'b', request: { cpu: 0, memory: 1, gpu: 'none', gpu_count: 0 } }] },
    { ...valid, advice: [{ en: 'a', cs: 'b', request: { cpu: 1, memory: 1, gpu: '', gpu_count: 0 } }] },
    { ...valid, advice: [{ en: 'a', cs: 'b', request: { cpu: 1, memory: 1, gpu: 'none', gpu_count: 1.5 } }] },
    { ...valid, advice: [{ en: 'a', cs: 'b', request: null }] },
    { ...valid, title: { en: 'x'.repeat(4001), cs: '' } },
    { ...valid, title: { en: 'x'.repeat(4000), cs: '' } },
    { ...valid, contact: 'x'.repeat(321) },
    { ...valid, contact: null },
    { ...valid, docs: 7 },
    { ...valid, progress: { imageSize: -1 } },
    { ...valid, progress: {} },
    { ...valid, progress: null },
    { ...valid, extra: '<script>' },
    { ...valid, title: { en: 'a', cs: 'b', html: '<b>' } },
  ];
  for (const c of cases) agree(c);
});

// Generated annotations: mostly near-valid, with fields swapped for odd values, so both the
// accepting and the rejecting paths are exercised.
const odd = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 5 }),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
// Mostly the good value, sometimes an odd one.
const mostly = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: odd, weight: 1 });
const textArb = fc.record({ en: fc.string({ maxLength: 20 }), cs: fc.string({ maxLength: 20 }) });
const requestArb = fc.record({
  cpu: mostly(fc.double({ min: -2, max: 64 })),
  memory: mostly(fc.double({ min: -2, max: 512 })),
  gpu: mostly(fc.constantFrom('none', 'nvidia.com/gpu', '')),
  gpu_count: fc.oneof(fc.integer({ min: -2, max: 8 }), fc.double({ min: 0, max: 8 }), odd),
});
const adviceArb = fc.record(
  { en: mostly(fc.string({ maxLength: 10 })), cs: fc.string({ maxLength: 10 }), request: requestArb },
  { requiredKeys: ['en', 'cs'] },
);
const annotationArb = fc.record(
  {
    version: mostly(fc.constant(1)),
    category: mostly(fc.constantFrom(...CATEGORIES)),
    action: mostly(fc.constantFrom('wait', 'notify', 'stop', 'none', 'stop', 'kill')),
    severity: fc.constantFrom('info', 'warning', 'error', 'error', 'error', 'fatal'),
    title: mostly(textArb),
    detail: textArb,
    advice: mostly(fc.array(adviceArb, { maxLength: 12 })),
    contact: mostly(fc.string({ maxLength: 30 })),
    docs: fc.string({ maxLength: 30 }),
    progress: fc.oneof(
      fc.record(
        {
          imageSize: mostly(fc.double({ min: -5, max: 1e10 })),
          etaSeconds: fc.double({ min: -5, max: 1e4 }),
        },
        { requiredKeys: [] },
      ),
      odd,
    ),
  },
  { requiredKeys: ['version', 'category', 'action', 'severity', 'title', 'detail'] },
);

test('generated annotations: the hand validator and zod agree', () => {
  let accepted = 0;
  fc.assert(
    fc.property(annotationArb, (a) => {
      agree(a);
      if (validateAnnotation(a).ok) accepted += 1;
    }),
    { numRuns: 3000 },
  );
  // The generator must exercise both sides, or the property above proves little.
  assert.ok(accepted > 30, `only ${accepted} generated annotations were valid`);
});
