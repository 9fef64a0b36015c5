import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildMailto,
  isEmail,
  progressUrl,
  safeHttpUrl,
  serverApiUrl,
  spawnPendingUrl,
  spawnUrl,
  xsrfToken,
} from '../../../web/src/links.js';

test('mailto: subject and body survive any characters (percent-encoded, decoded back equal)', () => {
  const subject = 'JupyterHub: můj server se nespustil (jupyter-alice)';
  const body = 'Pod: jupyter-alice\nČas: 25. 11. 2026 20:40:04 & ?x=1#frag <img src=x>';
  const m = buildMailto('support@example.org', subject, body)!;
  assert.ok(m.startsWith('mailto:support@example.org?subject='));
  assert.ok(!/[\s<>#]/.test(m), m);
  const url = new URL(m);
  assert.equal(url.searchParams.get('subject'), subject);
  assert.equal(url.searchParams.get('body'), body);
});

test('mailto: anything that is not one plain address yields no link', () => {
  for (const bad of [
    'javascript:alert(1)',
    'support@example.org?bcc=evil@example.com',
    'a@b',
    'two@example.org,three@example.org',
    'a b@example.org',
    '"x"@example.org',
    'https://help.example.org',
    '',
  ]) {
    assert.equal(buildMailto(bad, 's', 'b'), undefined, bad);
  }
  assert.ok(
    buildMailto('mailto:help-desk+jupyter@cerit-sc.cz', 's', 'b')!.startsWith('mailto:help-desk+jupyter@'),
  );
  assert.ok(isEmail('support@example.org'));
});

test('only absolute http(s) URLs become links', () => {
  assert.equal(safeHttpUrl('https://docs.example.org/a b'), 'https://docs.example.org/a%20b');
  for (const bad of [
    'javascript:alert(1)',
    ' JavaScript:alert(1)',
    'data:text/html,x',
    '/relative',
    'vbscript:x',
    '',
  ]) {
    assert.equal(safeHttpUrl(bad), undefined, bad);
  }
});

test('hub URLs for the default and a named server, with escaping', () => {
  const def = { baseUrl: '/hub/', user: 'alice', server: '' };
  const named = { baseUrl: '/prefix/hub', user: 'bob@x', server: 'gpu 1' };
  assert.equal(serverApiUrl(def), '/hub/api/users/alice/server');
  assert.equal(serverApiUrl(named), '/prefix/hub/api/users/bob%40x/servers/gpu%201');
  assert.equal(progressUrl(def), '/hub/api/users/alice/server/progress');
  assert.equal(spawnUrl(def), '/hub/spawn/alice');
  assert.equal(spawnUrl(named), '/prefix/hub/spawn/bob%40x/gpu%201');
  assert.equal(spawnPendingUrl(named), '/prefix/hub/spawn-pending/bob%40x/gpu%201');
});

test('XSRF token: jhdata first, then the _xsrf cookie', () => {
  assert.equal(xsrfToken({ xsrf_token: 'from-page' }, '_xsrf=from-cookie'), 'from-page');
  assert.equal(xsrfToken(undefined, 'a=1; _xsrf=2|abc%3D|3; b=2'), '2|abc=|3');
  assert.equal(xsrfToken({ xsrf_token: '' }, 'x=1'), undefined);
});
