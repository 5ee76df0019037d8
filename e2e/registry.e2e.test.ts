/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../src/demo/demo.seed.js';
import {
  artifacts,
  DEMO_SERVER_TIMEOUT,
  hasChromium,
  launchChromium,
  startDemoServer,
} from './browser.js';

/**
 * The registry as a regulator and an institution see it in real Chromium: each sees only its scope,
 * on a desktop and on a phone-sized screen. Screenshots go to e2e/artifacts/ (git-ignored).
 */
describe.skipIf(!hasChromium)('registry in the browser', () => {
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchChromium();
  }, DEMO_SERVER_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function login(page: Page, username: string, password: string) {
    await page.goto(server.url);
    await page.getByLabel(/用户名|Username/).fill(username);
    await page.getByLabel(/密码|Password/).fill(password);
    await page.getByRole('button', { name: /登\s*录|Log in/ }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 20_000 });
  }

  async function organizationNamesOnScreen(page: Page): Promise<string[]> {
    await page.goto(`${server.url}/organizations`);
    await page.waitForSelector('a[href^="/organizations/"]', { timeout: 20_000 });
    return page.locator('a[href^="/organizations/"]').allInnerTexts();
  }

  async function organizationsViaApi(page: Page): Promise<{ total: number; names: string[] }> {
    return page.evaluate(async () => {
      const res = await fetch('/api/organizations?pageSize=200');
      const body = await res.json();
      return { total: body.total, names: body.items.map((i: { name: string }) => i.name) };
    });
  }

  it('shows the demo accounts on the first screen', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await expect
      .poll(() => page.getByText('county').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'login.png'), fullPage: true });
    await page.close();
  });

  it('a county regulator sees only its county', async () => {
    const account = demoAccounts.find((a) => a.username === 'county')!;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await login(page, account.username, account.password);
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
    expect(me.scope.kind).toBe('region');
    const api = await organizationsViaApi(page);
    expect(api.total).toBeGreaterThan(5);
    const city = await server.handle.db
      .selectFrom('organization')
      .select(['name', 'regionCode'])
      .execute();
    const inCounty = city
      .filter((o) => o.regionCode.startsWith(me.scope.regionCode))
      .map((o) => o.name);
    expect(city.length).toBeGreaterThan(inCounty.length);
    expect(api.total).toBe(inCounty.length);
    const shown = await organizationNamesOnScreen(page);
    expect(shown.length).toBeGreaterThan(0);
    for (const name of shown) expect(inCounty).toContain(name.trim());
    await page.screenshot({ path: join(artifacts, 'regulator-organizations.png'), fullPage: true });
    await context.close();
  });

  it('an institution sees only itself, also on a phone', async () => {
    const account = demoAccounts.find((a) => a.username === 'school')!;
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await login(page, account.username, account.password);
    const api = await organizationsViaApi(page);
    expect(api.total).toBe(1);
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
    expect(api.names).toEqual([me.organizationName]);
    await page.goto(`${server.url}/organizations/${me.organizationId}`);
    await expect
      .poll(() => page.getByText(me.organizationName).count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(artifacts, 'institution-phone.png'), fullPage: true });
    const other = await page.evaluate(
      async () => (await fetch('/api/organizations/00000000-0000-0000-0000-000000000000')).status,
    );
    expect(other).toBe(404);
    await context.close();
  });
});
