/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { App } from '../src/platform/http/routing.js';
import { createTestDatabase, loadRegions, type TestDatabase } from '../src/test-support/db.js';
import { buildOrganization, buildUser, TEST_PASSWORD } from '../src/test-support/factories.js';
import { artifacts, hasChromium, launchChromium, webDist } from './browser.js';

/**
 * The Content-Security-Policy has no inline scripts (issue 12 point 7), and under it the web app and
 * the API reference at /docs still work in real Chromium, with no CSP violation reported.
 */
describe.skipIf(!hasChromium)('content security policy in the browser', () => {
  let t: TestDatabase;
  let app: App;
  let url: string;
  let browser: Browser;
  let username: string;

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    await loadRegions(t.db);
    const org = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    username = (await buildUser(t.db, { roles: ['regulator'], organizationId: org.id })).username;
    app = await buildApp({
      db: t.db,
      mode: t.mode,
      version: 'e2e',
      sessionDays: 1,
      cookieSecure: false,
      webDist,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.close();
  });

  /** Every CSP violation and script error the page reports. */
  function watch(page: Page): string[] {
    const problems: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to (execute|load)/i.test(m.text()))
        problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    return problems;
  }

  it('sends script-src without unsafe-inline', async () => {
    const res = await fetch(`${url}/login`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('runs the web app: login and the first screen', async () => {
    const page = await browser.newPage();
    const problems = watch(page);
    await page.goto(`${url}/login`);
    await page.getByLabel(/用户名|Username/).fill(username);
    await page.getByLabel(/密码|Password/).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: /登\s*录|Log in/ }).click();
    await page
      .waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 })
      .catch(async (e) => {
        await page.screenshot({ path: join(artifacts, 'csp-login-failed.png') });
        throw new Error(`${(e as Error).message}; reported: ${problems.join(' | ')}`);
      });
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(artifacts, 'csp-app.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('runs the API reference at /docs', async () => {
    const page = await browser.newPage();
    const problems = watch(page);
    await page.goto(`${url}/docs`);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(10);
    await page.screenshot({ path: join(artifacts, 'csp-docs.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});
