import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSelector, matchesSelector, parseSelector } from '../../../src/kube/selector.js';

describe('label selectors', () => {
  it('parse, match and format', () => {
    const s = parseSelector(
      'component=singleuser-server, tier!=test,env in (prod, dev),!legacy,hub.jupyter.org/x',
    );
    assert.equal(
      formatSelector(s),
      'component=singleuser-server,tier!=test,env in (prod,dev),!legacy,hub.jupyter.org/x',
    );
    const base = { component: 'singleuser-server', env: 'prod', 'hub.jupyter.org/x': '' };
    assert.ok(matchesSelector(s, base));
    assert.ok(!matchesSelector(s, { ...base, tier: 'test' }));
    assert.ok(!matchesSelector(s, { ...base, env: 'qa' }));
    assert.ok(!matchesSelector(s, { ...base, legacy: 'y' }));
    assert.ok(!matchesSelector(s, { component: 'singleuser-server', env: 'prod' }));
    assert.ok(matchesSelector(parseSelector(''), undefined));
  });

  it('rejects malformed selectors', () => {
    for (const bad of ['a=b,,c', '=x', 'a=b c', 'a in (x', 'UPPER/x=1']) {
      assert.throws(() => parseSelector(bad), Error, bad);
    }
  });
});
