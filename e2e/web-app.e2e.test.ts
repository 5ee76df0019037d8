/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../src/demo/demo.seed.js';
import { DEMO_SERVER_TIMEOUT, hasChromium, launchChromium, startDemoServer } from './browser.js';

/**
 * How the built web app reaches a browser (issue 11 point 11, issue 16 point 8): compressed, split
 * by route so the login page fetches no feature's code, and a page that fails leaves the rest usable.
 * First-load bytes and times are measured by bench/first-load.bench.ts, not here.
 */
describe.skipIf(!hasChromium)('the web app as served', () => {
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;
  const regulator = demoAccounts.find((a) => a.username === 'regulator')!;

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchChromium();
  }, DEMO_SERVER_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the login page fetches compressed scripts and no page of a feature', async () => {
    const page = await browser.newPage();
    const scripts: { path: string; encoding: string | undefined; bytes: number }[] = [];
    page.on('response', async (r) => {
      if (r.request().resourceType() === 'script')
        scripts.push({
          path: new URL(r.url()).pathname,
          encoding: r.headers()['content-encoding'],
          bytes: (await r.body()).length,
        });
    });
    await page.goto(`${server.url}/login`);
    await page.locator('.zx-demo-accounts li').first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    expect(scripts.length).toBeGreaterThan(0);
    // The build leaves files under 1 KiB as they are (web/vite.config.ts).
    expect(scripts.filter((s) => s.encoding !== 'br' && s.bytes >= 1024)).toEqual([]);
    expect(scripts.filter((s) => s.encoding === 'br').length).toBeGreaterThan(3);
    expect(scripts.map((s) => s.path).filter((p) => /-page-|echarts|human/.test(p))).toEqual([]);
    await page.close();
  });

  it("a page whose code fails shows the error inside the menu's frame, and the next page works", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.request.post(`${server.url}/api/auth/login`, {
      data: { username: regulator.username, password: regulator.password },
    });
    const page = await context.newPage();
    // As when the server was upgraded while the tab stayed open: the old chunk is gone.
    await page.route('**/assets/policies-page-*.js', (route) => route.abort());
    await page.goto(`${server.url}/`);
    await page.getByRole('menuitem', { name: /政策参数/ }).click();
    await expect
      .poll(() => page.getByText('页面出错了').count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await expect(page.getByText('系统已更新，请刷新页面后继续。').count()).resolves.toBe(1);
    await page.getByRole('menuitem', { name: /机构/ }).click();
    await page.waitForSelector('a[href^="/organizations/"]', { timeout: 30_000 });
    await expect(page.getByText('页面出错了').count()).resolves.toBe(0);
    await context.close();
  });
});
