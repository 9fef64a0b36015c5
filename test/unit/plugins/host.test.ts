import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { advisorConfigSchema } from '../../../src/advice/config.js';
import type { Diagnosis, PodLike } from '../../../src/diagnosis/types.js';
import { pluginsConfigSchema } from '../../../src/plugins/config.js';
import { loadPluginHost, PluginLoadError } from '../../../src/plugins/loader.js';
import { ALLOWED, GiB, testbedSnapshot } from '../advice/capacity-fixtures.js';

let dir: string;
const logs: Array<Record<string, unknown>> = [];
const logger = pino({ level: 'debug' }, { write: (s: string) => logs.push(JSON.parse(s)) });

const diagnosis: Diagnosis = {
  category: 'scheduling.insufficient_resources',
  severity: 'error',
  action: 'stop',
  params: { requested: { cpu: 64, memory: 16 * GiB, 'nvidia.com/gpu': 4 }, short: ['cpu', 'nvidia.com/gpu'] },
  evidence: [{ kind: 'event', reason: 'FailedScheduling', message: '0/6 nodes are available' }],
};
const pod: PodLike = {
  metadata: { name: 'jupyter-alice', namespace: 'jhub-alice', uid: 'u1' },
  spec: {
    containers: [
      { name: 'notebook', resources: { requests: { cpu: '64', memory: '16Gi', 'nvidia.com/gpu': '4' } } },
    ],
  },
};
const spawn = { namespace: 'jhub-alice', pod: 'jupyter-alice', uid: 'u1', user: 'alice', server: '' };

const FILES: Record<string, string> = {
  'good.mjs': `export default {
    name: 'good',
    onDiagnosis(ctx) {
      ctx.addAdvice({ en: 'Hi ' + ctx.spawn.user, cs: 'Ahoj ' + ctx.spawn.user });
      ctx.addNote({ en: 'note', cs: 'poznámka' });
    },
    onStop(ctx) { globalThis.__stops = (globalThis.__stops ?? []).concat(ctx.outcome); },
  };`,
  'factory.ts': `import type { Plugin } from '${path.resolve('src/plugins/types.ts').replace(/\\/g, '/')}';
    export default function create(options: { greeting: string }): Plugin {
      return { name: 'factory', onDiagnosis: () => ({ advice: [{ en: options.greeting, cs: options.greeting }] }) };
    }`,
  'named.mjs': `export async function onDiagnosis(ctx) { ctx.addAdvice({ en: 'named', cs: 'pojmenovaný' }); }`,
  'throws.mjs': `export default { name: 'throws', onDiagnosis() { throw new Error('boom'); }, async onStop() { throw 'not an error'; } };`,
  'hangs.mjs': `export default { name: 'hangs', onDiagnosis(ctx) {
      globalThis.__hangSignal = ctx.signal;
      ctx.addAdvice({ en: 'partial', cs: 'částečné' });
      setTimeout(() => ctx.addAdvice({ en: 'late', cs: 'pozdě' }), 400);
      return new Promise(() => {});
    } };`,
  'garbage.mjs': `export default { name: 'garbage', onDiagnosis(ctx) { ctx.addAdvice({ en: 5, cs: null }); return 42; } };`,
  'mutates.mjs': `export default { name: 'mutates', onDiagnosis(ctx) { ctx.diagnosis.action = 'wait'; } };`,
  'empty.mjs': `export const nothing = 1;`,
  'badfactory.mjs': `export default function () { throw new Error('needs option url'); }`,
};

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sd-plugins-'));
  for (const [name, text] of Object.entries(FILES)) await writeFile(path.join(dir, name), text);
  const pkg = path.join(dir, 'node_modules', 'sd-site-plugin');
  await mkdir(pkg, { recursive: true });
  await writeFile(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'sd-site-plugin', type: 'module', main: 'index.js' }),
  );
  await writeFile(path.join(pkg, 'index.js'), `export const name = 'pkg'; export function onStop() {}`);
});
after(async () => rm(dir, { recursive: true, force: true }));

const plugins = (
  list: Array<{ module: string; timeoutSeconds?: number; options?: Record<string, unknown> }>,
) => pluginsConfigSchema.parse(list);
const advisorOff = advisorConfigSchema.parse({});
const metricValue = async (registry: Registry, name: string, labels: Record<string, string>) => {
  const m = await registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
};

describe('plugin loader', () => {
  it('loads files (JS, TS factory with options, named exports) relative to the config and packages by name', async () => {
    const registry = new Registry();
    const host = await loadPluginHost(
      {
        baseDir: dir,
        advisor: advisorOff,
        plugins: plugins([
          { module: './good.mjs' },
          { module: 'factory.ts', options: { greeting: 'from options' } },
          { module: path.join(dir, 'named.mjs') },
          { module: 'sd-site-plugin' },
        ]),
      },
      { logger, registry },
    );
    const out = await host.runOnDiagnosis({ diagnosis, pod, spawn });
    assert.deepEqual(
      out.advice.map((a) => a.en),
      ['Hi alice', 'from options', 'named'],
    );
    assert.deepEqual(out.notes, [{ en: 'note', cs: 'poznámka' }]);
    await host.runOnStop({ diagnosis, pod, spawn, outcome: 'cancelled' });
    assert.deepEqual((globalThis as { __stops?: string[] }).__stops, ['cancelled']);
    assert.ok(logs.some((l) => l.plugin === 'pkg' && l.msg === 'plugin loaded'));
    await host.close();
  });

  it('fails at start with the module named when it cannot be loaded', async () => {
    const load = (module: string) =>
      loadPluginHost(
        { baseDir: dir, advisor: advisorOff, plugins: plugins([{ module }]) },
        { logger, registry: new Registry() },
      );
    await assert.rejects(
      load('./missing.mjs'),
      (e: Error) => e instanceof PluginLoadError && /missing\.mjs/.test(e.message),
    );
    await assert.rejects(load('./empty.mjs'), /exports neither onDiagnosis nor onStop/);
    await assert.rejects(load('./badfactory.mjs'), /its factory failed: needs option url/);
    await assert.rejects(load('no-such-package-sd'), /plugin "no-such-package-sd": cannot import package/);
  });
});

describe('plugin host', () => {
  it('a throwing, hanging, garbage-returning or mutating plugin is logged and counted and changes nothing', async () => {
    const registry = new Registry();
    logs.length = 0;
    const host = await loadPluginHost(
      {
        baseDir: dir,
        advisor: advisorOff,
        plugins: plugins([
          { module: './throws.mjs' },
          { module: './hangs.mjs', timeoutSeconds: 0.2 },
          { module: './garbage.mjs' },
          { module: './mutates.mjs' },
          { module: './good.mjs' },
        ]),
      },
      { logger, registry },
    );
    const before = structuredClone(diagnosis);
    // Resolving at all shows the hung plugin did not hold the caller past its deadline.
    const out = await host.runOnDiagnosis({ diagnosis, pod, spawn });
    assert.deepEqual(diagnosis, before, 'the caller’s diagnosis is untouched');
    assert.deepEqual(
      out.advice.map((a) => a.en),
      ['Hi alice'],
      'only the good plugin’s advice; the hung one’s partial advice is discarded',
    );
    assert.equal((globalThis as { __hangSignal?: AbortSignal }).__hangSignal?.aborted, true);
    const f = (plugin: string, kind: string) =>
      metricValue(registry, 'spawn_doctor_plugin_failures_total', { plugin, hook: 'onDiagnosis', kind });
    assert.equal(await f('throws', 'error'), 1);
    assert.equal(await f('hangs', 'timeout'), 1);
    assert.equal(await f('garbage', 'invalid'), 2, 'invalid advice and an invalid return value');
    assert.equal(await f('mutates', 'error'), 1, 'writing to the frozen diagnosis throws');
    assert.equal(
      await metricValue(registry, 'spawn_doctor_plugin_calls_total', {
        plugin: 'good',
        hook: 'onDiagnosis',
        result: 'ok',
      }),
      1,
    );
    assert.ok(logs.some((l) => l.plugin === 'throws' && l.level === 50 && String(l.err).includes('boom')));
    assert.ok(logs.some((l) => l.plugin === 'hangs' && String(l.msg).includes('timed out')));

    await host.runOnStop({ diagnosis, pod, spawn, outcome: 'pod-deleted' });
    assert.equal(
      await metricValue(registry, 'spawn_doctor_plugin_failures_total', {
        plugin: 'throws',
        hook: 'onStop',
        kind: 'error',
      }),
      1,
    );
    // The hung plugin's late addAdvice arrives after its deadline: counted, never delivered.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await f('hangs', 'late'), 1);
  });

  it('includes the built-in advisor first when advisor.enabled', async () => {
    const registry = new Registry();
    const snapshot = testbedSnapshot();
    const host = await loadPluginHost(
      {
        baseDir: dir,
        advisor: advisorConfigSchema.parse({ enabled: true, allowed: ALLOWED }),
        plugins: plugins([{ module: './named.mjs' }]),
      },
      { logger, registry, capacityProvider: { snapshot: async () => snapshot } },
    );
    const out = await host.runOnDiagnosis({ diagnosis, pod, spawn });
    const requests = out.advice.filter((a) => a.request);
    assert.ok(requests.length >= 1);
    assert.deepEqual(requests[0]?.request, {
      cpu: 64,
      memory: 16,
      gpu: 'nvidia.com/mig-1g.10gb',
      gpu_count: 4,
    });
    assert.equal(out.advice.at(-1)?.en, 'named');
    assert.ok(!JSON.stringify(out.advice).includes('alice'));
  });
});
