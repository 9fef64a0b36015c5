// `spawn-doctor classify` as a real process: the package's bin through node and through npx.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CATEGORIES } from '../../../src/diagnosis/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = `${ROOT}bin/spawn-doctor.js`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  lines: Array<Record<string, unknown>>;
}

function run(cmd: string, args: string[], input: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, stdout, stderr, lines });
    });
    child.stdin.end(input);
  });
}
const classify = (input: string, ...extra: string[]) =>
  run(process.execPath, [BIN, 'classify', ...extra], input);

const notFound = {
  type: 'Warning',
  reason: 'Failed',
  message:
    'Failed to pull image "jupyter/nope:1": failed to pull and unpack image "docker.io/jupyter/nope:1": failed to resolve reference "docker.io/jupyter/nope:1": docker.io/jupyter/nope:1: not found',
};

describe('spawn-doctor classify (process)', () => {
  it('answers each of the three input shapes with the documented fields', async () => {
    const input = [
      JSON.stringify(notFound),
      JSON.stringify({
        event: {
          type: 'Warning',
          reason: 'FailedScheduling',
          message: '0/2 nodes are available: 2 Insufficient cpu.',
        },
        pod: { spec: { containers: [{ resources: { requests: { cpu: '64' } } }] } },
      }),
      JSON.stringify({
        events: [
          {
            type: 'Warning',
            reason: 'FailedScheduling',
            message: '0/1 nodes are available: 1 Insufficient cpu.',
          },
        ],
        pod: { spec: { containers: [{ resources: { requests: { cpu: '64' } } }] } },
        capacity: {
          nodes: [
            {
              name: 'a',
              labels: {},
              taints: [],
              unschedulable: false,
              allocatable: { cpu: 32 },
              free: { cpu: 4 },
            },
          ],
        },
      }),
    ].join('\n');
    const r = await classify(`${input}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.lines.length, 3);
    for (const line of r.lines)
      assert.deepEqual(Object.keys(line).sort(), [
        'action',
        'category',
        'detail',
        'params',
        'severity',
        'title',
      ]);
    assert.deepEqual(
      r.lines.map((l) => l.category),
      ['image.not_found', 'scheduling.insufficient_resources', 'scheduling.unsatisfiable'],
    );
    assert.equal(r.lines[0]?.action, 'stop');
    assert.equal((r.lines[0]?.params as { image?: string } | undefined)?.image, 'jupyter/nope:1');
    assert.equal(r.lines[0]?.title, 'The image does not exist');
    assert.match(String(r.lines[2]?.detail), /64 CPU.*at most 32 CPU/);
  });

  it('--lang cs answers in Czech; --contact fills the support address', async () => {
    const r = await classify(
      `${JSON.stringify({ type: 'Warning', reason: 'Odd', message: 'x' })}\n`,
      '--lang',
      'cs',
      '--contact',
      'pomoc@site.test',
    );
    assert.equal(r.code, 0);
    assert.equal(r.lines[0]?.title, 'Jejda, něco se pokazilo');
    assert.match(String(r.lines[0]?.detail), /pomoc@site\.test/);
  });

  it('rejects an unknown language', async () => {
    const r = await classify('', '--lang', 'de');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /de/);
  });

  it('answers bad lines in place with their line number, keeps going, and exits 1', async () => {
    const input = [
      JSON.stringify(notFound),
      '{not json',
      '[1,2]',
      '{"events": "nope"}',
      '{"kind": "Pod", "reason": "x"}',
      '',
      JSON.stringify({ event: {} }),
      JSON.stringify(notFound),
    ].join('\n');
    const r = await classify(`${input}\n`);
    assert.equal(r.code, 1);
    assert.equal(r.lines.length, 8);
    assert.equal(r.lines[0]?.category, 'image.not_found');
    const errors = r.lines.slice(1, 7).map((l) => String(l.error));
    assert.match(errors[0] ?? '', /^line 2: not valid JSON/);
    assert.match(errors[1] ?? '', /^line 3: expected a JSON object/);
    assert.match(errors[2] ?? '', /^line 4: "events" must be an array/);
    assert.match(errors[3] ?? '', /^line 5: not an event: the object has kind "Pod"/);
    assert.match(errors[4] ?? '', /^line 6: not valid JSON/);
    assert.match(errors[5] ?? '', /^line 7: "event" has neither/);
    assert.equal(r.lines[7]?.category, 'image.not_found');
  });

  it('exits 0 on empty input', async () => {
    const r = await classify('');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
  });

  it('classifies the whole fixture corpus as labelled, in order', async () => {
    const dir = `${ROOT}test/fixtures/events/`;
    const lines = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort()
      .flatMap((f) =>
        readFileSync(dir + f, 'utf8')
          .split('\n')
          .filter(Boolean),
      );
    const r = await classify(`${lines.join('\n')}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.lines.length, lines.length);
    r.lines.forEach((out, i) => {
      const expected = (JSON.parse(lines[i] ?? '{}') as { expect: { category: string } }).expect.category;
      assert.equal(out.category, expected, `line ${i + 1}`);
      assert.ok((CATEGORIES as readonly string[]).includes(String(out.category)));
    });
  });

  it('runs as the installed binary through npx', async () => {
    const r = await run(
      'npx',
      ['--no-install', 'spawn-doctor', 'classify', '--lang', 'cs'],
      `${JSON.stringify(notFound)}\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.lines[0]?.category, 'image.not_found');
    assert.equal(r.lines[0]?.title, 'Obraz neexistuje');
  });
});
