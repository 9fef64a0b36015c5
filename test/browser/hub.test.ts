// Stage 2: the spawn page of a real JupyterHub (6.x, and 5.x with only template_paths set) with
// KubeSpawner on the testbed and spawn-doctor as its managed service, in Debian's Chromium.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { withFreshNode } from '../support/fresh-node.js';
import { type Hub, type HubVersion, startHub } from '../support/hub.js';
import { context, type Launched, launch, screenshotPath, topScreenshot } from './support/chromium.js';
import { login, submitSpawnForm } from './support/hub-page.js';
import { buildBundle } from './support/page-server.js';

const NOT_FOUND = 'docker.io/library/this-image-does-not-exist:42';
const SLOW = 'cerit.io/jupyter/big-ml-notebook:2025.11';
const EVIL = '<img src=x onerror=alert(1)>';

let chromium: Launched;
let browser: Browser;

before(async () => {
  buildBundle(); // web/templates/spawn-doctor-bundle.html must be current
  chromium = await launch();
  browser = chromium.browser;
});

after(async () => {
  await chromium?.close();
});

const card = (page: Page) => page.locator('spawn-diagnosis section.card');

/** Records dialogs and page errors (a spawn page must raise neither) and the element's events. */
async function watch(page: Page) {
  const dialogs: string[] = [];
  const errors: string[] = [];
  await page.addInitScript(() => {
    const log: unknown[] = [];
    (window as unknown as { __sd: unknown[] }).__sd = log;
    for (const n of ['diagnosis', 'progress', 'failed', 'ready', 'clear']) {
      document.addEventListener(`spawn-doctor-${n}`, (e) => {
        const d = (e as CustomEvent).detail as { rawEvent?: { involvedObject?: { uid?: string } } };
        log.push(`${n} ${d.rawEvent?.involvedObject?.uid ?? ''} ${new Date().toISOString()}`);
        console.log(`[spawn-doctor-${n}] ${d.rawEvent?.involvedObject?.uid ?? ''}`);
      });
    }
  });
  page.on('console', (m) => {
    if (process.env.DEBUG_BROWSER) process.stderr.write(`console: ${m.text()}\n`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { dialogs, errors };
}

/**
 * Waits until the failure has played out: the spawn page with the card and the stream's
 * failure, or the not-running page showing the remembered card. Survives navigations.
 */
async function settled(page: Page, timeoutMs = 90_000): Promise<'pending' | 'not-running'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const state = await page.evaluate(() => {
        const el = document.querySelector('spawn-diagnosis');
        if (!el?.hasAttribute('data-diagnosed')) return '';
        if (el.getAttribute('mode') === 'remembered') return 'not-running';
        // after a "ready" for the cancelled spawn the hub's own script reloads: wait for that page
        return el.hasAttribute('data-failed') && el.getAttribute('data-stream-end') === 'failed'
          ? 'pending'
          : '';
      });
      if (state) return state;
    } catch {
      // navigating
    }
    if (Date.now() > deadline) throw new Error(`no settled diagnosis on ${page.url()}`);
    await page.waitForTimeout(250);
  }
}

// The demo's config plus the built-in advisor (no LLM: its deterministic suggestions).
const CONFIG = `${readFileSync('deploy/demo/spawn-doctor.yaml', 'utf8')}\nadvisor:\n  enabled: true\n`;

function suite(version: HubVersion, full: boolean): void {
  describe(`JupyterHub ${version}.x with web/templates and spawn-doctor`, () => {
    let hub: Hub;

    before(async () => {
      hub = await startHub({
        version,
        name: `browser-hub${version}`,
        spawnDoctor: { enabled: true, configYaml: CONFIG },
      });
    });

    after(async () => {
      await hub?.stop();
    });

    // 6.x in a Czech browser with the light theme, 5.x in an English one with the dark theme.
    const lang = full ? 'cs' : 'en';
    const t = {
      cs: {
        locale: 'cs-CZ',
        heading: 'Jejda, něco se pokazilo',
        title: /^Obraz .*neexistuje/,
        last: /^Poslední pokus/,
      },
      en: {
        locale: 'en-US',
        heading: 'Oops, something went wrong',
        title: /^The image .*does not exist/,
        last: /^The last attempt/,
      },
    }[lang];
    const scheme = full ? 'light' : 'dark';

    test(`a non-existent image: the card with the right title and the picture, kept after the failure (${lang}, ${scheme})`, async () => {
      const user = `web${version}-notfound`;
      const ctx = await context(browser, t.locale, scheme);
      const page = await login(ctx, hub, user);
      const seen = await watch(page);
      await submitSpawnForm(page, hub, user, '', { image: NOT_FOUND });
      await card(page).waitFor({ timeout: 120_000 });
      assert.equal(await card(page).getAttribute('data-category'), 'image.not_found');
      assert.equal(await page.locator('spawn-diagnosis h2').textContent(), t.heading);
      assert.match((await page.locator('spawn-diagnosis .title').textContent()) ?? '', t.title);
      assert.match(
        (await page.locator('spawn-diagnosis .detail').textContent()) ?? '',
        /this-image-does-not-exist:42/,
      );
      assert.equal(await page.locator('spawn-diagnosis .pic svg').isVisible(), true);
      // The hub cancels the spawn: the card stays and the generic line is hidden. (JupyterHub may
      // instead report the cancelled spawn as "ready" and its script reloads into the
      // not-running page: then that page shows the same card.)
      const where = await settled(page);
      assert.equal(await card(page).isVisible(), true);
      if (where === 'pending') {
        assert.equal(await page.locator('#progress-message').isVisible(), false);
        if (version === 6) assert.equal(await page.locator('#stop-server-btn').isVisible(), false);
        // the stock script opens the raw event log on failure; the template folds it again
        await page.waitForFunction(
          () => !(document.getElementById('progress-details') as HTMLDetailsElement).open,
        );
      }
      await page.screenshot({
        path: screenshotPath(`hub${version}-not-found-${lang}-${scheme}`),
        fullPage: true,
      });
      const below = where === 'pending' ? page.locator('#progress-details') : card(page);
      await topScreenshot(page, `docs-hub${version}-card-${lang}-${scheme}`, below);

      // reload: the hub now shows its "not running" page; ours still says what went wrong
      await page.reload();
      await card(page).waitFor({ timeout: 30_000 });
      assert.match(
        (await page.locator('spawn-diagnosis .detail').textContent()) ?? '',
        /this-image-does-not-exist:42/,
      );
      assert.match((await page.locator('spawn-diagnosis .meta').last().textContent()) ?? '', t.last);
      assert.equal(await page.locator('#start').isVisible(), true, 'the hub’s own Launch button stays');
      await page.screenshot({
        path: screenshotPath(`hub${version}-not-running-${lang}-${scheme}`),
        fullPage: true,
      });
      await topScreenshot(page, `docs-hub${version}-not-running-${lang}-${scheme}`, page.locator('#start'));
      assert.deepEqual(seen.dialogs, []);
      assert.deepEqual(seen.errors, []);
      await ctx.close();
    });

    // The template works the same on 5.x (checked above); the rest is about the component.
    if (!full) return;

    test('an image name with markup is shown as text and no script runs', async () => {
      const user = `web${version}-markup`;
      const ctx = await context(browser, 'en-US');
      const page = await login(ctx, hub, user);
      const seen = await watch(page);
      await submitSpawnForm(page, hub, user, '', { image: EVIL });
      await card(page).waitFor({ timeout: 120_000 });
      const text = (await card(page).textContent()) ?? '';
      assert.ok(text.includes(EVIL), `the card shows the name literally: ${text}`);
      assert.equal(await page.locator('spawn-diagnosis .card img').count(), 0);
      assert.equal(await page.locator('img[src="x"]').count(), 0, 'nothing on the page made an <img src=x>');
      await settled(page);
      await page.screenshot({ path: screenshotPath(`hub${version}-markup-as-text`), fullPage: true });
      assert.deepEqual(seen.dialogs, []);
      assert.deepEqual(seen.errors, []);
      await ctx.close();
    });

    test('a slow image: the calm progress note, then the server opens', async () => {
      const user = `web${version}-slow`;
      const ctx = await context(browser, 'en-US');
      const page = await login(ctx, hub, user);
      const seen = await watch(page);
      await withFreshNode(
        async (node) => {
          await submitSpawnForm(page, hub, user, '', {
            image: SLOW,
            node_selector: node.selectorLines,
            tolerations: node.toleration,
          });
          const note = page.locator('spawn-diagnosis section.note');
          await note.waitFor({ timeout: 120_000 });
          assert.equal(await note.getAttribute('role'), 'status');
          assert.match((await note.textContent()) ?? '', /big-ml-notebook/);
          assert.match((await note.locator('.eta').textContent()) ?? '', /^Downloading a [\d.]+ GB image, /);
          assert.equal(await card(page).count(), 0, 'a slow download is not a failure');
          await page.screenshot({ path: screenshotPath(`hub${version}-slow-pull-note`), fullPage: true });
          await topScreenshot(page, `docs-hub${version}-progress-note`, page.locator('#stop-server-btn'));
          await page.waitForURL(new RegExp(`/user/${user}/`), { timeout: 300_000 });
          const state = await hub.serverState(user, '');
          assert.equal(state?.ready, true);
          assert.deepEqual(seen.dialogs, []);
          await hub.stopServer(user, '');
          await hub.waitFor(async () => (await hub.serverState(user, '')) === null, {
            what: `${user} stopped`,
          });
        },
        { prefix: 'web', hostIpBase: 240 },
      );
      await ctx.close();
    });

    test('a suggestion button starts the server again with exactly those values', async () => {
      const user = `web${version}-toobig`;
      const ctx = await context(browser, 'en-US');
      const page = await login(ctx, hub, user);
      await watch(page);
      await submitSpawnForm(page, hub, user, '', { cpu: '500', memory: '2' });
      await card(page).waitFor({ timeout: 120_000 });
      assert.match((await card(page).getAttribute('data-category')) ?? '', /^scheduling\./);
      await settled(page);
      const before = (await hub.api(`/users/${user}?include_stopped_servers=1`).then((r) => r.json())) as {
        servers: Record<string, { user_options: Record<string, unknown> }>;
      };
      const failedOptions = before.servers['']?.user_options ?? {};
      assert.equal(failedOptions.cpu, 500);
      const button = page.locator('spawn-diagnosis button[data-action="retry-with"]').first();
      await button.waitFor({ timeout: 10_000 });
      const request = await page.evaluate(() => {
        const el = document.querySelector('spawn-diagnosis') as unknown as {
          diagnosis?: { advice: Array<{ request?: Record<string, unknown> }> };
        };
        return el.diagnosis?.advice.find((a) => a.request)?.request;
      });
      assert.ok(request, 'the advisor suggested a request');
      await page.screenshot({ path: screenshotPath(`hub${version}-suggestion`), fullPage: true });
      await button.focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/user/${user}/`), { timeout: 180_000 });
      const after = await hub.serverState(user, '');
      assert.equal(after?.ready, true);
      assert.deepEqual(after?.user_options, { ...failedOptions, ...request });
      await ctx.close();
      await hub.stopServer(user, '');
    });

    test('start again through the hub’s REST API with its XSRF token (advice given by a host page)', async () => {
      const user = `web${version}-respawn`;
      const ctx = await context(browser, 'en-US');
      const page = await login(ctx, hub, user);
      const seen = await watch(page);
      await submitSpawnForm(page, hub, user, '', { cpu: '500', memory: '2' });
      await card(page).waitFor({ timeout: 120_000 });
      await settled(page);
      const failed = (await hub.api(`/users/${user}?include_stopped_servers=1`).then((r) => r.json())) as {
        servers: Record<string, { user_options: Record<string, unknown> }>;
      };
      const failedOptions = failed.servers['']?.user_options ?? {};
      assert.equal(failedOptions.cpu, 500);
      // A custom frontend hands the element a diagnosis with a suggestion of its own.
      // gpu_count 1 with gpu 'none' as the demo form's defaults have it (no GPU either way).
      const request = { cpu: 1, memory: 2, gpu: 'none', gpu_count: 1 };
      await page.evaluate((req) => {
        const el = document.querySelector('spawn-diagnosis') as unknown as {
          showDiagnosis(a: unknown): void;
        };
        el.showDiagnosis({
          version: 1,
          category: 'scheduling.insufficient_resources',
          action: 'stop',
          severity: 'error',
          title: { en: 'No node has 500 CPU free', cs: 'Žádný uzel nemá volných 500 CPU' },
          detail: { en: 'A smaller server fits now.', cs: 'Menší server se vejde hned.' },
          advice: [{ en: '1 CPU and 2 GiB fit now.', cs: '1 CPU a 2 GiB se vejde hned.', request: req }],
        });
      }, request);
      const button = page.locator('spawn-diagnosis button[data-action="retry-with"]');
      assert.equal(await button.textContent(), 'Start again with 1 CPU, 2 GiB memory, no GPU');
      await button.focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/user/${user}/`), { timeout: 180_000 });
      const after = await hub.serverState(user, '');
      assert.equal(after?.ready, true);
      assert.deepEqual(after?.user_options, { ...failedOptions, ...request });
      assert.deepEqual(seen.dialogs, []);
      await ctx.close();
      await hub.stopServer(user, '');
    });
  });
}

suite(6, true);
suite(5, false);
