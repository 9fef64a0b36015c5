// The labelled corpus: every line of test/fixtures/events/*.jsonl must classify as labelled, with
// at least the labelled parameters. Each line names the source its wording comes from.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CATEGORIES, classify, type Evidence } from '../../../src/diagnosis/index.js';

const DIR = fileURLToPath(new URL('../../fixtures/events/', import.meta.url));

interface Fixture {
  event?: object;
  events?: object[];
  pod?: object;
  capacity?: object;
  expect: { category: string; params: Record<string, unknown> };
  source: string;
}

export function loadFixtures(): Array<{ file: string; line: number; fx: Fixture }> {
  const out: Array<{ file: string; line: number; fx: Fixture }> = [];
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()) {
    readFileSync(DIR + file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (text.trim()) out.push({ file, line: i + 1, fx: JSON.parse(text) as Fixture });
      });
  }
  return out;
}

/** `expected` is contained in `actual`: objects by subset, arrays and scalars exactly. */
function contains(actual: unknown, expected: unknown): boolean {
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    if (!actual || typeof actual !== 'object') return false;
    return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v));
  }
  return JSON.stringify(actual) === JSON.stringify(expected);
}

const fixtures = loadFixtures();

describe('fixture corpus', () => {
  it('has at least 100 labelled events, each with a source, and at least 3 per category', () => {
    assert.ok(fixtures.length >= 100, `only ${fixtures.length} fixtures`);
    for (const { file, line, fx } of fixtures) {
      assert.ok(typeof fx.source === 'string' && fx.source.length > 10, `${file}:${line} has no source`);
      assert.ok((CATEGORIES as readonly string[]).includes(fx.expect.category), `${file}:${line} bad label`);
    }
    for (const category of CATEGORIES) {
      const n = fixtures.filter((f) => f.fx.expect.category === category).length;
      assert.ok(n >= 3, `${category} has only ${n} fixtures`);
    }
  });

  for (const { file, line, fx } of fixtures) {
    it(`${file}:${line} → ${fx.expect.category}`, () => {
      const evidence: Evidence = {
        events: (fx.events ?? (fx.event ? [fx.event] : [])) as Evidence['events'],
      };
      if (fx.pod) evidence.pod = fx.pod as Evidence['pod'];
      if (fx.capacity) evidence.capacity = fx.capacity as Evidence['capacity'];
      const d = classify(evidence);
      assert.equal(d.category, fx.expect.category, `${fx.source}\nparams: ${JSON.stringify(d.params)}`);
      assert.ok(
        contains(d.params, fx.expect.params),
        `params ${JSON.stringify(d.params)} lack ${JSON.stringify(fx.expect.params)}`,
      );
    });
  }
});
