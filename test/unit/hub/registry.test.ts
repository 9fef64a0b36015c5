import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createHubRegistry, tokenSource } from '../../../src/hub/registry.js';

const hub = (name: string, extra: object = {}) => ({
  name,
  apiUrl: `http://${name}:8081/hub/api`,
  tokenEnv: 'T',
  ...extra,
});

test('picks the first hub whose namespaces and selectors match; a bare hub matches everything', () => {
  const reg = createHubRegistry(
    [
      hub('prod', { namespaces: ['jhub-prod'] }),
      hub('gpu', { labelSelector: 'hub.jupyter.org/network-access-hub=true,cluster in (gpu)' }),
      hub('research', { namespaceSelector: 'tenant=research' }),
      hub('fallback'),
    ],
    { env: { T: 'x' } },
  );
  assert.equal(reg.clients.length, 4);
  assert.equal(reg.forPod({ namespace: 'jhub-prod' })?.name, 'prod');
  assert.equal(
    reg.forPod({ namespace: 'u-1', labels: { 'hub.jupyter.org/network-access-hub': 'true', cluster: 'gpu' } })
      ?.name,
    'gpu',
  );
  assert.equal(reg.forPod({ namespace: 'u-1', labels: { cluster: 'gpu' } })?.name, 'fallback');
  assert.equal(reg.forPod({ namespace: 'u-2', namespaceLabels: { tenant: 'research' } })?.name, 'research');
  // Without namespace labels a namespaceSelector hub cannot be chosen.
  assert.equal(reg.forPod({ namespace: 'u-2' })?.name, 'fallback');
});

test('no hub configured: no hub for any pod', () => {
  assert.equal(createHubRegistry([]).forPod({ namespace: 'x' }), undefined);
  const only = createHubRegistry([hub('a', { namespaces: ['a'] })], { env: { T: 'x' } });
  assert.equal(only.forPod({ namespace: 'b' }), undefined);
});

test('tokens: file (re-read, trimmed, relative to the config), env, JUPYTERHUB_API_TOKEN; clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-token-'));
  writeFileSync(join(dir, 'tok'), 'secret-1\n');
  const fromFile = tokenSource({ name: 'h', apiUrl: 'http://h', tokenFile: 'tok' }, dir, {});
  assert.equal(fromFile(), 'secret-1');
  writeFileSync(join(dir, 'tok'), 'secret-2');
  assert.equal(fromFile(), 'secret-2');
  writeFileSync(join(dir, 'tok'), '  \n');
  assert.throws(fromFile, /is empty/);
  assert.throws(tokenSource({ name: 'h', apiUrl: 'http://h', tokenFile: 'missing' }, dir, {}), /ENOENT/);
  assert.equal(tokenSource({ name: 'h', apiUrl: 'http://h', tokenEnv: 'MY' }, dir, { MY: 'm' })(), 'm');
  assert.equal(tokenSource({ name: 'h', apiUrl: 'http://h' }, dir, { JUPYTERHUB_API_TOKEN: 'j' })(), 'j');
  assert.throws(tokenSource({ name: 'h', apiUrl: 'http://h', tokenEnv: 'MY' }, dir, {}), /MY is not set/);
});
