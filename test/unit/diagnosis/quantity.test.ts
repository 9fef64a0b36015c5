import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQuantity, requestedResources } from '../../../src/diagnosis/index.js';

describe('parseQuantity', () => {
  const cases: Array<[string | number, number]> = [
    ['500m', 0.5],
    ['2', 2],
    [4, 4],
    ['1.5', 1.5],
    ['100k', 100_000],
    ['1Ki', 1024],
    ['512Mi', 512 * 2 ** 20],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2Ti', 2 * 2 ** 40],
    ['1M', 1e6],
    ['3G', 3e9],
    ['1T', 1e12],
    ['2E', 2e18],
    ['1e3', 1000],
    ['12E-1', 1.2],
    ['250u', 0.00025],
    ['100n', 1e-7],
    [' 8Gi ', 8 * 2 ** 30],
    ['.5', 0.5],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected}`, () => {
      const got = parseQuantity(input);
      assert.ok(Math.abs(got - expected) <= Math.abs(expected) * 1e-12, `${got}`);
    });
  }
  it('returns NaN for garbage', () => {
    for (const bad of [
      '',
      'Gi',
      '1Xi',
      '1 Gi',
      '--1',
      'abc',
      '1.2.3',
      Number.POSITIVE_INFINITY,
      Number.NaN,
    ]) {
      assert.ok(Number.isNaN(parseQuantity(bad as string)), String(bad));
    }
  });
});

describe('requestedResources', () => {
  it('sums containers, falls back to limits, and takes the init-container maximum', () => {
    const r = requestedResources({
      spec: {
        containers: [
          { name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
          {
            name: 'b',
            resources: { requests: { cpu: '1.5' }, limits: { 'nvidia.com/gpu': '2', memory: '2Gi' } },
          },
        ],
        initContainers: [{ name: 'i', resources: { requests: { cpu: '4', memory: '1Mi' } } }],
      },
    });
    assert.deepEqual(r, { cpu: 4, memory: 3 * 2 ** 30, 'nvidia.com/gpu': 2 });
  });
  it('skips garbage and survives missing specs', () => {
    assert.deepEqual(requestedResources(undefined), {});
    assert.deepEqual(
      requestedResources({
        spec: { containers: [{ resources: { requests: { cpu: 'lots', memory: '-1' } } }] },
      }),
      {},
    );
    assert.deepEqual(requestedResources({ spec: { containers: 'nope' as never } }), {});
  });
});
