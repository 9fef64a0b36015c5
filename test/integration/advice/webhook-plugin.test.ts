// The documented example plugin (examples/webhook-plugin.ts), loaded through the real loader from
// a config-relative path, POSTing to a local webhook receiver; a receiver that errors or hangs is
// counted and never holds the stop past the plugin's timeout.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { advisorConfigSchema } from '../../../src/advice/config.js';
import type { Diagnosis } from '../../../src/diagnosis/types.js';
import { pluginsConfigSchema } from '../../../src/plugins/config.js';
import { loadPluginHost } from '../../../src/plugins/loader.js';

let server: Server;
let url: string;
let mode: 'ok' | 'error' | 'hang' = 'ok';
const received: Array<{ headers: IncomingMessage['headers']; body: Record<string, unknown> }> = [];

before(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(raw) });
      if (mode === 'hang') return; // never answers
      res.writeHead(mode === 'ok' ? 204 : 503).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/admins`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const diagnosis: Diagnosis = {
  category: 'volume.sshfs_mount_failed',
  severity: 'error',
  action: 'stop',
  params: {
    reason: 'FailedMount',
    message: 'MountVolume.SetUp failed … read: Connection reset by peer',
    storageServer: 'storage-brno12',
  },
  evidence: [],
};
const input = {
  diagnosis,
  pod: { metadata: { name: 'jupyter-bob', namespace: 'jhub-bob', uid: 'u-9' } },
  spawn: { namespace: 'jhub-bob', pod: 'jupyter-bob', uid: 'u-9', user: 'bob', server: 'ml' },
  outcome: 'cancelled' as const,
};

async function host(options: Record<string, unknown>, registry = new Registry()) {
  return {
    registry,
    host: await loadPluginHost(
      {
        baseDir: path.resolve('examples'),
        advisor: advisorConfigSchema.parse({}),
        plugins: pluginsConfigSchema.parse([{ module: './webhook-plugin.ts', timeoutSeconds: 0.5, options }]),
      },
      { logger: pino({ level: 'silent' }), registry },
    ),
  };
}

const failures = async (registry: Registry, kind: string) =>
  (await registry.getSingleMetric('spawn_doctor_plugin_failures_total')?.get())?.values.find(
    (v) => v.labels.kind === kind && v.labels.plugin === 'admin-webhook',
  )?.value ?? 0;

describe('examples/webhook-plugin.ts', () => {
  it('POSTs a summary of the stopped spawn with the configured headers', async () => {
    mode = 'ok';
    received.length = 0;
    const { host: h, registry } = await host({ url, headers: { Authorization: 'Bearer t0k' } });
    await h.runOnStop(input);
    assert.equal(received.length, 1);
    const { headers, body } = received[0]!;
    assert.equal(headers.authorization, 'Bearer t0k');
    assert.equal(headers['content-type'], 'application/json');
    assert.deepEqual(
      { ...body, at: undefined },
      {
        event: 'spawn-stopped',
        at: undefined,
        category: 'volume.sshfs_mount_failed',
        severity: 'error',
        outcome: 'cancelled',
        user: 'bob',
        server: 'ml',
        namespace: 'jhub-bob',
        pod: 'jupyter-bob',
        reason: 'FailedMount',
        message: 'MountVolume.SetUp failed … read: Connection reset by peer',
      },
    );
    assert.equal(await failures(registry, 'error'), 0);
  });

  it('filters by category prefix', async () => {
    mode = 'ok';
    received.length = 0;
    const { host: h } = await host({ url, categories: ['scheduling.'] });
    await h.runOnStop(input);
    assert.equal(received.length, 0);
  });

  it('a failing or hanging receiver is counted, and the call returns', async () => {
    mode = 'error';
    const { host: h, registry } = await host({ url });
    await h.runOnStop(input);
    assert.equal(await failures(registry, 'error'), 1);
    mode = 'hang';
    await h.runOnStop(input);
    assert.equal(await failures(registry, 'timeout'), 1);
  });

  it('a bad option is a startup error naming the field', async () => {
    await assert.rejects(host({ url: 'not a url' }), /options\.url/);
    await assert.rejects(host({}), /options\.url/);
  });
});
