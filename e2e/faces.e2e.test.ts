/// <reference lib="dom" />
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../src/demo/demo.seed.js';
import { encodeJpeg } from '../src/modules/faces/face-engine.js';
import { sampleFace } from '../src/modules/faces/faces.test-images.js';
import {
  artifacts,
  chromiumPath,
  DEMO_SERVER_TIMEOUT,
  hasChromium,
  onCanvas,
  startDemoServer,
  y4m,
} from './browser.js';

describe.skipIf(!hasChromium)('face enrollment and verification with a camera in Chromium', () => {
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;

  beforeAll(async () => {
    server = await startDemoServer();
    const video = join(mkdtempSync(join(tmpdir(), 'zx-cam-')), 'face.y4m');
    writeFileSync(video, y4m(onCanvas(sampleFace(2, 3))));
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
  }, DEMO_SERVER_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an institution clerk enrolls a teacher from the camera and verifies them', async () => {
    const account = demoAccounts.find((a) => a.username === 'school2')!;
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel(/用户名/).fill(account.username);
    await page.getByLabel(/密码/).fill(account.password);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
    const staff = await page.evaluate(
      async (id: string) => (await fetch(`/api/organizations/${id}/staff`)).json(),
      me.organizationId,
    );
    const teacher = staff.items.find((s: { duty: string }) => s.duty === 'teacher');
    await page.goto(`${server.url}/persons/${teacher.personId}`);
    await page.getByRole('tab', { name: '人脸' }).click();

    await page.getByRole('button', { name: /采集人脸/ }).click();
    const capture = page.getByRole('button', { name: /拍\s*照/ });
    await expect.poll(() => capture.isEnabled(), { timeout: 20_000 }).toBe(true);
    // The capture-side check runs the same library in the page, with the models served from the package.
    await expect
      .poll(() => page.getByText('检测到一张人脸，可以拍照').count(), { timeout: 60_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'face-capture.png') });
    await capture.click();
    await expect
      .poll(() => page.getByText('人脸已采集').count(), { timeout: 30_000 })
      .toBeGreaterThan(0);

    await page.getByRole('button', { name: /人脸核验/ }).click();
    await expect
      .poll(() => page.getByRole('button', { name: /拍\s*照/ }).isEnabled(), { timeout: 20_000 })
      .toBe(true);
    await page.getByRole('button', { name: /拍\s*照/ }).click();
    await expect
      .poll(() => page.getByText('人脸比对通过').count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'face-verified.png'), fullPage: true });

    const log = await page.evaluate(
      async (id: string) => (await fetch(`/api/persons/${id}/face/verifications`)).json(),
      teacher.personId,
    );
    expect(log.templates).toBe(1);
    expect(log.items[0]).toMatchObject({
      decision: 'match',
      source: 'platform',
      context: 'manual',
    });
    // The log reads in words, not codes.
    const row = page.locator('.ant-table-row').filter({ hasText: '平台比对' }).first();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('人工核验');
    expect(await row.textContent()).not.toContain('manual');

    // Deleting face data, then enrolling again from a photo file instead of the camera.
    await page.getByRole('button', { name: /删除人脸数据/ }).click();
    await page.getByRole('button', { name: /确\s*定|OK/ }).click();
    await expect
      .poll(() => page.getByText('人脸数据已删除').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    const photo = join(mkdtempSync(join(tmpdir(), 'zx-photo-')), 'photo.jpg');
    writeFileSync(photo, encodeJpeg(sampleFace(2, 3), 92));
    await page.locator('input[type=file]').setInputFiles(photo);
    await expect
      .poll(
        async () =>
          (
            await page.evaluate(
              async (id: string) => (await fetch(`/api/persons/${id}/face/verifications`)).json(),
              teacher.personId,
            )
          ).templates,
        { timeout: 30_000 },
      )
      .toBe(1);
    await context.close();
  });
});
