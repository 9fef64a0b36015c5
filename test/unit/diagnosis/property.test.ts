// Robustness: classify is total. Random and adversarial input never throws, always yields a valid
// category with its default action, and unrecognised events fall to unknown.warning / normal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CATEGORY_DEFAULTS,
  classify,
  type Diagnosis,
  type Evidence,
  isCategory,
} from '../../../src/diagnosis/index.js';
import { describe as describeDiagnosis } from '../../../src/messages/index.js';

const RUNS = 300;

function valid(d: Diagnosis): void {
  assert.ok(isCategory(d.category), `bad category ${d.category}`);
  assert.deepEqual({ action: d.action, severity: d.severity }, CATEGORY_DEFAULTS[d.category]);
  assert.ok(Array.isArray(d.evidence));
  assert.equal(typeof d.params, 'object');
  JSON.stringify(d); // serialisable: no cycles, no BigInt
  const text = describeDiagnosis(d);
  for (const lang of ['en', 'cs'] as const) {
    assert.ok(text.title[lang].length > 0 && text.detail[lang].length > 0);
    assert.ok(text.detail[lang].length <= 4000, 'fits the annotation schema');
  }
}

// Words the rules look for, so that random messages often get close to real ones.
const FRAGMENTS = [
  'Failed to pull image "',
  'Back-off pulling image "',
  '": ',
  'not found',
  'rpc error: code = NotFound desc = ',
  'MountVolume.SetUp failed for volume "',
  'AttachVolume.Attach failed for volume "',
  "cmd: 'sshfs ",
  '@',
  ':/',
  'csi-sshfs',
  '0/3 nodes are available: ',
  '1 Insufficient cpu',
  ', ',
  'had untolerated taint {',
  '}',
  'preemption: ',
  '..',
  ' ...',
  '(combined from similar events): ',
  'Error: ',
  'secret "',
  'exceeded quota: ',
  'persistentvolumeclaim "',
  '\u0000',
  '\u202e',
  '😀',
  'ř',
  '\n',
];
const reasons = fc.constantFrom(
  'Failed',
  'BackOff',
  'Pulling',
  'Pulled',
  'FailedScheduling',
  'FailedMount',
  'FailedAttachVolume',
  'Evicted',
  'FailedCreatePodSandBox',
  'Scheduled',
  'Created',
  'Started',
  'OOMKilled',
  'InspectFailed',
  'FailedCreate',
  '',
  'Weird',
);
const adversarialText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((a) => a.join('')),
  fc
    .tuple(fc.constantFrom(...FRAGMENTS), fc.integer({ min: 1, max: 200_000 }))
    .map(([f, n]) => f.repeat(Math.ceil(n / f.length))),
);
const timestamp = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant('not a date'),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date(),
);
const event = fc.record(
  {
    type: fc.oneof(fc.constantFrom('Normal', 'Warning'), fc.string()),
    reason: fc.oneof(reasons, fc.string()),
    message: adversarialText,
    lastTimestamp: timestamp,
    eventTime: timestamp,
    involvedObject: fc.record(
      { fieldPath: fc.oneof(fc.constant('spec.containers{notebook}'), fc.string()) },
      { requiredKeys: [] },
    ),
    source: fc.record(
      { component: fc.constantFrom('kubelet', 'default-scheduler', 'spawn-doctor') },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);
const pod = fc.oneof(
  fc.constant(undefined),
  fc.anything(),
  fc.record(
    {
      spec: fc.record(
        {
          containers: fc.array(
            fc.record(
              { name: fc.string(), image: fc.string(), resources: fc.anything() },
              { requiredKeys: [] },
            ),
          ),
          nodeSelector: fc.anything(),
          volumes: fc.anything(),
        },
        { requiredKeys: [] },
      ),
      status: fc.record(
        {
          reason: fc.oneof(fc.constant('Evicted'), fc.string()),
          message: adversarialText,
          conditions: fc.array(
            fc.record(
              {
                type: fc.constantFrom('PodScheduled', 'Ready'),
                status: fc.constantFrom('True', 'False'),
                message: adversarialText,
              },
              { requiredKeys: [] },
            ),
          ),
          containerStatuses: fc.array(fc.anything()),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  ),
);

describe('classify is total', () => {
  it('never throws on structured but adversarial evidence', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), pod, fc.anything(), (events, p, capacity) => {
        valid(classify({ events, pod: p, capacity } as unknown as Evidence));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on anything at all', () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true }),
        (x) => {
          valid(classify(x as Evidence));
          valid(classify({ events: x } as Evidence));
          valid(classify({ events: [x] } as Evidence));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('survives getters that throw', () => {
    const hostile = Object.defineProperty({}, 'message', {
      get: () => {
        throw new Error('boom');
      },
      enumerable: true,
    });
    const d = classify({ events: [hostile] });
    valid(d);
    assert.equal(d.category, 'unknown.warning');
  });

  it('an unrecognised Warning is unknown.warning, an unrecognised Normal is normal', () => {
    const unrecognised = fc
      .stringMatching(/^[a-z][a-z ]{0,60}$/)
      .filter((s) => !/pull|image|fail|error|quota|found|back-off/i.test(s));
    fc.assert(
      fc.property(fc.stringMatching(/^Zz[A-Za-z]{0,20}$/), unrecognised, (reason, message) => {
        assert.equal(
          classify({ events: [{ type: 'Warning', reason, message }] }).category,
          'unknown.warning',
        );
        assert.equal(classify({ events: [{ type: 'Normal', reason, message }] }).category, 'normal');
      }),
      { numRuns: RUNS },
    );
  });

  it('a huge sshfs message still yields the server and a bounded excerpt', () => {
    const tail = ' -o x'.repeat(50_000);
    const message = `MountVolume.SetUp failed for volume "home" : mounting failed: exit status 1 cmd: 'sshfs u@storage.example.org:/home/u /mnt${tail}`;
    const d = classify({ events: [{ type: 'Warning', reason: 'FailedMount', message }] });
    assert.equal(d.category, 'volume.sshfs_mount_failed');
    assert.equal(d.params.storageServer, 'storage.example.org');
    assert.ok((d.params.message ?? '').length <= 1024);
  });
});
