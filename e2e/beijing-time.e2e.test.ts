/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../src/demo/demo.seed.js';
import { DEMO_SERVER_TIMEOUT, hasChromium, launchChromium, startDemoServer } from './browser.js';

/**
 * Times are Beijing time whatever the browser's zone (issue 11 point 9): a browser set to UTC shows
 * the demo's 08:30 lessons as 08:30, not 00:30.
 */
describe.skipIf(!hasChromium)('Beijing time in a UTC browser', () => {
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;
  const school = demoAccounts.find((a) => a.username === 'school2')!;

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchChromium();
  }, DEMO_SERVER_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows a class's lessons at their Beijing time", async () => {
    const context = await browser.newContext({
      timezoneId: 'UTC',
      viewport: { width: 1280, height: 900 },
    });
    await context.request.post(`${server.url}/api/auth/login`, {
      data: { username: school.username, password: school.password },
    });
    const page = await context.newPage();
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('UTC');
    const classes = await (
      await context.request.get(`${server.url}/api/classes?pageSize=50`)
    ).json();
    const id = classes.items[0].id as string;
    const detail = await (await context.request.get(`${server.url}/api/classes/${id}`)).json();
    // The first lesson as the server stores it, and as a clock in 泰安 reads it.
    const lessons = (detail.lessons ?? []) as { startsAt: string }[];
    expect(lessons.length).toBeGreaterThan(0);
    const startsAt = new Date(lessons[0].startsAt);
    const beijing = new Date(startsAt.getTime() + 8 * 3_600_000).toISOString().slice(11, 16);
    const utc = startsAt.toISOString().slice(11, 16);
    expect(beijing).not.toBe(utc);
    await page.goto(`${server.url}/classes/${id}`);
    await page.getByRole('tab', { name: '教学计划' }).click();
    await expect
      .poll(() => page.getByText(new RegExp(`${beijing}–`)).count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(await page.getByText(new RegExp(`\\d{4}-\\d\\d-\\d\\d ${utc}–`)).count()).toBe(0);
    await context.close();
  });
});
