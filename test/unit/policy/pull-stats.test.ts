import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeEvent } from '../../../src/diagnosis/types.js';
import { PullStats, parseGoDuration, parsePulled } from '../../../src/policy/index.js';

let n = 0;
function pulled(message: string): KubeEvent {
  n++;
  return {
    metadata: { uid: `ev-${n}`, name: `p.${n}`, namespace: 'ns' },
    reason: 'Pulled',
    type: 'Normal',
    message,
  };
}

describe('pull stats', () => {
  it('parses Go durations', () => {
    assert.equal(parseGoDuration('1m2.5s'), 62.5);
    assert.equal(parseGoDuration('350ms'), 0.35);
    assert.equal(parseGoDuration('1h0m3s'), 3603);
    assert.equal(parseGoDuration('12'), undefined);
    assert.equal(parseGoDuration('abc'), undefined);
  });

  it('parses kubelet Pulled messages, old and new, and skips "already present"', () => {
    assert.deepEqual(
      parsePulled(
        pulled(
          'Successfully pulled image "cerit.io/jupyter/big-ml-notebook:2025.11" in 2m3.5s (2m3.5s including waiting). Image size: 7516192768 bytes.',
        ),
      ),
      { image: 'cerit.io/jupyter/big-ml-notebook:2025.11', seconds: 123.5, bytes: 7516192768 },
    );
    assert.deepEqual(parsePulled(pulled('Successfully pulled image "a/b:1" in 4.2s')), {
      image: 'a/b:1',
      seconds: 4.2,
    });
    assert.equal(parsePulled(pulled('Container image "a/b:1" already present on machine')), undefined);
    assert.equal(parsePulled({ reason: 'Pulled' } as KubeEvent), undefined);
  });

  it('learns size and an ETA from earlier pulls of the same image', () => {
    const s = new PullStats();
    const img = 'cerit.io/jupyter/big-ml-notebook:2025.11';
    for (const secs of ['100s', '120s', '140s']) {
      s.observe(
        pulled(
          `Successfully pulled image "${img}" in ${secs} (${secs} including waiting). Image size: 7000000000 bytes.`,
        ),
      );
    }
    s.observe(pulled(`Successfully pulled image "${img}" in 100ms. Image size: 7000000000 bytes.`)); // cache hit: ignored for ETA
    const t0 = 1_000_000;
    const est = s.estimate(img, t0, t0 + 20_000);
    assert.equal(est.imageSize, 7_000_000_000);
    assert.equal(est.etaSeconds, 100); // median 120 − 20 elapsed
    assert.equal(est.elapsedSeconds, 20);
    // Overdue: no ETA rather than a negative one.
    assert.equal(s.estimate(img, t0, t0 + 500_000).etaSeconds, undefined);
    // Another image knows nothing.
    assert.deepEqual(s.estimate('other:1', t0, t0 + 1000), { image: 'other:1', elapsedSeconds: 1 });
  });

  it('counts an event once, however often it is seen', () => {
    const s = new PullStats();
    const e = pulled('Successfully pulled image "x:1" in 10s');
    for (let i = 0; i < 5; i++) s.observe(e);
    s.observe(pulled('Successfully pulled image "x:1" in 30s'));
    assert.equal(s.estimate('x:1', 0, 0).etaSeconds, 20); // median of [10, 30], not of [10×5, 30]
  });

  it('bounds its memory', () => {
    const s = new PullStats(3, 2);
    for (const img of ['a', 'b', 'c']) s.observe(pulled(`Successfully pulled image "${img}" in 10s`));
    assert.equal(s.estimate('a', 0, 0).etaSeconds, undefined);
    assert.equal(s.estimate('c', 0, 0).etaSeconds, 10);
  });
});
