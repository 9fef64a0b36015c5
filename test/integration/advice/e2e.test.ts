// End to end on the testbed with the real hub (issue 7, item 5): a user asks for 64 CPU and 4
// nvidia.com/gpu through the demo form; spawn-doctor (the hub's managed service, advisor enabled
// with the Kubernetes capacity source and the local OpenAI-wire-format server as its LLM) stops the
// spawn long before start_timeout; the diagnosis that the hub's progress stream carries has at least
// one suggestion with a `request`; spawning again with exactly that request succeeds.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import {
  ANNOTATION_KEY,
  DIAGNOSIS_REASON,
  diagnosisAnnotationSchema,
} from '../../../src/diagnosis/annotation.js';
import { answers, type FakeLlm, startFakeLlm } from '../../support/fake-llm.js';
import { type Hub, type ProgressEvent, startHub } from '../../support/hub.js';

const user = `adv-${randomBytes(3).toString('hex')}`;
// KubeSpawner's per-user namespace in the demo hub; spawn-doctor watches only it, so this test's
// service never acts on another test's pods on the shared testbed.
const namespace = `jupyterhub-${user}-demo-ns`;
let hub: Hub | undefined;
let llm: FakeLlm;
let core: CoreV1Api;

before(async () => {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  llm = await startFakeLlm();
  // A realistic answer; whatever the model says, only verified requests reach the user.
  llm.fallback = answers.good([
    { cpu: 32, memory: 2, gpu: 'nvidia.com/gpu', gpu_count: 2, why: 'the A40 node has 32 cores and 2 GPUs' },
    { cpu: 64, memory: 2, gpu: 'nvidia.com/mig-1g.10gb', gpu_count: 4, why: 'MIG slices on the A100 node' },
  ]);
  const config = {
    kube: { namespaces: [namespace], podSelector: 'component=singleuser-server' },
    support: { contact: 'support@example.org' },
    cleanupEvents: true,
    logLevel: 'debug',
    advisor: {
      enabled: true,
      capacity: { source: 'kubernetes', nodeSelector: 'cerit.io/jupyter-workload=true' },
      llm: { baseUrl: llm.url, model: 'e2e-model', timeoutSeconds: 5 },
    },
  };
  hub = await startHub({ name: 'advice-e2e', spawnDoctor: { enabled: true, configYaml: stringify(config) } });
  await hub.createUser(user);
});

after(async () => {
  await hub?.stopServer(user, '').catch(() => undefined);
  await hub?.stop();
  await llm?.close();
  await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
});

/** Follows the progress stream until it ends; returns what it carried. */
async function follow(h: Hub, signal: AbortSignal): Promise<ProgressEvent[]> {
  const seen: ProgressEvent[] = [];
  try {
    for await (const ev of h.progress(user, '', signal)) {
      seen.push(ev);
      if (ev.failed || ev.ready) break;
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
  return seen;
}

test('64 CPU + 4 nvidia.com/gpu: stopped early with a suggestion, and the suggestion starts', async () => {
  const h = hub!;
  const asked = { cpu: 64, memory: 2, gpu: 'nvidia.com/gpu', gpu_count: 4 };
  const started = Date.now();
  const res = await h.startServer(user, '', asked);
  assert.ok(
    res.status === 202 || res.status === 201,
    `spawn request: HTTP ${res.status} ${JSON.stringify(res.body)}`,
  );

  // The spawn must end long before KubeSpawner's start_timeout (600 s): bounded at 90 s here.
  const abort = AbortSignal.timeout(90_000);
  const events = await follow(h, abort);
  const diag = events.find((e) => e.raw_event?.reason === DIAGNOSIS_REASON);
  assert.ok(
    diag,
    `no SpawnDiagnosis on the progress stream; saw: ${events.map((e) => e.raw_event?.reason ?? e.message).join(' | ')}`,
  );
  const annotation = diagnosisAnnotationSchema.parse(
    JSON.parse(diag.raw_event?.metadata.annotations?.[ANNOTATION_KEY] ?? '{}'),
  );
  assert.match(annotation.category, /^scheduling\./);
  assert.equal(annotation.action, 'stop');
  const suggestions = annotation.advice.filter((a) => a.request);
  assert.ok(suggestions.length >= 1, `no suggestion in ${JSON.stringify(annotation.advice)}`);
  const suggestion = suggestions[0]!.request!;
  assert.ok(
    suggestion.cpu <= 64 && suggestion.gpu_count <= 4 && suggestion.memory <= 2,
    `a suggestion asks for no more than the user did: ${JSON.stringify(suggestion)}`,
  );
  // Nothing about the user went to the LLM.
  for (const r of llm.requests) assert.ok(!r.raw.includes(user), 'the user name must not reach the LLM');

  await h.waitFor(
    async () => {
      const s = await h.serverState(user, '');
      return s === null || (!s.pending && !s.ready);
    },
    { timeoutMs: 60_000, what: 'the stopped spawn to end' },
  );
  const stoppedAfter = (Date.now() - started) / 1000;

  // Spawn again with exactly the suggested request: it must start.
  const again = await h.startServer(user, '', { ...suggestion });
  assert.ok(
    again.status === 202 || again.status === 201,
    `second spawn: HTTP ${again.status} ${JSON.stringify(again.body)}`,
  );
  const ready = await h.waitFor(
    async () => {
      const s = await h.serverState(user, '');
      if (s === null) throw new Error('the suggested spawn ended instead of starting');
      return s.ready ? s : undefined;
    },
    {
      timeoutMs: 180_000,
      intervalMs: 1000,
      what: `the suggested server ${JSON.stringify(suggestion)} to be ready`,
    },
  );
  assert.equal(ready.ready, true);
  const pods = await core.listNamespacedPod({ namespace, labelSelector: 'component=singleuser-server' });
  const running = pods.items.find((p) => p.status?.phase === 'Running');
  const req = running?.spec?.containers?.[0]?.resources?.requests ?? {};
  if (suggestion.gpu !== 'none') assert.equal(String(req[suggestion.gpu]), String(suggestion.gpu_count));
  process.stdout.write(
    `# e2e: stopped after ${stoppedAfter.toFixed(1)} s with ${suggestions.length} suggestion(s); ` +
      `started ${JSON.stringify(suggestion)} on ${running?.spec?.nodeName}\n`,
  );
});
