// The testbed's binaries are built once per set of pinned versions and then reused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../support/testbed.js';

const build = join(REPO_ROOT, 'testbed/scripts/build.sh');

test('a second build with unchanged pins is a no-op that reuses the cache', () => {
  const binDir = execFileSync('bash', [build, '--print-bin-dir'], { encoding: 'utf8' }).trim();
  const versions = readFileSync(join(REPO_ROOT, 'testbed/versions.env'), 'utf8');
  const k8s = /^K8S_VERSION=(\S+)$/m.exec(versions)?.[1];
  assert.ok(k8s, 'versions.env pins K8S_VERSION');
  assert.ok(binDir.includes(`k8s-${k8s}`), `cache key ${binDir} names the pinned Kubernetes version`);
  for (const b of ['etcd', 'kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'kwok']) {
    assert.ok(existsSync(join(binDir, b)), `${b} is in ${binDir}`);
  }
  const out = execFileSync('bash', [build], { encoding: 'utf8' });
  assert.match(out, /binaries up to date/);
  assert.doesNotMatch(out, /cold build/);
});

test('the binaries carry the pinned versions', () => {
  const binDir = execFileSync('bash', [build, '--print-bin-dir'], { encoding: 'utf8' }).trim();
  const versions = readFileSync(join(REPO_ROOT, 'testbed/versions.env'), 'utf8');
  const pin = (k: string) => new RegExp(`^${k}=(\\S+)$`, 'm').exec(versions)?.[1] ?? '';
  for (const b of ['kube-apiserver', 'kube-scheduler', 'kube-controller-manager']) {
    const v = execFileSync(join(binDir, b), ['--version'], { encoding: 'utf8' });
    assert.equal(v.trim(), `Kubernetes ${pin('K8S_VERSION')}`, b);
  }
  const etcd = execFileSync(join(binDir, 'etcd'), ['--version'], { encoding: 'utf8' });
  assert.match(etcd, new RegExp(`etcd Version: ${pin('ETCD_VERSION').slice(1).replace(/\./g, '\\.')}`));
  const kwok = execFileSync(join(binDir, 'kwok'), ['--version'], { encoding: 'utf8' });
  assert.match(kwok, new RegExp(pin('KWOK_VERSION').replace(/\./g, '\\.')));
});
