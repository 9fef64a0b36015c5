// Driving the real hub's pages in Chromium: log in, fill the demo spawn form, submit.
import type { BrowserContext, Page } from 'playwright-core';
import type { Hub } from '../../support/hub.js';

export const DEMO_PASSWORD = 'spawn-doctor';

export async function login(ctx: BrowserContext, hub: Hub, user: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${hub.url}/hub/login`);
  await page.fill('#username_input', user);
  await page.fill('#password_input', DEMO_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#login_submit')]);
  return page;
}

/** Opens the spawn form of `server`, types each field (image → "other image"), submits it. */
export async function submitSpawnForm(
  page: Page,
  hub: Hub,
  user: string,
  server: string,
  fields: Record<string, string>,
): Promise<void> {
  const tail = server ? `/${encodeURIComponent(server)}` : '';
  await page.goto(`${hub.url}/hub/spawn/${encodeURIComponent(user)}${tail}`);
  for (const [key, value] of Object.entries(fields)) {
    await page.fill(key === 'image' ? 'input[name="image_custom"]' : `[name="${key}"]`, value);
  }
  await Promise.all([
    page.waitForURL(/\/hub\/spawn-pending\//, { timeout: 60_000 }),
    page.click('#spawn_form input[type="submit"], #spawn_form button[type="submit"]'),
  ]);
}
