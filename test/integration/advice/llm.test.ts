// The LLM path through the real `openai` client against a local OpenAI-wire-format server fed
// realistic answers: good, wrong (a GPU the cluster lacks, more CPU than any node), malicious,
// malformed, rate-limited and slow. Whatever the model says, a user only ever sees suggestions that
// fit one node now; on any failure the solver's suggestions appear alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { advisorConfigSchema } from '../../../src/advice/config.js';
import { placementOf } from '../../../src/advice/fit.js';
import { solve } from '../../../src/advice/solver.js';
import { verifySuggestions } from '../../../src/advice/verify.js';
import type { Advice } from '../../../src/diagnosis/annotation.js';
import type { Diagnosis, PodLike } from '../../../src/diagnosis/types.js';
import { loadPluginHost } from '../../../src/plugins/loader.js';
import { answers, type FakeLlm, startFakeLlm } from '../../support/fake-llm.js';
import { ALLOWED, GiB, testbedSnapshot } from '../../unit/advice/capacity-fixtures.js';

const logs: Array<Record<string, unknown>> = [];
const logger = pino({ level: 'debug' }, { write: (s: string) => logs.push(JSON.parse(s)) });

const requested = { cpu: 64, memory: 16 * GiB, 'nvidia.com/gpu': 4 };
const diagnosis: Diagnosis = {
  category: 'scheduling.unsatisfiable',
  severity: 'error',
  action: 'stop',
  params: { requested, short: ['nvidia.com/gpu'] },
  evidence: [
    {
      kind: 'event',
      reason: 'FailedScheduling',
      message: '0/6 nodes are available: 6 Insufficient nvidia.com/gpu.',
    },
  ],
};
const pod: PodLike = {
  metadata: { name: 'jupyter-mallory-2dx', namespace: 'jhub-user-mallory', uid: 'uid-1' },
  spec: {
    containers: [
      { name: 'notebook', resources: { requests: { cpu: '64', memory: '16Gi', 'nvidia.com/gpu': '4' } } },
    ],
  },
};
const spawn = {
  namespace: 'jhub-user-mallory',
  pod: 'jupyter-mallory-2dx',
  uid: 'uid-1',
  user: 'mallory',
  server: 'gpu-box',
};
const snapshot = testbedSnapshot();
const placement = placementOf(pod);
const solverOnly = solve({ requested, placement, snapshot, allowed: ALLOWED, max: 3 }).suggestions.map(
  (s) => s.request,
);

let llm: FakeLlm;
before(async () => {
  llm = await startFakeLlm();
});
after(async () => llm.close());

async function advise(timeoutSeconds = 8) {
  const registry = new Registry();
  const host = await loadPluginHost(
    {
      baseDir: process.cwd(),
      plugins: [],
      advisor: advisorConfigSchema.parse({
        enabled: true,
        allowed: ALLOWED,
        llm: { baseUrl: llm.url, model: 'gpt-oss-120b', apiKeyEnv: 'SD_TEST_LLM_KEY', timeoutSeconds },
      }),
    },
    {
      logger,
      registry,
      capacityProvider: { snapshot: async () => snapshot },
      env: { SD_TEST_LLM_KEY: 'sk-test' },
    },
  );
  const run = () => host.runOnDiagnosis({ diagnosis, pod, spawn });
  const metric = async (name: string, labels: Record<string, string>) => {
    const m = await registry.getSingleMetric(name)?.get();
    return m?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
  };
  return { run, metric };
}

const requestsOf = (advice: Advice[]) => advice.filter((a) => a.request).map((a) => a.request);

/** Everything a user could see must fit one node of the snapshot and be allowed. */
function assertAllStart(advice: Advice[]) {
  const v = verifySuggestions(requestsOf(advice), { snapshot, allowed: ALLOWED, placement });
  assert.deepEqual(v.dropped, [], 'every shown request would start');
  for (const a of advice) {
    for (const t of [a.en, a.cs]) {
      assert.ok(!/[<>]|https?:|ignore/i.test(t), `unsafe text shown: ${t}`);
    }
  }
}

describe('LLM advisor against an OpenAI-compatible server', () => {
  it('a good answer: its verified suggestions lead, the explanation is shown, nothing about the user is sent, answers are cached', async () => {
    const { run, metric } = await advise();
    const llmPick = {
      cpu: 32,
      memory: 16,
      gpu: 'nvidia.com/gpu',
      gpu_count: 2,
      why: 'the A40 node has 2 free GPUs',
    };
    llm.script(answers.good([llmPick]));
    const sentBefore = llm.requests.length;
    const out = await run();
    assert.equal(llm.requests.length, sentBefore + 1);
    const sent = llm.requests.at(-1)!;
    assert.equal(sent.body.model, 'gpt-oss-120b');
    assert.equal(sent.headers.authorization, 'Bearer sk-test');
    for (const secret of ['mallory', 'jhub-user', 'gpu-box', 'uid-1']) {
      assert.ok(!sent.raw.includes(secret), `the prompt must not contain ${secret}`);
    }
    const doc = JSON.parse(sent.body.messages!.find((m) => m.role === 'user')!.content);
    assert.deepEqual(doc.failed_request, { cpu: 64, memory: 16, gpu: 'nvidia.com/gpu', gpu_count: 4 });
    assert.ok(doc.feasible_now.length > 0);

    const reqs = requestsOf(out.advice);
    assert.deepEqual(reqs[0], { cpu: 32, memory: 16, gpu: 'nvidia.com/gpu', gpu_count: 2 });
    assert.ok(
      out.advice.some((a) => a.en.startsWith('No node has 4 free A40 GPUs')),
      'explanation shown',
    );
    assert.ok(reqs.length <= 3);
    assertAllStart(out.advice);
    assert.equal(await metric('spawn_doctor_advisor_llm_requests_total', { outcome: 'ok' }), 1);

    // Same request, same capacity, same model: answered from the cache, no second call.
    const again = await run();
    assert.equal(llm.requests.length, sentBefore + 1);
    assert.deepEqual(requestsOf(again.advice), reqs);
    assert.equal(await metric('spawn_doctor_advisor_llm_requests_total', { outcome: 'cached' }), 1);
  });

  it('a GPU the cluster lacks and more CPU than any node: dropped and counted, the rest verified', async () => {
    const { run, metric } = await advise();
    llm.script(
      answers.good([
        { cpu: 64, memory: 16, gpu: 'nvidia.com/mig-3g.40gb', gpu_count: 1, why: 'a bigger MIG slice' },
        { cpu: 128, memory: 16, gpu: 'nvidia.com/gpu', gpu_count: 1, why: 'more cores' },
        { cpu: 64, memory: 64, gpu: 'nvidia.com/gpu', gpu_count: 2, why: 'fewer GPUs' },
      ]),
    );
    const out = await run();
    assertAllStart(out.advice);
    const reqs = requestsOf(out.advice);
    assert.ok(!reqs.some((r) => r?.gpu === 'nvidia.com/mig-3g.40gb' || (r?.cpu ?? 0) > 64));
    assert.deepEqual(reqs, solverOnly, 'nothing of the model survived, so the solver’s list stands');
    assert.equal(
      await metric('spawn_doctor_advisor_suggestions_dropped_total', {
        source: 'llm',
        reason: 'not-allowed',
      }),
      2,
    );
    assert.equal(
      await metric('spawn_doctor_advisor_suggestions_dropped_total', {
        source: 'llm',
        reason: 'does-not-fit',
      }),
      1,
    );
  });

  for (const [name, reply, outcome] of [
    ['malformed JSON', answers.malformed(), 'invalid'],
    ['a JSON object of the wrong shape', answers.wrongShape(), 'invalid'],
    ['HTTP 429', answers.rateLimited(), 'rate-limited'],
    ['HTTP 500', answers.serverError(), 'error'],
  ] as const) {
    it(`${name}: the solver's suggestions alone`, async () => {
      const { run, metric } = await advise();
      llm.script(reply);
      const out = await run();
      assert.deepEqual(requestsOf(out.advice), solverOnly);
      assert.ok(solverOnly.length > 0);
      assertAllStart(out.advice);
      assert.equal(await metric('spawn_doctor_advisor_llm_requests_total', { outcome }), 1);
    });
  }

  it('a slow model: abandoned at the timeout, the solver’s suggestions alone', async () => {
    const { run, metric } = await advise(1);
    llm.script(answers.slow(30_000, [{ cpu: 32, memory: 16, gpu: 'nvidia.com/gpu', gpu_count: 2 }]));
    const out = await run();
    assert.deepEqual(requestsOf(out.advice), solverOnly);
    assert.equal(await metric('spawn_doctor_advisor_llm_requests_total', { outcome: 'timeout' }), 1);
  });

  it('an answer that injects instructions and HTML: the text is not shown, its suggestions are still verified', async () => {
    const { run, metric } = await advise();
    llm.script(
      answers.injected([
        { cpu: 32, memory: 16, gpu: 'nvidia.com/gpu', gpu_count: 2 },
        { cpu: 64, memory: 256, gpu: 'nvidia.com/gpu', gpu_count: 4, why: '<b>trust me</b>' },
      ]),
    );
    const out = await run();
    assertAllStart(out.advice);
    assert.ok(!out.advice.some((a) => /evil|script|onerror|Ignor/i.test(a.en + a.cs)));
    assert.deepEqual(requestsOf(out.advice)[0], { cpu: 32, memory: 16, gpu: 'nvidia.com/gpu', gpu_count: 2 });
    assert.equal(
      await metric('spawn_doctor_advisor_suggestions_dropped_total', {
        source: 'llm',
        reason: 'does-not-fit',
      }),
      1,
    );
    assert.ok(logs.some((l) => String(l.msg).includes('explanation not shown')));
  });

  it('a fenced JSON answer (a common model habit) is accepted', async () => {
    const { run } = await advise();
    llm.script(answers.fenced([{ cpu: 32, memory: 8, gpu: 'nvidia.com/gpu', gpu_count: 1 }]));
    const out = await run();
    assert.deepEqual(requestsOf(out.advice)[0], { cpu: 32, memory: 8, gpu: 'nvidia.com/gpu', gpu_count: 1 });
    assert.ok(out.advice.some((a) => a.en === 'Fewer GPUs fit.'));
  });
});
