// The pure parts of the client: URLs. Requests are tested against a real hub (test/integration/hub).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseApiUrl, serverPath } from '../../../src/hub/client.js';

test('API URLs: JUPYTERHUB_API_URL as is, a bare hub URL gets /hub/api, trailing slashes go', () => {
  assert.equal(normaliseApiUrl('http://hub:8081/hub/api'), 'http://hub:8081/hub/api');
  assert.equal(normaliseApiUrl('http://hub:8081/hub/api/'), 'http://hub:8081/hub/api');
  assert.equal(normaliseApiUrl('http://127.0.0.1:8000'), 'http://127.0.0.1:8000/hub/api');
  assert.equal(normaliseApiUrl('https://x.org/jupyter/'), 'https://x.org/jupyter/hub/api');
  assert.equal(normaliseApiUrl('https://x.org/jupyter/hub/api?x=1'), 'https://x.org/jupyter/hub/api');
  assert.throws(() => normaliseApiUrl('ftp://x/hub/api'), /http/);
  assert.throws(() => normaliseApiUrl('not a url'));
});

test('the default server is /users/{u}/server; names are escaped', () => {
  assert.equal(serverPath('alice', ''), '/users/alice/server');
  assert.equal(serverPath('alice', 'gpu'), '/users/alice/servers/gpu');
  assert.equal(serverPath('a@b.cz', 'x y/z'), '/users/a%40b.cz/servers/x%20y%2Fz');
  assert.throws(() => serverPath('', 'x'), /empty/);
});
