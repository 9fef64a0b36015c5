// The captured corpus (test/fixtures/captured/): Event messages as people pasted them in public
// GitHub issues, labelled by meaning before the classifier saw them. The tune split is asserted entry
// by entry; the holdout split only in aggregate (its entries were never tuned on, see its README).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATEGORIES, type Category, classify } from '../../../src/diagnosis/index.js';
import { DEFAULT_POLICY } from '../../../src/policy/index.js';
import { type CapturedEntry, loadCaptured, repoOf, splitOf } from '../../fixtures/captured/corpus.js';
import { predict, score } from '../../fixtures/captured/score.js';

const corpus = loadCaptured();

/** A category whose default policy ends in a stop: `stop`, or `wait` with a budget. */
function stops(category: string): boolean {
  const p = DEFAULT_POLICY[category as Category];
  return p.action === 'stop' || (p.action === 'wait' && p.budgetSeconds > 0);
}

describe('captured corpus: the data', () => {
  it('has at least 300 entries from at least 100 repositories, notebook platforms included', () => {
    assert.ok(corpus.length >= 300, `${corpus.length} entries`);
    const repos = new Set(corpus.map((e) => repoOf(e.source)));
    assert.ok(repos.size >= 100, `${repos.size} repositories`);
    for (const platform of ['jupyterhub/', 'kubeflow/', '2i2c-org/', 'pangeo-data/', 'eclipse-che/'])
      assert.ok(
        [...repos].some((r) => r.startsWith(platform)),
        `no ${platform} thread`,
      );
  });

  it('every entry is well formed: source, url, label, reasoning, split by the hash of its repository', () => {
    const ids = new Set<string>();
    const seen = new Set<string>();
    for (const e of corpus) {
      assert.match(e.id, /^c\d{4}$/);
      assert.ok(!ids.has(e.id), `${e.id} twice`);
      ids.add(e.id);
      assert.match(e.source, /^[\w.-]+\/[\w.-]+#\d+$/, e.id);
      const [repo, n] = e.source.split('#');
      assert.match(e.url ?? '', new RegExp(`^https://github\\.com/${repo}/(?:issues|pull)/${n}$`, 'i'), e.id);
      assert.ok((CATEGORIES as readonly string[]).includes(e.label), `${e.id}: ${e.label}`);
      assert.ok(e.why.length > 10, `${e.id} has no reasoning`);
      assert.equal(e.split, splitOf(e.source), `${e.id}: the split is the repository's hash, never chosen`);
      assert.ok(e.type === null || e.type === 'Normal' || e.type === 'Warning', e.id);
      assert.ok(typeof e.message === 'string' && e.message.length > 0, e.id);
      const key = `${e.source}\u0000${e.message}`;
      assert.ok(!seen.has(key), `${e.id} duplicates an entry`);
      seen.add(key);
    }
  });

  it('the split keeps every repository in one half, and both halves are substantial', () => {
    const halves = new Map<string, string>();
    for (const e of corpus) {
      const repo = repoOf(e.source);
      assert.equal(halves.get(repo) ?? e.split, e.split, repo);
      halves.set(repo, e.split);
    }
    const holdout = corpus.filter((e) => e.split === 'holdout');
    assert.ok(holdout.length >= 100, `holdout has ${holdout.length} entries`);
  });
});

describe('captured corpus: the tune split, entry by entry', () => {
  for (const e of corpus.filter((x) => x.split === 'tune'))
    it(`${e.id} ${e.source} → ${e.label}`, () => {
      assert.equal(predict(e), e.label, `${JSON.stringify(e.message.slice(0, 300))}\n${e.why}`);
    });
});

describe('captured corpus: the holdout split, in aggregate', () => {
  it('scores at least 95% on the repositories never tuned on', () => {
    const s = score(corpus.filter((e) => e.split === 'holdout'));
    assert.ok(s.right / s.total >= 0.95, `holdout ${s.right}/${s.total}`);
  });
});

describe('captured corpus: no false trouble', () => {
  const calm = corpus.filter((e) => !stops(e.label));

  it('has calm entries of every kind: Normal events, pulls, benign start-up warnings', () => {
    const labels = new Set(calm.map((e) => e.label));
    for (const l of ['normal', 'image.pulling', 'startup.benign_warning']) assert.ok(labels.has(l), l);
    assert.ok(calm.filter((e) => e.type === 'Normal').length >= 50);
  });

  it('no entry that means no trouble maps to a category that stops the spawn', () => {
    const wrong = calm.filter((e) => stops(predict(e))).map((e) => `${e.id} → ${predict(e)}`);
    assert.deepEqual(wrong, []);
  });

  it('property: every Normal event of the corpus stays calm in every pasted form', () => {
    // The same event as kubectl describe, kubectl get events and the hub's event log would show it.
    const forms = (e: CapturedEntry): string[] => [
      e.message,
      `Normal  ${e.reason ?? 'Scheduled'}  2m (x3 over 10m)  kubelet  ${e.message}`,
      `2024-05-01T10:00:00Z [Normal] ${e.message}`,
      `(combined from similar events): ${e.message}`,
    ];
    const normals = corpus.filter((e) => e.type === 'Normal' && e.label === 'normal');
    assert.ok(normals.length >= 50, `${normals.length} Normal events`);
    for (const e of normals)
      for (const message of forms(e)) {
        const event = { type: 'Normal', message, ...(e.reason ? { reason: e.reason } : {}) };
        const got = classify({ events: [event] }).category;
        assert.ok(!stops(got), `${e.id} as ${JSON.stringify(message.slice(0, 120))} → ${got}`);
      }
  });
});
