/// <reference lib="dom" />
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { ledgerColumns } from '../src/modules/enterprises/ledger-import.rules.js';
import { makeIdNumber } from '../src/modules/registry/identifiers.rules.js';
import { localFileStorage } from '../src/platform/files/storage.js';
import type { App } from '../src/platform/http/routing.js';
import { type Cell, writeXlsx } from '../src/platform/xlsx.js';
import { createTestDatabase, loadRegions, type TestDatabase } from '../src/test-support/db.js';
import { buildOrganization, buildUser } from '../src/test-support/factories.js';
import { artifacts, hasChromium, launchChromium, webDist } from './browser.js';

/** Noon in Beijing on a date. */
const at = (date: string) => new Date(`${date}T04:00:00Z`);

/**
 * The enterprise safety clerk in real Chromium (issue 14 point 9): an Excel import with one bad row is
 * refused with the row named and nothing written, the corrected file imports, and a safety manager's
 * 6-month certification turns overdue when the injected clock passes its due date — on a phone-sized
 * screen (390 px). Its own small database (no demo city needed), the app built as the server builds it.
 */
describe.skipIf(!hasChromium)('enterprise ledger in the browser', () => {
  let t: TestDatabase;
  let app: App;
  let url: string;
  let browser: Browser;
  let orgId: string;
  let dir: string;
  let clock = at('2026-12-07');
  let clerk: { username: string; password: string };

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    await loadRegions(t.db);
    const org = await buildOrganization(t.db, {
      kind: 'enterprise',
      name: '泰安测试化工有限公司',
      regionCode: '370921',
      industry: 'hazardous_chemicals',
      highRisk: true,
    });
    orgId = org.id;
    clerk = await buildUser(t.db, { roles: ['enterprise'], organizationId: org.id });
    dir = mkdtempSync(join(tmpdir(), 'zx-e2e-ent-'));
    app = await buildApp({
      db: t.db,
      mode: t.mode,
      version: 'e2e',
      sessionDays: 30,
      cookieSecure: false,
      webDist,
      now: () => clock,
      files: localFileStorage(join(dir, 'files')),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const person = (seq: number, birth: string) =>
    makeIdNumber({ regionCode6: '370921', birthDate: birth, sequence: seq });
  const rows = (): Cell[][] => [
    [
      '李安全',
      person(1, '1982-03-04'),
      '安全管理人员',
      null,
      '2026-06-20',
      null,
      '安全部',
      null,
      null,
    ],
    [
      '王操作',
      person(2, '1990-05-06'),
      '特种作业人员',
      '9.8',
      '2022-01-10',
      null,
      '加氢车间',
      null,
      'T000000000000000000',
    ],
    [
      '赵派遣',
      person(3, '1999-07-08'),
      '其他从业人员',
      null,
      '2026-11-30',
      null,
      '包装车间',
      '泰安市宏达劳务派遣有限公司',
      null,
    ],
  ];
  const file = (name: string, body: Cell[][]) => {
    const path = join(dir, name);
    writeFileSync(path, writeXlsx([{ name: '台账', rows: [[...ledgerColumns], ...body] }]));
    return path;
  };
  const employments = async () =>
    (await t.db.selectFrom('employment').select('id').where('organizationId', '=', orgId).execute())
      .length;

  async function login(page: Page) {
    await page.goto(url);
    await page.getByLabel(/用户名|Username/).fill(clerk.username);
    await page.getByLabel(/密码|Password/).fill(clerk.password);
    await page.getByRole('button', { name: /登\s*录|Log in/ }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 20_000 });
  }

  it('refuses a file with a bad row, imports the corrected one, and shows an obligation turning overdue', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await login(page);
    // The enterprise's first screen is its own problems.
    await page.getByTestId('problems-first').waitFor({ timeout: 20_000 });
    await page.goto(`${url}/enterprises/${orgId}?tab=ledger`);

    const bad = rows();
    bad[1] = [...bad[1]];
    bad[1][3] = '99.9';
    await page.locator('input[type=file]').setInputFiles(file('bad.xlsx', bad));
    const failed = page.getByTestId('import-failed');
    await failed.waitFor({ timeout: 30_000 });
    await expect.poll(() => failed.innerText()).toContain('第3行「作业项目代码」');
    expect(await employments()).toBe(0);
    await page.screenshot({
      path: join(artifacts, 'enterprise-import-refused.png'),
      fullPage: true,
    });

    await page.locator('input[type=file]').setInputFiles(file('good.xlsx', rows()));
    await page.getByTestId('import-done').waitFor({ timeout: 30_000 });
    expect(await employments()).toBe(3);
    const table = page.getByTestId('ledger-table');
    await expect.poll(() => table.innerText(), { timeout: 20_000 }).toContain('赵派遣');
    // The declared number is not in the registry: flagged at once.
    await expect.poll(() => table.innerText()).toContain('持假证');
    await page.screenshot({ path: join(artifacts, 'enterprise-ledger.png'), fullPage: true });

    // In post since 2026-06-20: the 合格证 is due 2026-12-20 — due soon on 12-07.
    const manager = async () => {
      await page.goto(`${url}/enterprises/${orgId}?tab=obligations`);
      const row = page
        .getByTestId('obligations-table')
        .locator('tr', { hasText: '李安全' })
        .filter({ hasText: /合格证/ })
        .first();
      await row.waitFor({ timeout: 20_000 });
      return row.innerText();
    };
    expect(await manager()).toContain('即将到期');
    clock = at('2026-12-21');
    expect(await manager()).toContain('逾期');
    await page.screenshot({ path: join(artifacts, 'enterprise-obligations.png'), fullPage: true });
    // Nothing is wider than the phone.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(1);
    await context.close();
  }, 180_000);
});
