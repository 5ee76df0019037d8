/// <reference lib="dom" />
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../src/demo/demo.seed.js';
import { demoPhoto } from '../src/demo/demo-supervision.js';
import { readXlsx } from '../src/platform/xlsx.js';
import { buildUser, TEST_PASSWORD } from '../src/test-support/factories.js';
import {
  artifacts,
  DEMO_SERVER_TIMEOUT,
  hasChromium,
  launchChromium,
  startDemoServer,
} from './browser.js';

const password = (username: string) =>
  demoAccounts.find((a) => a.username === username)?.password ?? TEST_PASSWORD;
const PHONE = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};
const NOTE = '现场查看：培训场所仅有1个进出口（E2E）';

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 20_000, interval: 250 });

async function login(page: Page, url: string, username: string) {
  await page.goto(`${url}/login`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password(username));
  await page.getByRole('button', { name: /登\s*录|Log in/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 20_000 });
}

async function call<T = unknown>(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await page.evaluate(
    async ({ method, path, body }) => {
      const r = await fetch(path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, text: await r.text() };
    },
    { method, path, body },
  );
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${res.text}`);
  return JSON.parse(res.text) as T;
}

/** The 泰山区 line of the exported 汇总表's training-institution table. */
async function exportedTaishan(page: Page, url: string): Promise<unknown[]> {
  await page.goto(`${url}/supervision?tab=summary`);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('summary-export').click(),
  ]);
  const path = join(artifacts, `summary-${Date.now()}.xlsx`);
  await download.saveAs(path);
  const [sheet] = readXlsx(new Uint8Array(readFileSync(path)));
  const at = sheet.rows.findIndex((r) => r[0] === '培训机构对照检查统计表');
  expect(at).toBeGreaterThanOrEqual(0);
  return sheet.rows.slice(at + 2).find((r) => r[1] === '泰山区') ?? [];
}

/**
 * The supervision loop in the browser, as its people do it: the county regulator draws (seed shown,
 * re-run checked) → the drawn inspector inspects at phone width, a photo on the failed item, part of
 * it with the network gone → the inspected party signs → the finding gets an order → the institution
 * answers through the one-time link with evidence → an inspector of another team verifies → the
 * regulator closes → the exported 汇总表 counts it.
 */
describe.skipIf(!hasChromium)('supervision loop in the browser', () => {
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchChromium();
  }, DEMO_SERVER_TIMEOUT);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
  });

  it('draw → phone inspection with a photo → finding → link evidence → verified by another inspector → closed → in the 汇总表', async () => {
    const db = server.handle.db;
    const desk = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    contexts.push(desk);
    const county = await desk.newPage();
    await login(county, server.url, 'county');
    const before = await exportedTaishan(county, server.url);

    // ——— the draw: seed recorded and shown, the re-run gives the same result ———
    await county.goto(`${server.url}/supervision?tab=plans`);
    await county
      .getByRole('link', { name: /双随机/ })
      .first()
      .click();
    const form = county.getByTestId('draw-form');
    await form.getByLabel('随机种子').fill('e2e-draw-seed');
    await form.getByRole('button', { name: '双随机抽取' }).click();
    const drawCard = county.getByTestId('draw').first();
    await poll(() => drawCard.getByTestId('draw-seed').textContent()).toBe('e2e-draw-seed');
    await drawCard.getByRole('button', { name: '按种子复算' }).click();
    await poll(() => drawCard.getByTestId('rerun-result').getAttribute('data-same')).toBe('true');

    const planId = county.url().split('/').pop()!;
    const plan = await call<{
      draws: { id: string; seed: string }[];
      inspections: {
        id: string;
        drawId: string | null;
        organizationName: string;
        inspectorPersonIds: string[];
      }[];
    }>(county, 'GET', `/api/supervision/plans/${planId}`);
    const drawId = plan.draws.find((d) => d.seed === 'e2e-draw-seed')!.id;
    const target = plan.inspections.find(
      (i) => i.drawId === drawId && i.organizationName.includes('岱宗'),
    )!;
    expect(target).toBeTruthy();
    const me = await call<{ organizationId: string }>(county, 'GET', '/api/auth/me');
    const inspectors = await call<{ personId: string; userId: string | null }[]>(
      county,
      'GET',
      '/api/supervision/inspectors',
    );
    const demoInspector = demoAccounts.find((a) => a.username === 'inspector')!;
    const demoInspectorUser = await db
      .selectFrom('appUser')
      .select('personId')
      .where('username', '=', 'inspector')
      .executeTakeFirstOrThrow();
    const accountOf = async (personId: string) =>
      personId === demoInspectorUser.personId
        ? demoInspector.username
        : (
            await buildUser(db, {
              roles: ['inspector'],
              organizationId: me.organizationId,
              personId,
            })
          ).username;
    const lead = await accountOf(target.inspectorPersonIds[0]);
    const outsider = inspectors.find((i) => !target.inspectorPersonIds.includes(i.personId))!;
    const verifier = await accountOf(outsider.personId);

    // ——— the inspection on a phone ———
    const phone = await browser.newContext(PHONE);
    contexts.push(phone);
    const p = await phone.newPage();
    await login(p, server.url, lead);
    await p.goto(`${server.url}/inspect`);
    await poll(() => p.getByTestId('my-day-inspection').count()).toBeGreaterThan(0);
    await p.goto(`${server.url}/inspect/${target.id}`);
    await p.getByRole('button', { name: '开始检查' }).click();
    const items = p.getByTestId('inspection-item');
    await poll(() => p.getByTestId('prefill').count()).toBeGreaterThan(0);
    const count = await items.count();
    expect(count).toBeGreaterThan(3);
    // Item 1 (the AQ 8011 conditions): the platform's records say it fails; the inspector fails it
    // with a photo from the camera and a note.
    const first = items.nth(0);
    await poll(() => first.getByTestId('prefill').textContent()).toContain('不符合');
    await first.getByText('不合格', { exact: true }).click();
    const photoPath = join(artifacts, 'site-photo.jpg');
    writeFileSync(photoPath, demoPhoto(1));
    await first.getByTestId('photo-input-1').setInputFiles(photoPath);
    await first.getByLabel('情况说明').fill(NOTE);
    await first.getByLabel('情况说明').blur();
    await poll(() => p.getByTestId('net-state').getAttribute('data-state')).toBe('saved');
    // Half the checklist with the network gone: kept on the phone, sent on reconnect.
    await phone.setOffline(true);
    for (let i = 1; i < count; i++) {
      await items.nth(i).getByText('合格', { exact: true }).click();
      if (i === Math.floor(count / 2)) {
        await poll(() => p.getByTestId('net-state').getAttribute('data-state')).toBe('offline');
        // A reload while offline is not possible; the queue is in localStorage.
        const queued = await p.evaluate(
          (id) => localStorage.getItem(`zx.inspection.${id}`),
          target.id,
        );
        expect(queued).toContain('"kind":"item"');
        await phone.setOffline(false);
      }
    }
    await poll(() => p.getByTestId('net-state').getAttribute('data-state')).toBe('saved');
    const saved = await call<{ items: { result: string | null; photoSha256s: string[] }[] }>(
      p,
      'GET',
      `/api/supervision/inspections/${target.id}`,
    );
    expect(saved.items.every((i) => i.result !== null)).toBe(true);
    expect(saved.items[0]).toMatchObject({
      result: 'fail',
      photoSha256s: [expect.stringMatching(/^[0-9a-f]{64}$/)],
    });
    // The page fits the phone: nothing wider than the screen.
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // 逢查必考: one person drawn at random answers a short paper on the phone.
    const spot = p.getByTestId('spot-exam');
    await spot.getByRole('spinbutton').fill('1');
    await spot.getByRole('button', { name: '随机抽取' }).click();
    await spot.getByRole('button', { name: /作\s*答/ }).click();
    const paper = p.getByRole('dialog');
    const questions = paper.locator('.ant-radio-group, .ant-checkbox-group');
    await poll(() => questions.count()).toBeGreaterThan(0);
    // Tap the first option's label, as a finger does: the input itself is a hidden circle that the
    // next question's text may overlap on a narrow screen.
    for (let i = 0; i < (await questions.count()); i++)
      await questions.nth(i).locator('.ant-radio-wrapper, .ant-checkbox-wrapper').first().click();
    await paper.getByRole('button', { name: /交\s*卷/ }).click();
    await poll(() => spot.locator('.ant-tag').count()).toBe(1);

    // The inspected party signs on the screen; the record locks.
    const sign = p.getByTestId('sign-card');
    await sign.getByLabel('签字人姓名').fill('王校长');
    await sign.getByTestId('signature-pad').scrollIntoViewIfNeeded();
    const pad = await sign.getByTestId('signature-pad').boundingBox();
    await p.mouse.move(pad!.x + 20, pad!.y + 40);
    await p.mouse.down();
    for (let x = 20; x < 300; x += 20) await p.mouse.move(pad!.x + x, pad!.y + 40 + (x % 40));
    await p.mouse.up();
    await sign.getByRole('button', { name: /签字并锁定/ }).click();
    await p
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await p.getByTestId('inspection-locked').waitFor({ timeout: 20_000 });
    await poll(() => p.getByTestId('inspection-findings').textContent()).toContain(NOTE);
    await p.screenshot({ path: join(artifacts, 'supervision-phone-locked.png'), fullPage: true });

    // ——— the finding on the regulator's board gets an order ———
    await county.goto(`${server.url}/supervision?tab=board`);
    const row = county.getByRole('row').filter({ hasText: NOTE });
    await row.getByTestId('issue-order').click();
    const dialog = county.getByRole('dialog');
    await dialog.getByLabel('责任人').fill('王校长');
    await dialog.getByLabel('整改要求').fill('增设第二个安全出口，整改后上传照片');
    await dialog.getByRole('button', { name: /确\s*定|OK/ }).click();
    await row.getByRole('link', { name: /责改/ }).click();
    await county.getByTestId('order-page').waitFor();
    const orderId = county.url().split('/').pop()!;
    await county.getByRole('button', { name: '生成一次性链接' }).click();
    const link = await county.getByTestId('order-link').inputValue();
    expect(link).toContain('/rectify/');

    // ——— the institution answers through the link, no account ———
    const anon = await browser.newContext(PHONE);
    contexts.push(anon);
    const a = await anon.newPage();
    await a.goto(link);
    const rectify = a.getByTestId('rectify-form');
    await rectify.getByLabel('整改情况说明').fill('已增设第二个安全出口并经消防验收');
    const evidence = join(artifacts, 'evidence.pdf');
    writeFileSync(evidence, '%PDF-1.4 整改报告');
    await rectify.getByTestId('evidence-input').setInputFiles(evidence);
    await poll(() => rectify.textContent()).toContain('evidence.pdf');
    await rectify.getByRole('button', { name: '提交整改情况' }).click();
    await a.getByTestId('rectify-done').waitFor();
    // One time: the link shows nothing any more.
    await a.goto(link);
    await a.getByText('链接无效或已使用').waitFor();

    // ——— an inspector of another team verifies; the regulator closes ———
    const v = await (await browser.newContext(PHONE)).newPage();
    contexts.push(v.context());
    await login(v, server.url, verifier);
    await v.goto(`${server.url}/orders/${orderId}`);
    await v.getByTestId('order-files').waitFor();
    await v.getByLabel('复核意见').fill('现场复核：第二安全出口已设置');
    await v.getByRole('button', { name: '复核通过' }).click();
    await poll(() => v.getByTestId('order-state').getAttribute('data-state')).toBe('verified');
    await county.reload();
    await county.getByRole('button', { name: '闭环销号' }).click();
    await poll(() => county.getByTestId('order-state').getAttribute('data-state')).toBe('closed');

    // ——— counted in the exported 汇总表: its problems (the item, and the spot exam if its pass rate
    // was low), one more ordered to rectify ———
    const findings = await call<unknown[]>(
      county,
      'GET',
      `/api/supervision/findings?inspectionId=${target.id}`,
    );
    const after = await exportedTaishan(county, server.url);
    expect(after[2]).toBe(Number(before[2]) + findings.length);
    expect(after[3]).toBe(Number(before[3]) + 1);
  }, 300_000);
});
