import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatEta, formatRequest, headingFor, pickLang } from '../../../web/src/i18n.js';

test('language: explicit attribute, then a Czech page, then the browser’s first known language', () => {
  assert.equal(pickLang(null, 'en', ['cs-CZ', 'en-US']), 'cs'); // stock hub page is always lang="en"
  assert.equal(pickLang(null, 'en', ['en-GB', 'cs']), 'en');
  assert.equal(pickLang(null, 'cs', ['en-US']), 'cs');
  assert.equal(pickLang('en', 'cs', ['cs']), 'en');
  assert.equal(pickLang('cs', '', []), 'cs');
  assert.equal(pickLang(null, '', ['de-DE', 'fr', 'cs']), 'cs');
  assert.equal(pickLang(null, '', ['de-DE']), 'en');
  assert.equal(pickLang(null, undefined, ['sk-SK', 'en']), 'cs');
  assert.equal(pickLang('xx', 'EN', ['CS_cz']), 'cs');
  assert.equal(pickLang(undefined, null, []), 'en');
});

test('ETA in words, with Czech plural forms', () => {
  assert.equal(formatEta(125, 'en'), 'about 2 minutes left');
  assert.equal(formatEta(60, 'en'), 'about 1 minute left');
  assert.equal(formatEta(10, 'en'), 'less than a minute left');
  assert.equal(formatEta(60, 'cs'), 'zbývá asi 1 minuta');
  assert.equal(formatEta(125, 'cs'), 'zbývají asi 2 minuty');
  assert.equal(formatEta(240, 'cs'), 'zbývají asi 4 minuty');
  assert.equal(formatEta(300, 'cs'), 'zbývá asi 5 minut');
  assert.equal(formatEta(5400, 'en'), 'about 1.5 hours left');
  assert.equal(formatEta(5400, 'cs'), 'zbývá asi 1,5 h');
});

test('image sizes in decimal units, localised', () => {
  assert.equal(formatBytes(4_200_000_000, 'en'), '4.2 GB');
  assert.equal(formatBytes(4_200_000_000, 'cs'), '4,2 GB');
  assert.equal(formatBytes(512, 'en'), '512 B');
  assert.equal(formatBytes(153_000_000, 'en'), '153 MB');
});

test('resource suggestions read as a short phrase', () => {
  assert.equal(
    formatRequest({ cpu: 16, memory: 64, gpu: 'none', gpu_count: 0 }, 'en'),
    '16 CPU, 64 GiB memory, no GPU',
  );
  assert.equal(
    formatRequest({ cpu: 0.5, memory: 1.5, gpu: 'nvidia.com/mig-1g.10gb', gpu_count: 1 }, 'cs'),
    '0,5 CPU, 1,5 GiB paměti, 1× nvidia.com/mig-1g.10gb',
  );
});

test('headings: category-specific where we can say more, the brief’s words otherwise', () => {
  assert.equal(headingFor('image.not_found', 'cs'), 'Jejda, něco se pokazilo');
  assert.equal(headingFor('unknown.warning', 'en'), 'Oops, something went wrong');
  assert.match(headingFor('scheduling.unsatisfiable', 'en'), /no room/);
});
