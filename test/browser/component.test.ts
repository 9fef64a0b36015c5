// Stage 1: <spawn-diagnosis> in real Chromium, fed by a real SSE stream of progress messages in
// the hub's shape. Stage 2 (hub-*.test.ts) runs the same against the real JupyterHub.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { context, type Launched, launch, screenshotPath, topScreenshot } from './support/chromium.js';
import { buildBundle, type PageServer, startPageServer } from './support/page-server.js';

let chromium: Launched;
let browser: Browser;
let server: PageServer;

before(async () => {
  server = await startPageServer(buildBundle());
  chromium = await launch();
  browser = chromium.browser;
});

after(async () => {
  await chromium?.close();
  await server?.close();
});

/** Opens a page and records every dialog (alert/confirm) and page error it raises. */
async function open(locale: string, path: string, colorScheme: 'light' | 'dark' = 'light') {
  const ctx = await context(browser, locale, colorScheme);
  const page = await ctx.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url + path);
  return { ctx, page, dialogs, errors };
}

const card = (page: Page) => page.locator('spawn-diagnosis section.card');
const failed = (page: Page) => page.waitForSelector('spawn-diagnosis[data-failed]', { state: 'attached' });

describe('<spawn-diagnosis> on a test page with a recorded stream', () => {
  test('image not found: the card shows title and picture, and stays after "Spawn cancelled"', async () => {
    const { ctx, page, errors } = await open('en-US', '/spawn-pending?stream=image-not-found');
    await card(page).waitFor();
    await failed(page);
    assert.equal(await card(page).isVisible(), true, 'the card is still there after the failure');
    // the same card node (not re-created, so not announced twice), with the hub's words in its details
    assert.equal(
      await page.evaluate(() => {
        const w = window as unknown as { __card?: Element };
        return w.__card === document.querySelector('spawn-diagnosis')?.shadowRoot?.querySelector('.card');
      }),
      true,
    );
    assert.equal(
      await page.locator('spawn-diagnosis [data-hub-message]').textContent(),
      'JupyterHub: Spawn cancelled',
    );
    assert.equal(await card(page).getAttribute('role'), 'alert');
    assert.equal(await card(page).getAttribute('data-category'), 'image.not_found');
    assert.equal(await page.locator('spawn-diagnosis h2').textContent(), 'Oops, something went wrong');
    assert.equal(
      await page.locator('spawn-diagnosis .title').textContent(),
      'The image registry.example.org/jupyter/no-such-notebook:2025.11 does not exist',
    );
    const picture = page.locator('spawn-diagnosis .pic svg');
    assert.equal(await picture.isVisible(), true);
    const box = await picture.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 80, `picture is ${JSON.stringify(box)}`);
    // mailto with the pod and the time prefilled, percent-encoded
    const mail = await page.locator('spawn-diagnosis a[data-action="contact"]').getAttribute('href');
    assert.ok(mail?.startsWith('mailto:support@example.org?subject='), String(mail));
    const body = new URL(mail!).searchParams.get('body') ?? '';
    assert.match(body, /Pod: jupyter-alice\n/);
    assert.match(body, /Namespace: jupyterhub-demo\n/);
    assert.match(body, /2026-11-25T19:40:04\.000Z/);
    assert.equal(
      await page.locator('spawn-diagnosis a[data-action="try-again"]').getAttribute('href'),
      '/hub/spawn/alice',
    );
    const events = (await page.evaluate('window.__events')) as Array<{
      name: string;
      detail: { diagnosed?: boolean };
    }>;
    assert.deepEqual(
      events.map((e) => e.name),
      ['diagnosis', 'failed'],
    );
    assert.equal(events[1]?.detail.diagnosed, true);
    await page.screenshot({ path: screenshotPath('stage1-card-en-light'), fullPage: true });
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('a Czech browser gets the Czech card (the page itself says lang="en", like the hub’s)', async () => {
    const { ctx, page } = await open('cs-CZ', '/spawn-pending?stream=image-not-found');
    await card(page).waitFor();
    assert.equal(await page.locator('spawn-diagnosis h2').textContent(), 'Jejda, něco se pokazilo');
    assert.match((await page.locator('spawn-diagnosis .title').textContent()) ?? '', /^Obraz .* neexistuje$/);
    assert.equal(
      await page.locator('spawn-diagnosis a[data-action="try-again"]').textContent(),
      'Zkusit znovu',
    );
    await failed(page);
    await page.screenshot({ path: screenshotPath('stage1-card-cs-light'), fullPage: true });
    await ctx.close();
  });

  test('a slow pull shows the calm progress note with size and time left', async () => {
    const { ctx, page } = await open('en-US', '/spawn-pending?stream=slow-pull');
    const note = page.locator('spawn-diagnosis section.note');
    await note.waitFor();
    assert.equal(await note.getAttribute('role'), 'status');
    assert.equal(
      await page.locator('spawn-diagnosis .note .eta').textContent(),
      'Downloading a 4.2 GB image, about 2 minutes left.',
    );
    assert.equal(await card(page).count(), 0, 'no failure card for a download');
    await page.screenshot({ path: screenshotPath('stage1-progress-en'), fullPage: true });
    await ctx.close();

    const cs = await open('cs-CZ', '/spawn-pending?stream=slow-pull');
    await cs.page.locator('spawn-diagnosis section.note').waitFor();
    assert.match(
      (await cs.page.locator('spawn-diagnosis .note .eta').textContent()) ?? '',
      /^Stahuje se obraz o velikosti 4,2 GB, zbývají asi 2 minuty\.$/,
    );
    await cs.ctx.close();
  });

  test('markup in an annotation is shown as text; no script runs, no javascript: link is made', async () => {
    const { ctx, page, dialogs, errors } = await open('en-US', '/spawn-pending?stream=xss');
    await card(page).waitFor();
    await failed(page);
    assert.equal(await page.locator('spawn-diagnosis .title').textContent(), '<img src=x onerror=alert(1)>');
    assert.match(
      (await page.locator('spawn-diagnosis .detail').textContent()) ?? '',
      /^<script>window.__pwned=1<\/script>/,
    );
    assert.equal(
      await page
        .locator('spawn-diagnosis .card img, spawn-diagnosis .card script, spawn-diagnosis .card b')
        .count(),
      0,
    );
    await page.locator('spawn-diagnosis li').first().hover();
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    // contact and docs were javascript: URLs: shown as text, never as links
    const hrefs = await page
      .locator('spawn-diagnosis a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(hrefs, ['/hub/spawn/alice']);
    assert.match(
      (await page.locator('spawn-diagnosis .card').textContent()) ?? '',
      /Write to support: javascript:alert\(3\)/,
    );
    await page.screenshot({ path: screenshotPath('stage1-xss-as-text'), fullPage: true });
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('after a reload, the not-running page shows the remembered diagnosis (sessionStorage)', async () => {
    const { ctx, page } = await open('en-US', '/spawn-pending?stream=image-not-found');
    await failed(page);
    await page.goto(`${server.url}/not-running`);
    await card(page).waitFor();
    assert.match(
      (await page.locator('spawn-diagnosis .title').textContent()) ?? '',
      /no-such-notebook:2025\.11 does not exist/,
    );
    assert.match(
      (await page.locator('spawn-diagnosis .meta').last().textContent()) ?? '',
      /^The last attempt to start this server failed/,
    );
    await page.reload();
    await card(page).waitFor();
    // another tab (a new session) knows nothing
    const other = await ctx.newPage();
    await other.goto(`${server.url}/not-running`);
    await other.waitForFunction(() => customElements.get('spawn-diagnosis') !== undefined);
    assert.equal(await card(other).count(), 0);
    // a new spawn that starts forgets the old diagnosis
    await page.goto(`${server.url}/spawn-pending?stream=slow-pull`);
    await page.locator('spawn-diagnosis section.note').waitFor();
    await page.goto(`${server.url}/not-running`);
    await page.waitForFunction(() => customElements.get('spawn-diagnosis') !== undefined);
    assert.equal(await card(page).count(), 0);
    await ctx.close();
  });

  test('keyboard: Tab reaches each suggestion button; Enter asks to start with exactly those values', async () => {
    const { ctx, page } = await open('en-US', '/spawn-pending?stream=insufficient');
    await card(page).waitFor();
    await failed(page);
    assert.equal(
      await page.locator('spawn-diagnosis h2').textContent(),
      'Oops, there is no room for your server right now',
    );
    const focused: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      focused.push(
        await page.evaluate(
          () => document.querySelector('spawn-diagnosis')?.shadowRoot?.activeElement?.textContent ?? '',
        ),
      );
    }
    assert.deepEqual(focused.slice(0, 4), [
      'Start again with 16 CPU, 64 GiB memory, no GPU',
      'Start again with 8 CPU, 32 GiB memory, 1× nvidia.com/mig-1g.10gb',
      'Try again',
      'Write to support: support@example.org',
    ]);
    const active = () =>
      page.evaluate(
        () => document.querySelector('spawn-diagnosis')?.shadowRoot?.activeElement?.textContent ?? '',
      );
    for (let i = 0; i < 10 && !(await active()).startsWith('Start again with 8 CPU'); i++)
      await page.keyboard.press('Shift+Tab');
    assert.match(await active(), /^Start again with 8 CPU/);
    await page.screenshot({ path: screenshotPath('stage1-suggestions-focus'), fullPage: true });
    await page.keyboard.press('Enter');
    const events = (await page.evaluate('window.__events')) as Array<{
      name: string;
      detail: { options?: unknown };
    }>;
    const respawn = events.find((e) => e.name === 'respawn');
    assert.deepEqual(respawn?.detail.options, {
      cpu: 8,
      memory: 32,
      gpu: 'nvidia.com/mig-1g.10gb',
      gpu_count: 1,
    });
    await ctx.close();
  });

  test('dark theme: readable card; a new pod’s events clear a stale card', async () => {
    const { ctx, page } = await open('cs-CZ', '/spawn-pending?stream=insufficient&theme=dark', 'dark');
    await card(page).waitFor();
    await failed(page);
    const colors = await page.locator('spawn-diagnosis .title').evaluate((e) => {
      const c = getComputedStyle(e).color;
      const bg = getComputedStyle(e.closest('.card')!).backgroundColor;
      return { c, bg };
    });
    assert.notEqual(colors.c, colors.bg);
    assert.equal(colors.bg, 'rgb(28, 33, 40)', 'the dark card background applies');
    await page.screenshot({ path: screenshotPath('stage1-card-cs-dark'), fullPage: true });
    await topScreenshot(page, 'docs-stage1-suggestions-cs-dark', card(page));
    // a host page feeds an event of another pod with the same name: the old card goes away
    await page.evaluate(() => {
      const el = document.querySelector('spawn-diagnosis') as unknown as { handleEvent(m: unknown): void };
      el.handleEvent({
        progress: 10,
        raw_event: {
          reason: 'Scheduled',
          involvedObject: { name: 'jupyter-alice', uid: 'new-uid' },
          source: { component: 'default-scheduler' },
        },
      });
    });
    assert.equal(await card(page).count(), 0);
    await ctx.close();
  });
});
