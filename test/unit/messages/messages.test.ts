import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnosisAnnotationSchema } from '../../../src/diagnosis/annotation.js';
import {
  CATEGORIES,
  CATEGORY_DEFAULTS,
  type Category,
  type Diagnosis,
  type DiagnosisParams,
} from '../../../src/diagnosis/index.js';
import {
  DEFAULT_CONTACT,
  describe as describeDiagnosis,
  formatResource,
} from '../../../src/messages/index.js';

const GiB = 2 ** 30;
function diag(category: Category, params: DiagnosisParams = {}): Diagnosis {
  return { category, ...CATEGORY_DEFAULTS[category], params, evidence: [] };
}

describe('describe', () => {
  it('has a title and detail in English and Czech for every category, valid for the annotation', () => {
    for (const category of CATEGORIES) {
      const t = describeDiagnosis(diag(category));
      for (const lang of ['en', 'cs'] as const) {
        assert.ok(t.title[lang].trim().length > 2, `${category} ${lang} title`);
        assert.ok(t.detail[lang].trim().length > 10, `${category} ${lang} detail`);
        assert.doesNotMatch(
          t.detail[lang],
          /undefined|null|NaN|\$\{|\s{2,}|\s[.,]/,
          `${category} ${lang}: ${t.detail[lang]}`,
        );
      }
      assert.notEqual(t.title.en, t.title.cs, `${category}: Czech title is not a copy`);
      assert.ok(t.sentence.length > 10 && !t.sentence.includes('\n'), `${category} sentence`);
      const annotation = {
        version: 1,
        category,
        action: CATEGORY_DEFAULTS[category].action,
        severity: CATEGORY_DEFAULTS[category].severity,
        title: t.title,
        detail: t.detail,
      };
      assert.ok(diagnosisAnnotationSchema.safeParse(annotation).success, category);
    }
  });

  it('uses Czech diacritics, not stripped ASCII', () => {
    const cs = CATEGORIES.map((c) => describeDiagnosis(diag(c)).detail.cs).join(' ');
    for (const letter of ['ě', 'š', 'č', 'ř', 'ž', 'ý', 'á', 'í', 'é', 'ů'])
      assert.ok(cs.includes(letter), `no ${letter}`);
  });

  it('the generic fallback is the brief\'s "Oops" / "Jejda"', () => {
    const t = describeDiagnosis(diag('unknown.warning', { reason: 'Strange', message: 'it broke' }));
    assert.equal(t.title.en, 'Oops, something went wrong');
    assert.equal(t.title.cs, 'Jejda, něco se pokazilo');
    assert.match(t.detail.en, /Strange: it broke/);
    assert.match(t.detail.en, new RegExp(DEFAULT_CONTACT));
  });

  it('fills in the sshfs storage server, user and volume, and the configured contact', () => {
    const d = diag('volume.sshfs_mount_failed', {
      volume: 'ondryx-brno12-cerit-data-sshfs',
      storageServer: 'storage-brno12-cerit.metacentrum.cz',
      storageUser: 'ondryx',
      cause: 'read: Connection reset by peer',
    });
    const t = describeDiagnosis(d, { contact: 'help@site.test' });
    assert.match(t.detail.en, /storage server "storage-brno12-cerit\.metacentrum\.cz" \(user "ondryx"\)/);
    assert.match(
      t.detail.cs,
      /z úložného serveru „storage-brno12-cerit\.metacentrum\.cz“ \(uživatel „ondryx“\)/,
    );
    assert.match(t.detail.en, /help@site\.test/);
    assert.match(t.detail.cs, /help@site\.test/);
    assert.match(t.sentence, /storage-brno12-cerit\.metacentrum\.cz/);
    const attach = describeDiagnosis(diag('volume.sshfs_attach_failed', { volume: 'jupyterhub-x-sshfs' }));
    assert.match(attach.detail.en, /sshfs storage driver.*"jupyterhub-x-sshfs"/);
    assert.match(attach.detail.cs, /ovladačem úložiště sshfs.*„jupyterhub-x-sshfs“/);
  });

  it('names the missing image and its registry', () => {
    const t = describeDiagnosis(diag('image.not_found', { image: 'jupyter/nope:1', registry: 'docker.io' }));
    assert.equal(t.sentence, 'The image "jupyter/nope:1" does not exist in the registry "docker.io".');
    assert.match(t.detail.cs, /^Obraz „jupyter\/nope:1“ v registru „docker\.io“ neexistuje\./);
  });

  it('says which resource is short and by how much', () => {
    const unsat = describeDiagnosis(
      diag('scheduling.unsatisfiable', {
        short: ['cpu', 'memory'],
        requested: { cpu: 64, memory: 256 * GiB },
        largestAllocatable: { cpu: 32, memory: 128 * GiB },
      }),
    );
    assert.match(
      unsat.detail.en,
      /You asked for 64 CPU, 256 GiB, but the largest node offers at most 32 CPU, 128 GiB\./,
    );
    assert.match(
      unsat.detail.cs,
      /Požadovali jste 64 CPU, 256 GiB, ale největší uzel nabízí nejvýše 32 CPU, 128 GiB\./,
    );
    const busy = describeDiagnosis(
      diag('scheduling.insufficient_resources', {
        short: ['nvidia.com/gpu'],
        requested: { 'nvidia.com/gpu': 2 },
        largestFree: { 'nvidia.com/gpu': 1 },
      }),
    );
    assert.match(
      busy.detail.en,
      /free nvidia\.com\/gpu .*You asked for 2× nvidia\.com\/gpu, but the most any node has free right now is 1× nvidia\.com\/gpu\./,
    );
    const bare = describeDiagnosis(diag('scheduling.insufficient_resources', { short: ['cpu'] }));
    assert.match(bare.detail.en, /^No node has enough free CPU for your request right now\./);
  });

  it('appends the docs link only when configured, and never for normal', () => {
    assert.doesNotMatch(describeDiagnosis(diag('image.not_found')).detail.en, /http/);
    const t = describeDiagnosis(diag('image.not_found'), { docs: 'https://docs.site.test/spawn' });
    assert.match(t.detail.en, /More information: https:\/\/docs\.site\.test\/spawn$/);
    assert.match(t.detail.cs, /Více informací: https:\/\/docs\.site\.test\/spawn$/);
    assert.doesNotMatch(describeDiagnosis(diag('normal'), { docs: 'https://d.test' }).detail.en, /d\.test/);
  });

  it('inserts untrusted values as bounded single-line text', () => {
    const evil = `<img src=x onerror=alert(1)>\u0000\n${'A'.repeat(5000)}`;
    const t = describeDiagnosis(diag('image.not_found', { image: evil }));
    assert.ok(!t.detail.en.includes('\n') && !t.detail.en.includes('\u0000'));
    assert.ok(t.detail.en.length < 600);
    // It stays text: a reader renders it with textContent, so the markup is shown, not run.
    assert.ok(t.detail.en.includes('<img src=x'));
  });

  it('is total for garbage diagnoses', () => {
    const t = describeDiagnosis({ category: 'nonsense', params: null } as unknown as Diagnosis);
    assert.equal(t.title.en, 'Oops, something went wrong');
  });
});

describe('formatResource', () => {
  const cases: Array<[string, number, string, string?]> = [
    ['cpu', 64, '64 CPU'],
    ['cpu', 0.5, '0.5 CPU'],
    ['cpu', 0.5, '0,5 CPU', 'cs'],
    ['memory', 256 * GiB, '256 GiB'],
    ['memory', 1.5 * GiB, '1.5 GiB'],
    ['memory', 512 * 2 ** 20, '512 MiB'],
    ['memory', 2 * 2 ** 40, '2 TiB'],
    ['memory', 100, '100 B'],
    ['nvidia.com/gpu', 2, '2× nvidia.com/gpu'],
    ['nvidia.com/mig-1g.10gb', 1, '1× nvidia.com/mig-1g.10gb'],
    ['pods', 3, '3 pods'],
  ];
  for (const [name, value, expected, lang] of cases) {
    it(`${name} ${value} ${lang ?? 'en'} → ${expected}`, () =>
      assert.equal(formatResource(name, value, (lang ?? 'en') as 'en'), expected));
  }
});
