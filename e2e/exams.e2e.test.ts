/// <reference lib="dom" />
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../src/demo/demo.seed.js';
import { DEMO_SESSION } from '../src/demo/demo-exams.js';
import type { PaperQuestion } from '../src/modules/exams/exams.table.js';
import { bankColumns } from '../src/modules/exams/question-bank.service.js';
import { encodeJpeg } from '../src/modules/faces/face-engine.js';
import { sampleFace } from '../src/modules/faces/faces.test-images.js';
import { type Cell, writeXlsx } from '../src/platform/xlsx.js';
import { buildTrainedClass } from '../src/test-support/exam-factories.js';
import { buildEmployment, buildUser, TEST_PASSWORD } from '../src/test-support/factories.js';
import {
  artifacts,
  chromiumPath,
  DEMO_SERVER_TIMEOUT,
  hasChromium,
  launchChromium,
  onCanvas,
  startDemoServer,
  y4m,
} from './browser.js';

const password = (username: string) =>
  demoAccounts.find((a) => a.username === username)?.password ?? TEST_PASSWORD;

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
): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const res = await fetch(path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    { method, path, body },
  );
}

function bank(): string {
  const rows: Cell[][] = [[...bankColumns]];
  for (let i = 0; i < 12; i++)
    rows.push([
      '1.2',
      '判断',
      `判断题${i}：停电检修前应先验电。`,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      i % 2 ? '正确' : '错误',
      '安全用具',
      2,
    ]);
  for (let i = 0; i < 12; i++)
    rows.push([
      '1.2',
      '单选',
      `单选题${i}：下列做法正确的是（ ）。`,
      `甲${i}`,
      `乙${i}`,
      `丙${i}`,
      `丁${i}`,
      null,
      null,
      null,
      null,
      'ABCD'[i % 4],
      '电工仪表',
      3,
    ]);
  for (let i = 0; i < 6; i++)
    rows.push([
      '1.2',
      '多选',
      `多选题${i}：下列属于安全用具的有（ ）。`,
      `一${i}`,
      `二${i}`,
      `三${i}`,
      `四${i}`,
      null,
      null,
      null,
      null,
      i % 2 ? 'AC' : 'BCD',
      '触电急救',
      4,
    ]);
  return Buffer.from(writeXlsx([{ name: '题库', rows }])).toString('base64');
}

/**
 * The exam chain in Chromium: a worker registers on a phone; the invigilator checks them in with the
 * camera; the worker takes the theory exam, loses the network halfway, keeps answering, comes back,
 * reloads and finishes; the examiner scores the practical on a tablet; the authority publishes and
 * certifies; the public page verifies the certificate by number and by QR.
 */
describe.skipIf(!hasChromium)('exams in the browser', () => {
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;
  const names: Record<string, string> = {};
  let candidate: { id: string; name: string; idNumber: string };
  let sessionId: string;
  let video: string;

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchChromium();
    const db = server.handle.db;
    // A trained candidate (their hours recorded yesterday) with a worker account.
    const yesterday = new Date(Date.now() - 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const trained = await buildTrainedClass(db, {
      regionCode: '370902',
      day: yesterday,
      trainees: 1,
    });
    candidate = trained.trained[0];
    names.worker = (await buildUser(db, { roles: ['worker'], personId: candidate.id })).username;
    const orgOf = async (username: string) =>
      (
        await db
          .selectFrom('externalRef')
          .select('entityId')
          .where('entityType', '=', 'organizations')
          .where('ref', '=', demoAccounts.find((a) => a.username === username)!.organizationRef!)
          .executeTakeFirstOrThrow()
      ).entityId;
    await buildEmployment(db, {
      personId: candidate.id,
      organizationId: await orgOf('company'),
      regionCode: '370902',
      post: 'special_operator',
      operationItemCode: '1.2',
    });
    // The demo site's staff get accounts: an invigilator, and an examiner of 1.2 (certified for it by
    // the demo), neither with training duties.
    const siteId = await orgOf('site');
    const staffOf = (duty: 'invigilator' | 'examiner') =>
      db
        .selectFrom('staffAssignment as s')
        .select('s.personId')
        .where('s.organizationId', '=', siteId)
        .where('s.duty', '=', duty)
        .where('s.endDate', 'is', null)
        .where((eb) =>
          duty === 'examiner'
            ? eb(sql.lit('1.2'), '=', eb.fn.any('s.operationItems'))
            : eb.lit(true),
        )
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('staffAssignment as o')
                .innerJoin('organization as g', 'g.id', 'o.organizationId')
                .select('o.id')
                .whereRef('o.personId', '=', 's.personId')
                .where('g.kind', '=', 'training_institution')
                .where('o.endDate', 'is', null),
            ),
          ),
        )
        .executeTakeFirstOrThrow();
    const invigilator = (await staffOf('invigilator')).personId;
    const examiner = (await staffOf('examiner')).personId;
    names.invigilator = (
      await buildUser(db, { roles: ['exam_site'], organizationId: siteId, personId: invigilator })
    ).username;
    names.examiner = (
      await buildUser(db, { roles: ['exam_site'], organizationId: siteId, personId: examiner })
    ).username;

    // The authority prepares the exam through its API: the candidate's face, the question bank, a
    // blueprint, a plan and a session starting in 25 seconds.
    const exam = await browser.newPage();
    await login(exam, server.url, 'exam');
    const regulator = await browser.newPage();
    await login(regulator, server.url, 'regulator');
    const face = await call(regulator, 'POST', `/api/persons/${candidate.id}/face`, {
      image: Buffer.from(encodeJpeg(sampleFace(0, 0), 90)).toString('base64'),
    });
    expect(face.status, JSON.stringify(face.body)).toBe(201);
    await regulator.close();
    expect((await call(exam, 'POST', '/api/exams/questions/import', { file: bank() })).status).toBe(
      200,
    );
    const bp = await call<{ id: string }>(exam, 'POST', '/api/exams/blueprints', {
      itemCode: '1.2',
      name: '低压电工作业理论考试',
      parts: [
        { kind: 'judge', knowledgePoint: null, count: 10, pointsEach: 2 },
        { kind: 'single', knowledgePoint: null, count: 10, pointsEach: 4 },
        { kind: 'multiple', knowledgePoint: null, count: 5, pointsEach: 8 },
      ],
    });
    expect(bp.status, JSON.stringify(bp.body)).toBe(201);
    const plan = await call<{ id: string; sessions: { id: string }[] }>(
      exam,
      'POST',
      '/api/exams/plans',
      {
        certificateKind: 'special_operation',
        itemCode: '1.2',
        name: '低压电工作业考试（浏览器测试）',
        blueprintId: bp.body.id,
      },
    );
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const session = await call<{ sessions: { id: string }[] }>(
      exam,
      'POST',
      `/api/exams/plans/${plan.body.id}/sessions`,
      {
        siteId,
        room: '第一考场',
        startsAt: new Date(Date.now() + 25_000).toISOString(),
        endsAt: new Date(Date.now() + 3 * 3_600_000).toISOString(),
        capacity: 20,
        invigilatorIds: [invigilator],
        examinerIds: [examiner],
      },
    );
    expect(session.status, JSON.stringify(session.body)).toBe(201);
    sessionId = session.body.sessions[0].id;
    await exam.close();
    video = join(mkdtempSync(join(tmpdir(), 'zx-cam-')), 'candidate.y4m');
    writeFileSync(video, y4m(onCanvas(sampleFace(0, 3))));
  }, DEMO_SERVER_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('registers, checks in by face, sits the theory exam through a network drop, is scored, certified and verified', async () => {
    // 1. The worker registers on a phone.
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const worker = await phone.newPage();
    await login(worker, server.url, names.worker);
    await worker.goto(`${server.url}/my/exams`);
    await worker
      .locator('[data-testid="open-plan"]', { hasText: '浏览器测试' })
      .locator('[data-testid="register-session"]')
      .click();
    await expect
      .poll(() => worker.locator('[data-testid="my-registration"]').count(), { timeout: 20_000 })
      .toBe(1);
    await worker.screenshot({ path: join(artifacts, 'exam-registered.png'), fullPage: true });

    // 2. The invigilator checks the candidate in with the camera (another photo of the same man).
    const camera = await chromium.launch({
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
    try {
      const desk = await (await camera.newContext({ permissions: ['camera'] })).newPage();
      await login(desk, server.url, names.invigilator);
      await desk.goto(`${server.url}/exams/sessions/${sessionId}`);
      const row = desk.locator('[data-testid="checkin-row"]', { hasText: candidate.name });
      await row.locator('[data-testid="checkin-face"]').click();
      await desk.getByRole('button', { name: /拍照|Capture/ }).click({ timeout: 30_000 });
      await expect.poll(() => row.innerText(), { timeout: 30_000 }).toMatch(/已签到|Checked in/);
      await desk.screenshot({ path: join(artifacts, 'exam-checkin.png'), fullPage: true });
    } finally {
      await camera.close();
    }

    // 3. The theory exam, once the session has started.
    const session = await server.handle.db
      .selectFrom('examSession')
      .select('startsAt')
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    await new Promise((r) =>
      setTimeout(r, Math.max(0, new Date(session.startsAt).getTime() - Date.now() + 500)),
    );
    await worker.reload();
    await worker.locator('[data-testid="enter-exam"]').click();
    await worker.waitForSelector('[data-testid="exam-question"]', { timeout: 20_000 });
    const attempt = await server.handle.db
      .selectFrom('theoryAttempt as a')
      .innerJoin('examRegistration as r', 'r.id', 'a.registrationId')
      .select(['a.id', 'a.paper'])
      .where('r.personId', '=', candidate.id)
      .executeTakeFirstOrThrow();
    const paper = attempt.paper as PaperQuestion[];
    const answer = async (i: number) => {
      const question = worker.locator('[data-testid="exam-question"]');
      await expect.poll(() => question.getAttribute('data-position')).toBe(String(i));
      for (const k of paper[i].answer)
        await question.locator('[data-testid="exam-option"]').nth(k).click();
      if (i < paper.length - 1) await worker.locator('[data-testid="exam-next"]').click();
    };
    const saved = async () =>
      Number(
        (
          await server.handle.db
            .selectFrom('theoryAnswer')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('attemptId', '=', attempt.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    for (let i = 0; i < 10; i++) await answer(i);
    await expect.poll(saved, { timeout: 20_000 }).toBe(10);
    // The network drops: answers keep being given, the page says they are waiting.
    await phone.setOffline(true);
    for (let i = 10; i < 14; i++) await answer(i);
    await expect
      .poll(() => worker.locator('[data-testid="save-state"]').getAttribute('data-state'), {
        timeout: 20_000,
      })
      .toBe('offline');
    expect(await saved()).toBe(10);
    await worker.screenshot({ path: join(artifacts, 'exam-offline.png'), fullPage: true });
    await phone.setOffline(false);
    await expect.poll(saved, { timeout: 30_000 }).toBe(14);
    await expect
      .poll(() => worker.locator('[data-testid="save-state"]').getAttribute('data-state'), {
        timeout: 20_000,
      })
      .toBe('saved');
    // A reload (or a new phone) resumes the same paper with every saved answer.
    await worker.reload();
    await worker.waitForSelector('[data-testid="exam-question"]', { timeout: 20_000 });
    expect(await worker.locator('[data-testid="sheet-item"][data-answered="true"]').count()).toBe(
      14,
    );
    await worker.locator('[data-testid="sheet-item"]').nth(14).click();
    for (let i = 14; i < paper.length; i++) await answer(i);
    await expect.poll(saved, { timeout: 20_000 }).toBe(paper.length);
    await worker.locator('[data-testid="exam-submit"]').click();
    await worker
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /交\s*卷|Submit/ })
      .click();
    // Polled without waiting inside each try, so a failure says what the page showed instead.
    const scoreOrPage = async () => {
      const score = worker.locator('[data-testid="theory-score"]');
      return (await score.count()) > 0
        ? score.innerText()
        : `no score yet; the page shows: ${(await worker.locator('body').innerText()).slice(0, 400)}`;
    };
    await expect.poll(scoreOrPage, { timeout: 45_000 }).toMatch(/100/);
    await worker.screenshot({ path: join(artifacts, 'exam-theory-done.png'), fullPage: true });

    // 4. The examiner scores the practical on a tablet, subject by subject.
    const tablet = await browser.newContext({
      viewport: { width: 820, height: 1180 },
      hasTouch: true,
    });
    const examiner = await tablet.newPage();
    await login(examiner, server.url, names.examiner);
    await examiner.goto(`${server.url}/exams/sessions/${sessionId}`);
    await examiner.getByRole('tab', { name: /实操评分|Practical scoring/ }).click();
    const card = examiner.locator('[data-testid="practical-card"]', { hasText: candidate.name });
    for (const subject of ['K1', 'K2', 'K3', 'K4']) {
      const line = card.locator(`[data-testid="practical-subject"][data-subject="${subject}"]`);
      await line.locator('[data-testid="practical-start"]').click();
      const weight = Number((await line.innerText()).match(/（(\d+)）/)?.[1]);
      await line
        .locator('input[data-testid="practical-points"], [data-testid="practical-points"] input')
        .first()
        .fill(String(weight - 2));
      await line.locator('[data-testid="practical-submit"]').click();
      await expect
        .poll(
          () =>
            line
              .locator('[data-testid="practical-start"], [data-testid="practical-submit"]')
              .count(),
          { timeout: 20_000 },
        )
        .toBe(0);
    }
    await expect.poll(() => card.innerText(), { timeout: 20_000 }).toContain('92');
    await examiner.screenshot({ path: join(artifacts, 'exam-practical.png'), fullPage: true });
    await tablet.close();

    // 5. The session ends; the authority publishes and issues the certificate.
    await server.handle.db
      .updateTable('examSession')
      .set({ endsAt: new Date(Date.now() - 1000) })
      .where('id', '=', sessionId)
      .execute();
    const authority = await browser.newPage();
    await login(authority, server.url, 'exam');
    await authority.goto(`${server.url}/exams/sessions/${sessionId}`);
    await authority.locator('[data-testid="publish-results"]').click();
    await authority.locator('[data-testid="certify"]').click();
    await authority.waitForSelector('[data-testid="certificate-link"]', { timeout: 20_000 });
    await authority.screenshot({ path: join(artifacts, 'exam-certified.png'), fullPage: true });
    const certificate = await server.handle.db
      .selectFrom('certificate')
      .select(['id', 'number', 'qrPayload'])
      .where('personId', '=', candidate.id)
      .executeTakeFirstOrThrow();
    expect(certificate.number).toBe(`T${candidate.idNumber}`);
    await authority.close();
    await worker.goto(`${server.url}/my/exams`);
    await expect
      .poll(() => worker.locator('[data-testid="my-registration"]').innerText(), {
        timeout: 20_000,
      })
      .toMatch(/合格|Pass/);
    await expect.poll(() => worker.locator('[data-testid="my-certificate"]').count()).toBe(1);
    await phone.close();

    // 6. Anyone checks it on the public page: by number + name, and by the QR payload.
    const publicPage = await browser.newPage();
    await publicPage.goto(`${server.url}/verify`);
    const byNumber = publicPage.locator('[data-testid="verify-number-form"]');
    await byNumber.getByLabel(/证书编号|Certificate number/).fill(certificate.number);
    await byNumber.getByLabel(/持证人姓名|Holder name/).fill(candidate.name);
    await byNumber.getByRole('button').click();
    await expect
      .poll(() => publicPage.locator('[data-testid="verify-result"]').getAttribute('data-state'), {
        timeout: 20_000,
      })
      .toBe('valid');
    await publicPage.getByRole('tab', { name: /二维码|QR code/ }).click();
    const byQr = publicPage.locator('[data-testid="verify-qr-form"]');
    await byQr.getByLabel(/二维码内容|QR content/).fill(certificate.qrPayload);
    await byQr.getByRole('button').click();
    await expect
      .poll(() => publicPage.locator('[data-testid="verify-result"]').innerText(), {
        timeout: 20_000,
      })
      .toMatch(/签名有效|signature valid/);
    await publicPage.close();
  }, 300_000);

  it('the demo’s past session: its results are out, so the desk offers no check-in to the absent candidate', async () => {
    const page = await browser.newPage();
    await login(page, server.url, 'invigilator');
    const past = await server.handle.db
      .selectFrom('examSession as s')
      .innerJoin('examPlan as p', 'p.id', 's.planId')
      .select('s.id')
      .where('p.itemCode', '=', DEMO_SESSION.itemCode)
      .where('s.resultsPublishedAt', 'is not', null)
      .executeTakeFirstOrThrow();
    await page.goto(`${server.url}/exams/sessions/${past.id}`);
    await page.locator('[data-testid="checkin-row"]').first().waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('[data-testid="checkin-closed"]').count()).toBe(1);
    expect(await page.locator('[data-testid="checkin-face"]').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'exam-desk-closed.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
