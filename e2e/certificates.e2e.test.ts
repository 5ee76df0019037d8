/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../src/demo/demo.seed.js';
import {
  artifacts,
  DEMO_SERVER_TIMEOUT,
  hasChromium,
  launchChromium,
  startDemoServer,
} from './browser.js';

/** The public certificate check in Chromium, on a phone, without an account: by number + name and by QR. */
describe.skipIf(!hasChromium)('public certificate verification in the browser', () => {
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

  it('an exam authority issues a certificate; anyone checks it both ways and sees masked data', async () => {
    const exam = demoAccounts.find((a) => a.username === 'exam')!;
    const worker = demoAccounts.find((a) => a.username === 'worker')!;
    const personId = (
      await server.handle.db
        .selectFrom('externalRef')
        .select('entityId')
        .where('entityType', '=', 'persons')
        .where('ref', '=', worker.personRef!)
        .executeTakeFirstOrThrow()
    ).entityId;
    const person = await server.handle.db
      .selectFrom('person')
      .select(['name', 'idNumber'])
      .where('id', '=', personId)
      .executeTakeFirstOrThrow();

    const staff = await browser.newPage();
    await staff.goto(server.url);
    await staff.getByLabel(/用户名|Username/).fill(exam.username);
    await staff.getByLabel(/密码|Password/).fill(exam.password);
    await staff.getByRole('button', { name: /登\s*录|Log in/ }).click();
    await staff.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 20_000 });
    const issued = await staff.evaluate(async (personId) => {
      await fetch('/api/certificates/keys/rotate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const res = await fetch('/api/certificates', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          personId,
          kind: 'special_operation',
          operationItemCode: '9.8',
          issuedOn: '2026-11-02',
        }),
      });
      return { status: res.status, body: await res.json() };
    }, personId);
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    await staff.close();

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await phone.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByRole('link', { name: /证书核验|Check a certificate/ }).click();
    await page.waitForURL((u) => u.pathname === '/verify');
    const byNumber = page.locator('[data-testid="verify-number-form"]');
    await byNumber.getByLabel(/证书编号|Certificate number/).fill(issued.body.number);
    await byNumber.getByLabel(/持证人姓名|Holder name/).fill(person.name);
    await byNumber.getByRole('button').click();
    const result = page.locator('[data-testid="verify-result"]');
    await expect.poll(() => result.getAttribute('data-found'), { timeout: 20_000 }).toBe('true');
    expect(await result.getAttribute('data-state')).toBe('valid');
    const text = await result.innerText();
    expect(text).not.toContain(person.idNumber);
    expect(text).toContain(person.idNumber.slice(-4));
    await page.screenshot({ path: join(artifacts, 'verify-number.png'), fullPage: true });

    await page.getByRole('tab', { name: /二维码|QR code/ }).click();
    const byQr = page.locator('[data-testid="verify-qr-form"]');
    await byQr.getByLabel(/二维码内容|QR content/).fill(issued.body.qrPayload);
    await byQr.getByRole('button').click();
    await expect
      .poll(() => page.locator('[data-testid="verify-result"]').getAttribute('data-found'), {
        timeout: 20_000,
      })
      .toBe('true');
    await expect
      .poll(() => page.locator('[data-testid="verify-result"]').innerText())
      .toMatch(/签名有效|signature valid/);
    // One character changed in the signature: refused.
    const tampered = `${issued.body.qrPayload.slice(0, -2)}${issued.body.qrPayload.endsWith('AA') ? 'BB' : 'AA'}`;
    await byQr.getByLabel(/二维码内容|QR content/).fill(tampered);
    await byQr.getByRole('button').click();
    await expect
      .poll(() => page.locator('[data-testid="verify-result"]').getAttribute('data-found'), {
        timeout: 20_000,
      })
      .toBe('false');
    await page.screenshot({ path: join(artifacts, 'verify-qr-tampered.png'), fullPage: true });
    await phone.close();
  }, 120_000);
});
