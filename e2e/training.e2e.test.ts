/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../src/demo/demo.seed.js';
import { encodeJpeg } from '../src/modules/faces/face-engine.js';
import { sampleFace } from '../src/modules/faces/faces.test-images.js';
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

/**
 * Training in real Chromium, on today's clock: an institution (泰山, the model school) opens a class and
 * plans a lesson that ran this morning; its face terminal and camera upload what they saw; the head
 * teacher's live roster shows who came, who left and who is missing; the ledger and the worker's own
 * "my hours" page show the hours the records prove.
 */
describe.skipIf(!hasChromium)('training in the browser', () => {
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;
  let classId: string;
  let secondClassId: string;
  let teacherName: string;
  let workerPersonId: string;

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchChromium();
  }, DEMO_SERVER_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function login(page: Page, username: string) {
    const account = demoAccounts.find((a) => a.username === username)!;
    await page.goto(server.url);
    await page.getByLabel(/用户名|Username/).fill(account.username);
    await page.getByLabel(/密码|Password/).fill(account.password);
    await page.getByRole('button', { name: /登\s*录|Log in/ }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 20_000 });
  }

  /** A call the screens make, from inside the logged-in page (same cookie, same server). */
  async function call<T>(
    page: Page,
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    return page.evaluate(
      async ({ method, url, body }) => {
        const res = await fetch(url, {
          method,
          headers: body ? { 'content-type': 'application/json' } : {},
          body: body ? JSON.stringify(body) : undefined,
        });
        return { status: res.status, body: await res.json() };
      },
      { method, url, body },
    );
  }

  it('a class and its lesson, terminal events, the live roster, the ledger and the worker’s hours', async () => {
    const db = server.handle.db;
    const school = await db
      .selectFrom('externalRef')
      .select('entityId')
      .where('entityType', '=', 'organizations')
      .where('ref', '=', 'org:institution:taishan')
      .executeTakeFirstOrThrow();
    // The demo's running classes teach today: take a teacher and a room the demo leaves free this
    // week, so the only clashes below are the ones this test makes.
    const week = {
      from: new Date(Date.now() - 2 * 86_400_000),
      to: new Date(Date.now() + 9 * 86_400_000),
    };
    const busy = await db
      .selectFrom('lesson')
      .select(['teacherId', 'roomId'])
      .where('organizationId', '=', school.entityId)
      .where('startsAt', '<', week.to)
      .where('endsAt', '>', week.from)
      .execute();
    const teacher = await db
      .selectFrom('staffAssignment')
      .select('personId')
      .where('organizationId', '=', school.entityId)
      .where('duty', '=', 'teacher')
      .where('endDate', 'is', null)
      .where('practiceYears', '>=', 5)
      .$if(busy.length > 0, (q) =>
        q.where(
          'personId',
          'not in',
          busy.map((b) => b.teacherId),
        ),
      )
      .orderBy('practiceYears', 'desc')
      .executeTakeFirstOrThrow();
    const busyRooms = busy.flatMap((b) => (b.roomId ? [b.roomId] : []));
    const room = await db
      .selectFrom('room')
      .select(['id', 'name'])
      .where('organizationId', '=', school.entityId)
      .where('kind', '=', 'theory')
      .$if(busyRooms.length > 0, (q) => q.where('id', 'not in', busyRooms))
      .orderBy('name')
      .executeTakeFirstOrThrow();
    const workerAccount = demoAccounts.find((a) => a.username === 'worker')!;
    const workerRef = await db
      .selectFrom('externalRef')
      .select('entityId')
      .where('entityType', '=', 'persons')
      .where('ref', '=', workerAccount.personRef!)
      .executeTakeFirstOrThrow();
    const worker = await db
      .selectFrom('person')
      .select(['idNumber', 'name'])
      .where('id', '=', workerRef.entityId)
      .executeTakeFirstOrThrow();
    const others = await db
      .selectFrom('person')
      .select(['idNumber', 'name'])
      .where('id', '!=', workerRef.entityId)
      .orderBy('idNumber')
      .limit(2)
      .execute();

    // The lesson ran this morning: it started three hours ago and ended one hour ago.
    const now = Date.now();
    const startsAt = new Date(Math.floor((now - 3 * 3600_000) / 60_000) * 60_000);
    const endsAt = new Date(startsAt.getTime() + 2 * 3600_000);
    const beijingDate = (d: Date) =>
      new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    const code = `E2E-${now}`;

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await login(page, 'school2');
    const created = await call<{ id: string }>(page, 'POST', '/api/classes', {
      code,
      name: '低压电工作业初训（E2E）',
      operationItemCode: '1.2',
      kind: 'initial',
      headTeacherId: teacher.personId,
      startDate: beijingDate(new Date(now - 86_400_000)),
      endDate: beijingDate(new Date(now + 7 * 86_400_000)),
      trainees: [worker, ...others].map((p) => ({
        idNumber: p.idNumber,
        name: p.name,
        trainingKind: 'initial',
      })),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    classId = created.body.id;
    teacherName = (
      await db
        .selectFrom('person')
        .select('name')
        .where('id', '=', teacher.personId)
        .executeTakeFirstOrThrow()
    ).name;
    workerPersonId = workerRef.entityId;
    const lesson = await call<{ id: string }>(page, 'POST', `/api/classes/${classId}/lessons`, {
      content: 'theory',
      online: false,
      topic: '电气安全基础',
      teacherId: teacher.personId,
      roomId: room.id,
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
    });
    expect(lesson.status, JSON.stringify(lesson.body)).toBe(201);
    // The same teacher cannot be in another class at the same time: the refusal names the rule.
    const second = await call<{ id: string }>(page, 'POST', '/api/classes', {
      code: `${code}-2`,
      name: '第二期',
      operationItemCode: '1.2',
      kind: 'initial',
      headTeacherId: teacher.personId,
      startDate: beijingDate(new Date(now - 86_400_000)),
      endDate: beijingDate(new Date(now + 7 * 86_400_000)),
    });
    expect(second.status).toBe(201);
    secondClassId = second.body.id;
    const clash = await call<{ error: { details: { code: string }[] } }>(
      page,
      'POST',
      `/api/classes/${second.body.id}/lessons`,
      {
        content: 'theory',
        online: false,
        topic: '重复排课',
        teacherId: teacher.personId,
        roomId: room.id,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
      },
    );
    expect(clash.status).toBe(422);
    expect(clash.body.error.details.map((d) => d.code).sort()).toEqual([
      'classes_merged',
      'teacher_double_booked',
    ]);

    // The room's devices: a face terminal and a camera, each with its own token.
    const terminal = await call<{ token: string }>(
      page,
      'POST',
      `/api/organizations/${school.entityId}/devices`,
      { roomId: room.id, kind: 'face_terminal', serial: `FT-${now}`, name: 'E2E 考勤机' },
    );
    const camera = await call<{ token: string }>(
      page,
      'POST',
      `/api/organizations/${school.entityId}/devices`,
      { roomId: room.id, kind: 'camera', serial: `CAM-${now}`, name: 'E2E 摄像头' },
    );
    expect([terminal.status, camera.status]).toEqual([201, 201]);
    const at = (minutesFromStart: number) =>
      new Date(startsAt.getTime() + minutesFromStart * 60_000).toISOString();
    const device = (token: string, path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json());
    const events = await device(terminal.body.token, '/api/devices/attendance', {
      events: [
        {
          eventId: 'w-in',
          type: 'check_in',
          idNumber: worker.idNumber,
          occurredAt: at(-8),
          matchScore: 0.93,
          liveness: 0.9,
        },
        {
          eventId: 'w-out',
          type: 'check_out',
          idNumber: worker.idNumber,
          occurredAt: at(123),
          matchScore: 0.95,
          liveness: 0.92,
        },
        {
          eventId: 'o-in',
          type: 'check_in',
          idNumber: others[0].idNumber,
          occurredAt: at(-3),
          matchScore: 0.31,
          liveness: 0.9,
        },
      ],
    });
    expect(events.accepted).toBe(3);
    const recordings = await device(camera.body.token, '/api/devices/recordings', {
      recordings: [
        {
          recordingId: `rec-${now}`,
          startedAt: at(-10),
          endedAt: at(125),
          sha256: createHash('sha256').update(code).digest('hex'),
          storageUri: `nvr://e2e/${code}.mp4`,
        },
      ],
    });
    expect(recordings.accepted).toBe(1);

    // The head teacher's live roster for that lesson.
    await page.goto(`${server.url}/classes/${classId}?tab=attendance&lesson=${lesson.body.id}`);
    await page.waitForSelector('[data-testid="roster-row"]', { timeout: 20_000 });
    const statuses = await page
      .locator('[data-testid="roster-row"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')).sort());
    expect(statuses).toEqual(['absent', 'face_failed', 'left']);
    await page.screenshot({ path: join(artifacts, 'training-roster.png'), fullPage: true });

    // The ledger: two hours attended, on video, at 45 minutes a 学时.
    await page.goto(`${server.url}/classes/${classId}?tab=ledger`);
    await page.waitForSelector('[data-testid="ledger-row"]', { timeout: 20_000 });
    await expect.poll(() => page.locator('[data-testid="ledger-row"]').count()).toBe(3);
    await page.screenshot({ path: join(artifacts, 'training-ledger.png'), fullPage: true });
    await context.close();

    // The worker, on a phone: the new class with its proven hours.
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const workerPage = await phone.newPage();
    await login(workerPage, 'worker');
    const mine = await call<{ items: { classCode: string; theoryHours: number }[] }>(
      workerPage,
      'GET',
      '/api/me/hours',
    );
    const line = mine.body.items.find((i) => i.classCode === code);
    expect(line?.theoryHours).toBeGreaterThan(2);
    await workerPage.goto(`${server.url}/my/hours`);
    await workerPage.waitForSelector('[data-testid="my-hours-row"]', { timeout: 20_000 });
    await expect.poll(() => workerPage.getByText(code).count()).toBeGreaterThan(0);
    await workerPage.screenshot({ path: join(artifacts, 'worker-hours.png'), fullPage: true });
    await phone.close();
  }, 120_000);

  it('the clerk plans a lesson in the form, and the same lesson again is refused with the rule named', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await login(page, 'school2');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const planOnce = async () => {
      await page.locator('[data-testid="lesson-plan"]').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel(/课程主题|Topic/).fill('安全用电与触电急救');
      // antd selects by keyboard, as a clerk would: type to search, Enter takes the highlighted option.
      await dialog.getByLabel(/授课教师|Teacher/).click();
      await page.keyboard.type(teacherName);
      await page.keyboard.press('Enter');
      await dialog.getByLabel(/^教室$|^Room$/).click();
      await page.keyboard.press('Enter');
      const date = dialog.getByLabel(/^日期$|^Date$/);
      await date.click();
      await date.fill(tomorrow);
      // Leaving the field keeps the typed date (Enter would submit the whole form).
      await dialog.getByLabel(/课程主题|Topic/).click();
      await dialog.locator('[data-testid="lesson-submit"]').click();
    };
    await page.goto(`${server.url}/classes/${secondClassId}?tab=plan`);
    await planOnce();
    await page.waitForSelector('[data-testid="lesson-row"]', { timeout: 20_000 });
    const planned = await server.handle.db
      .selectFrom('lesson')
      .select(['startsAt', 'topic'])
      .where('classId', '=', secondClassId)
      .execute();
    expect(planned.map((l) => l.topic)).toEqual(['安全用电与触电急救']);
    expect(planned[0].startsAt.toISOString().slice(0, 10)).toBe(tomorrow);
    // The same teacher and room at the same time again: refused, each broken rule listed.
    await planOnce();
    await page.waitForSelector('[data-testid="lesson-refused"]', { timeout: 20_000 });
    const rules = await page
      .locator('[data-testid="rule-item"]')
      .evaluateAll((items) => items.map((i) => i.getAttribute('data-rule')));
    expect(rules).toContain('teacher_double_booked');
    await page.screenshot({ path: join(artifacts, 'training-plan-refused.png'), fullPage: true });
    await context.close();
  }, 90_000);

  it('the worker learns online in front of a camera; only face-verified minutes count', async () => {
    // The worker's face is enrolled from one photo; the fake camera shows another photo of the same man.
    const regulator = await browser.newPage();
    await login(regulator, 'regulator');
    const image = Buffer.from(encodeJpeg(sampleFace(0, 0), 90)).toString('base64');
    const enrolled = await call(regulator, 'POST', `/api/persons/${workerPersonId}/face`, {
      image,
    });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    await regulator.close();
    const school = await browser.newPage();
    await login(school, 'school2');
    const course = await call<{ id: string }>(school, 'POST', `/api/classes/${classId}/courses`, {
      title: '电气安全法规（线上）',
      mediaKind: 'document',
      mediaUrl: 'https://media.example.invalid/law.pdf',
      durationSeconds: 3600,
    });
    expect(course.status, JSON.stringify(course.body)).toBe(201);
    await school.close();

    const video = join(mkdtempSync(join(tmpdir(), 'zx-cam-')), 'worker.y4m');
    writeFileSync(video, y4m(onCanvas(sampleFace(0, 3))));
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
      const phone = await camera.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        permissions: ['camera'],
      });
      const page = await phone.newPage();
      await login(page, 'worker');
      await page.goto(`${server.url}/my/courses`);
      await page
        .locator('[data-testid="course-row"]', { hasText: '电气安全法规' })
        .locator('[data-testid="course-start"]')
        .click();
      // The camera opens at once: a check must pass before anything counts.
      await page.getByRole('button', { name: /拍照|Capture/ }).click({ timeout: 30_000 });
      await expect
        .poll(() => page.locator('[data-testid="learn-check-result"]').innerText(), {
          timeout: 30_000,
        })
        .toMatch(/通过|match/);
      await page.locator('[data-testid="learn-play"]').click();
      // One heartbeat later (20 s) the server has verified learning time.
      await expect
        .poll(
          async () =>
            (
              await call<{ items: { id: string; verifiedMinutes: number }[] }>(
                page,
                'GET',
                '/api/me/courses',
              )
            ).body.items.find((i) => i.id === course.body.id)?.verifiedMinutes ?? 0,
          { timeout: 45_000, interval: 2_000 },
        )
        .toBeGreaterThan(0.2);
      await page.screenshot({ path: join(artifacts, 'worker-learning.png'), fullPage: true });
      await phone.close();
    } finally {
      await camera.close();
    }
  }, 150_000);

  it('the worker’s demo course plays its video from the app itself: the content security policy allows it', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to load/i.test(m.text())) blocked.push(m.text());
    });
    await login(page, 'worker');
    await page.goto(`${server.url}/my/courses`);
    const rows = page.locator('[data-testid="course-row"]');
    await rows.first().waitFor({ timeout: 20_000 });
    const demo = (
      await call<{
        items: { id: string; title: string; mediaUrl: string; durationSeconds: number }[];
      }>(page, 'GET', '/api/me/courses')
    ).body.items.find((c) => c.mediaUrl.startsWith('/media/'))!;
    expect(demo, 'the worker has a demo course with a video of the app').toBeTruthy();
    await rows
      .filter({ hasText: demo.title })
      .first()
      .locator('[data-testid="course-start"]')
      .click();
    const video = page.locator('video[src^="/media/"]');
    await video.waitFor({ timeout: 20_000 });
    await expect
      .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
    const duration = await video.evaluate((v: HTMLVideoElement) => v.duration);
    expect(Math.round(duration)).toBe(demo.durationSeconds);
    expect(blocked).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'worker-demo-course.png'), fullPage: true });
    await context.close();
  }, 90_000);
});
