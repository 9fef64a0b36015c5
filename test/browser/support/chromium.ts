// Debian's Chromium driven by playwright-core, the way every browser test launches it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = 'test-artifacts/screenshots';

export interface Launched {
  browser: Browser;
  close(): Promise<void>;
}

/** playwright-core's launch() gives Chromium a fresh temporary profile (user-data-dir) each time. */
export async function launch(): Promise<Launched> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** A context in one locale; the Accept-Language and navigator.languages follow it. */
export function context(
  browser: Browser,
  locale: string,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<BrowserContext> {
  return browser.newContext({ locale, colorScheme, viewport: { width: 1100, height: 900 } });
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}

/** A screenshot of the page from the top down to just below `last` (for the docs). */
export async function topScreenshot(page: Page, name: string, last: Locator): Promise<void> {
  const box = await last.boundingBox();
  const viewport = page.viewportSize() ?? { width: 1100, height: 900 };
  const height = Math.min(viewport.height, Math.ceil((box ? box.y + box.height : viewport.height) + 24));
  await page.screenshot({ path: screenshotPath(name), clip: { x: 0, y: 0, width: viewport.width, height } });
}
