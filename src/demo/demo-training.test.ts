import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exams } from '../catalog/figures.js';
import type { App } from '../platform/http/routing.js';
import { buildTestApp } from '../test-support/app.js';
import { createTestDatabase, type TestDatabase } from '../test-support/db.js';
import { loginCookie } from '../test-support/factories.js';
import { seedDemoCity } from './demo.seed.js';
import { DEMO_PASSWORD } from './demo-city.js';
import { DEMO_SESSION } from './demo-exams.js';
import { demoTrainingProblems } from './demo-training.js';

/**
 * The training problems put into the demo city are what a regulator sees when opening it: each
 * deliberate problem shows up in the class findings, the ledger or the coverage — found by the
 * platform's own rules, not labelled by the generator.
 */
describe('demo city records: training and the past exam session', () => {
  let t: TestDatabase;
  let app: App;
  let cookie: string;
  const classIds = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    await seedDemoCity(t.db);
    app = await buildTestApp(t);
    cookie = await loginCookie(app, 'regulator', DEMO_PASSWORD);
    const refs = await t.db
      .selectFrom('externalRef')
      .select(['ref', 'entityId'])
      .where('entityType', '=', 'classes')
      .execute();
    for (const r of refs) classIds.set(r.ref, r.entityId);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const findings = async (ref: string) =>
    ((await get(`/api/classes/${classIds.get(ref)}`)).findings as { rule: string }[]).map(
      (f) => f.rule,
    );
  const ledger = async (ref: string) =>
    (await get(`/api/classes/${classIds.get(ref)}/ledger`)).items as {
      theoryHours: number;
      theoryMet: boolean;
      practicalMet: boolean;
      makeups: number;
      onlineHoursCounted: number;
    }[];
  const problem = (ref: string) => demoTrainingProblems.find((p) => p.ref === ref)!;

  it('the model school plans cleanly and its trainees meet the syllabus', async () => {
    expect(await findings('class:taishan:A')).toEqual([]);
    const rows = await ledger('class:taishan:A');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.theoryMet && r.practicalMet && r.makeups === 0)).toBe(true);
  });

  it('岱岳: hours cut short, and sign-ins without sign-outs prove no time at all', async () => {
    expect(problem('class:daiyue:A').rule).toBe('T01');
    const cut = await ledger('class:daiyue:A');
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((r) => !r.theoryMet)).toBe(true);
    const once = await ledger('class:daiyue:B');
    expect(once.every((r) => r.theoryHours === 0)).toBe(true);
  });

  it('岱宗: make-up-only attendance, camera gaps in the hall, a teacher in two classes at once', async () => {
    const rows = await ledger('class:daizong:A');
    expect(rows.every((r) => r.makeups > 0)).toBe(true);
    const detail = await get(`/api/classes/${classIds.get('class:daizong:A')}`);
    const practical = detail.lessons.find(
      (l: { mode: string; startsAt: string }) => l.mode === 'practical',
    );
    const coverage = await get(`/api/lessons/${practical.id}/coverage`);
    expect(coverage.gaps.length).toBeGreaterThan(0);
    expect(coverage.coveredMinutes).toBeLessThan(coverage.lessonMinutes);
    expect(await findings('class:daizong:B')).toContain('teacher_double_booked');
  });

  it('肥城: merged classes and practical days over the cap', async () => {
    expect(await findings('class:feicheng:B')).toContain('classes_merged');
    expect(await findings('class:feicheng:A')).toContain('practical_daily_cap');
  });

  it('sealed archives: the model school verifies intact, 岱岳 shows the check-outs edited after sealing', async () => {
    const intact = await get(`/api/classes/${classIds.get('class:taishan:A')}/archive/verify`);
    expect(intact.ok).toBe(true);
    const tampered = await get(`/api/classes/${classIds.get('class:daiyue:A')}/archive/verify`);
    expect(problem('class:daiyue:A').rule).toBe('T01');
    expect(demoTrainingProblems.some((p) => p.ref === 'class:daiyue:A' && p.rule === 'T11')).toBe(
      true,
    );
    expect(tampered.ok).toBe(false);
    expect(tampered.changed.length).toBeGreaterThan(0);
    expect(tampered.changed.every((r: { kind: string }) => r.kind === 'attendance_event')).toBe(
      true,
    );
  });

  it('the past exam session: registered on the ledger, checked in by face, scored, published and certified', async () => {
    const examCookie = await loginCookie(app, 'exam', DEMO_PASSWORD);
    const plans = (
      await app.inject({ method: 'GET', url: '/api/exams/plans', headers: { cookie: examCookie } })
    ).json().items as {
      id: string;
      itemCode: string;
      sessions: { id: string; resultsPublishedAt: string | null; resultsOverdue: boolean }[];
    }[];
    const plan = plans.find((p) => p.itemCode === DEMO_SESSION.itemCode)!;
    expect(plan.sessions).toHaveLength(1);
    expect(plan.sessions[0]).toMatchObject({ resultsOverdue: false });
    expect(plan.sessions[0].resultsPublishedAt).not.toBeNull();
    const regs = (
      await app.inject({
        method: 'GET',
        url: `/api/exams/registrations?sessionId=${plan.sessions[0].id}`,
        headers: { cookie: examCookie },
      })
    ).json().items as {
      result: string;
      theoryScore: number | null;
      practicalScore: number | null;
      certificateId: string | null;
      checkinDecision: string | null;
    }[];
    const trainees = await t.db
      .selectFrom('classTrainee')
      .select('personId')
      .where('classId', '=', classIds.get(DEMO_SESSION.classRef)!)
      .execute();
    expect(regs).toHaveLength(trainees.length);
    const by = (result: string) => regs.filter((r) => r.result === result);
    expect(by('absent')).toHaveLength(DEMO_SESSION.absentees);
    expect(by('fail')).toHaveLength(1);
    expect(by('fail')[0].theoryScore).toBeLessThan(exams.passMark.value);
    expect(by('pass')).toHaveLength(trainees.length - DEMO_SESSION.absentees - 1);
    for (const r of by('pass')) {
      expect(r.theoryScore).toBeGreaterThanOrEqual(exams.passMark.value);
      expect(r.practicalScore).toBeGreaterThanOrEqual(exams.practicalPassMark.value);
      expect(r.certificateId).not.toBeNull();
    }
    // Every candidate who sat was checked in by face against the face enrolled at registration.
    expect(
      regs.filter((r) => r.result !== 'absent').every((r) => r.checkinDecision === 'match'),
    ).toBe(true);

    // The site's invigilator and examiner accounts are the session's staff.
    for (const username of ['invigilator', 'examiner']) {
      const c = await loginCookie(app, username, DEMO_PASSWORD);
      const board = await app.inject({
        method: 'GET',
        url: `/api/exams/sessions/${plan.sessions[0].id}/candidates`,
        headers: { cookie: c },
      });
      expect(board.statusCode, `${username}: ${board.body}`).toBe(200);
      expect(board.json().items).toHaveLength(trainees.length);
    }
  });

  it('the worker account has a class and proven hours of their own', async () => {
    const workerCookie = await loginCookie(app, 'worker', DEMO_PASSWORD);
    const res = await app.inject({
      method: 'GET',
      url: '/api/me/hours',
      headers: { cookie: workerCookie },
    });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as {
      classId: string;
      theoryHours: number;
      onlineHoursCounted: number;
    }[];
    expect(items.map((i) => i.classId)).toEqual([classIds.get('class:ningyang:B')]);
    expect(items[0].theoryHours + items[0].onlineHoursCounted).toBeGreaterThan(0);
  });
});
