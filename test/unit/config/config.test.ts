import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, parseConfigText } from '../../../src/config/index.js';
import { DEFAULT_POLICY } from '../../../src/policy/index.js';

const meta = { source: 'test.yaml', baseDir: '/nonexistent', env: {} };

function issues(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(yaml, { ...meta, env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('an empty file gives the documented defaults', () => {
    const c = parseConfigText('', meta);
    assert.deepEqual(c.hubs, []);
    assert.equal(c.kube.podSelector, 'component=singleuser-server');
    assert.deepEqual(c.kube.namespaces, []);
    assert.equal(c.progressStreamWaitSeconds, 3);
    assert.equal(c.cleanupEvents, true);
    assert.equal(c.server.port, 9090);
    assert.equal(c.leaderElection.enabled, false);
    assert.deepEqual(c.categories, DEFAULT_POLICY);
    assert.deepEqual(c.plugins, []);
    assert.equal(c.advisor.enabled, false);
  });

  it('reports unknown keys and bad values with their paths', () => {
    const found = issues(`
kube:
  namespaces: [Bad_NS]
  podSelector: "a=b,,c"
  extra: 1
categories:
  image.not_found: {action: explode}
  no.such: {graceSeconds: 1}
server: {port: 70000}
hubs: [{name: a, apiUrl: "not a url", tokenEnv: X}]
progressStreamWaitSeconds: -1
typo: true
`);
    const text = found.join('\n');
    for (const want of [
      'kube.namespaces[0]:',
      'kube.podSelector:',
      'kube.extra: unknown key',
      'categories["image.not_found"].action:',
      'categories["no.such"]',
      'server.port:',
      'hubs[0].apiUrl:',
      'progressStreamWaitSeconds:',
      'typo: unknown key',
    ]) {
      assert.ok(text.includes(want), `missing "${want}" in:\n${text}`);
    }
  });

  it('reports YAML syntax errors with a line', () => {
    const found = issues('kube:\n  namespaces: [a\n');
    assert.match(found[0]!, /YAML line \d+/);
  });

  it('merges category overrides over the defaults', () => {
    const c = parseConfigText(
      'categories:\n  unknown.warning: {graceSeconds: 5}\n  image.not_found: {action: notify}\n',
      meta,
    );
    assert.deepEqual(c.categories['unknown.warning'], {
      ...DEFAULT_POLICY['unknown.warning'],
      graceSeconds: 5,
    });
    assert.equal(c.categories['image.not_found'].action, 'notify');
    assert.deepEqual(c.categories['volume.pvc_pending'], DEFAULT_POLICY['volume.pvc_pending']);
  });

  it('zero config as a managed service: the hub and the listen address come from the environment', () => {
    const env = {
      JUPYTERHUB_API_URL: 'http://127.0.0.1:8081/hub/api',
      JUPYTERHUB_API_TOKEN: 'secret',
      JUPYTERHUB_SERVICE_URL: 'http://127.0.0.1:10101/',
    };
    const c = loadConfig(undefined, env);
    assert.equal(c.source, 'managed-service');
    assert.deepEqual(c.hubs, [
      { name: 'jupyterhub', apiUrl: env.JUPYTERHUB_API_URL, tokenEnv: 'JUPYTERHUB_API_TOKEN' },
    ]);
    assert.equal(c.server.host, '127.0.0.1');
    assert.equal(c.server.port, 10101);
    assert.ok(!JSON.stringify(c).includes('secret'), 'the token itself never lands in the config');
  });

  it('reads the path from SPAWN_DOCTOR_CONFIG, resolves token files against the config directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-config-'));
    writeFileSync(join(dir, 'token'), 'abc\n');
    writeFileSync(
      join(dir, 'c.yaml'),
      'hubs:\n  - {name: main, apiUrl: "http://hub:8081/hub/api", tokenFile: token, namespaces: [jhub]}\n',
    );
    const c = loadConfig(undefined, { SPAWN_DOCTOR_CONFIG: join(dir, 'c.yaml') });
    assert.equal(c.hubs[0]!.tokenFile, 'token');
    assert.equal(c.baseDir, dir);
    assert.ok(readFileSync(join(dir, 'token'), 'utf8'));
  });

  it('checks that token sources exist and are unique', () => {
    const both = issues('hubs:\n  - {name: b, apiUrl: "http://h/hub/api", tokenEnv: X, tokenFile: y}\n');
    assert.match(both.join('\n'), /hubs\[0\]\.tokenFile: give either tokenFile or tokenEnv/);
    const missing = issues(
      'hubs:\n  - {name: a, apiUrl: "http://h/hub/api", tokenFile: /nonexistent/token}\n',
    );
    assert.match(missing.join('\n'), /hubs\[0\]\.tokenFile: cannot read \/nonexistent\/token: ENOENT/);
    const second = issues(
      'hubs:\n  - {name: a, apiUrl: "http://h/hub/api", tokenEnv: NOPE}\n  - {name: a, apiUrl: "http://h/hub/api", tokenEnv: NOPE}\n',
    );
    assert.match(second.join('\n'), /hubs\[1\]\.name: duplicate/);
    assert.match(second.join('\n'), /hubs\[0\]\.tokenEnv: environment variable NOPE is not set/);
  });

  it('leader election needs a namespace', () => {
    assert.match(issues('leaderElection: {enabled: true}').join('\n'), /leaderElection\.namespace/);
    const c = parseConfigText('leaderElection: {enabled: true}', { ...meta, env: { POD_NAMESPACE: 'jhub' } });
    assert.equal(c.leaderElection.enabled, true);
    assert.match(
      issues('leaderElection: {enabled: true, namespace: x, renewSeconds: 20}').join('\n'),
      /renewSeconds/,
    );
  });

  it('validates the plugins and advisor sections with their own schemas', () => {
    const text = issues('plugins: [{module: ""}]\nadvisor: {capacity: {source: guess}}\n').join('\n');
    assert.match(text, /plugins\[0\]\.module/);
    assert.match(text, /advisor\.capacity\.source/);
  });

  it('a missing file is an error naming it', () => {
    assert.throws(() => loadConfig('/nonexistent/sd.yaml', {}), /cannot read the file: ENOENT/);
  });

  it('the documented example config is valid', () => {
    const text = readFileSync(
      new URL('../../../deploy/service/example-config.yaml', import.meta.url),
      'utf8',
    );
    const c = parseConfigText(text, { source: 'example', baseDir: '/', env: { JUPYTERHUB_API_TOKEN: 't' } });
    assert.ok(c.hubs.length >= 1);
  });
});
