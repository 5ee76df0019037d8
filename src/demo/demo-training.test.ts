import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exams } from '../catalog/figures.js';
import type { App } from '../platform/http/routing.js';
import { buildTestApp } from '../test-support/app.js';
import { type DemoDatabase, openDemoDatabase } from '../test-support/demo-database.js';
import { loginCookie } from '../test-support/factories.js';
import { DEFAULT_DEMO_SEED, demoCityOf } from './demo.seed.js';
import { DEMO_PASSWORD, demoDeliberateProblems } from './demo-city.js';
import { DEMO_SESSION } from './demo-exams.js';
import { demoTimeline } from './demo-timeline.js';
import { demoCourseVideo, demoTrainingProblems } from './demo-training.js';

/**
 * The training problems put into the demo city are what a regulator sees when opening it: each
 * deliberate problem shows up in the class findings, the ledger or the coverage — found by the
 * platform's own rules, not labelled by the generator.
 */
const webPublic = fileURLToPath(new URL('../../web/public', import.meta.url));

/** The pinned anchor (a Wednesday) and the clock of the test: 10:00 in Beijing on that day. */
const ANCHOR = '2026-11-18';
const NOW = new Date(`${ANCHOR}T10:00:00+08:00`);

describe('demo city records: training and the past exam session', () => {
  let t: DemoDatabase;
  let app: App;
  let cookie: string;
  const classIds = new Map<string, string>();

  beforeAll(async () => {
    t = await openDemoDatabase('pglite', { seed: DEFAULT_DEMO_SEED, anchor: ANCHOR });
    app = await buildTestApp(t, { now: () => NOW });
    cookie = await loginCookie(app, 'regulator', DEMO_PASSWORD);
    const refs = await t.db
      .selectFrom('externalRef')
      .select(['ref', 'entityId'])
      .where('entityType', '=', 'classes')
      .execute();
    for (const r of refs) classIds.set(r.ref, r.entityId);
  }, 300_000);
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
      sessions: {
        id: string;
        startsAt: string;
        resultsPublishedAt: string | null;
        resultsOverdue: boolean;
      }[];
    }[];
    const plan = plans.find(
      (p) => p.itemCode === DEMO_SESSION.itemCode && p.sessions[0]?.resultsPublishedAt,
    )!;
    expect(plan.sessions).toHaveLength(1);
    expect(plan.sessions[0]).toMatchObject({ resultsOverdue: false });
    // Held last month: about four weeks before the anchor.
    const held = (NOW.getTime() - Date.parse(plan.sessions[0].startsAt)) / 86_400_000;
    expect(held).toBeGreaterThan(25);
    expect(held).toBeLessThan(40);
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

  it('stores its anchor, and lays the city around it: finished and sealed, running today, coming next week', async () => {
    expect(await demoCityOf(t.db)).toEqual({ seed: DEFAULT_DEMO_SEED, anchorDate: ANCHOR });
    const list = (await get('/api/classes?pageSize=100')).items as {
      id: string;
      startDate: string;
      endDate: string;
      phase: string;
    }[];
    const phase = (ref: string) => list.find((c) => c.id === classIds.get(ref))!.phase;
    expect(phase('class:taishan:A')).toBe('sealed');
    expect(phase('class:daiyue:A')).toBe('sealed');
    expect(phase('class:daizong:A')).toBe('finished');
    expect(phase('class:taishan:B')).toBe('running');
    expect(phase('class:ningyang:B')).toBe('running');
    // The words come from the dates: nothing past its end date is 培训中, nothing before its start.
    for (const c of list) {
      if (c.phase === 'running') expect(c.startDate <= ANCHOR && ANCHOR <= c.endDate).toBe(true);
      else expect(c.phase === 'sealed' || c.endDate < ANCHOR || c.startDate > ANCHOR).toBe(true);
    }
    const running = await get(`/api/classes/${classIds.get('class:taishan:B')}`);
    expect(running.phase).toBe('running');
    const todays = (running.lessons as { startsAt: string }[]).filter(
      (l) => l.startsAt.slice(0, 10) === ANCHOR || l.startsAt.startsWith(`${ANCHOR}T`),
    );
    expect(todays.length).toBeGreaterThan(0);
  });

  it('a lesson later today is 未开始 for everyone, not 缺勤; the sealed class has no all-absent lesson', async () => {
    const running = await get(`/api/classes/${classIds.get('class:taishan:B')}`);
    const afternoon = (running.lessons as { id: string; startsAt: string }[]).find(
      (l) => Date.parse(l.startsAt) > NOW.getTime(),
    )!;
    const roster = await get(`/api/lessons/${afternoon.id}/roster`);
    expect(roster.summary.absent).toBe(0);
    expect(roster.summary.notStarted).toBe(roster.summary.total);
    const sealed = await get(`/api/classes/${classIds.get('class:taishan:A')}`);
    for (const l of sealed.lessons as { id: string; mode: string }[]) {
      if (l.mode === 'online') continue;
      const r = await get(`/api/lessons/${l.id}/roster`);
      expect(r.summary.absent, l.id).toBe(0);
      expect(r.summary.notStarted, l.id).toBe(0);
    }
  });

  it('the worker can learn today: their class runs, its course plays from this origin', async () => {
    const workerCookie = await loginCookie(app, 'worker', DEMO_PASSWORD);
    const courses = await app.inject({
      method: 'GET',
      url: '/api/me/courses',
      headers: { cookie: workerCookie },
    });
    expect(courses.statusCode, courses.body).toBe(200);
    const [course] = courses.json().items as {
      id: string;
      mediaUrl: string;
      durationSeconds: number;
      positionSeconds: number;
    }[];
    // A video as long as the course, served by the app itself (web/public is copied into the build).
    expect(course.mediaUrl).toBe(demoCourseVideo(course.durationSeconds / 60));
    expect(existsSync(join(webPublic, course.mediaUrl))).toBe(true);
    // Some of it learned last evening, the rest still to learn.
    expect(course.positionSeconds).toBeGreaterThan(0);
    expect(course.positionSeconds).toBeLessThan(course.durationSeconds);
    const started = await app.inject({
      method: 'POST',
      url: '/api/online/sessions',
      headers: { cookie: workerCookie },
      payload: { courseId: course.id },
    });
    expect(started.statusCode, started.body).toBe(201);
  });

  it('next week an exam session of the same item has the two who did not pass registered', async () => {
    const examCookie = await loginCookie(app, 'exam', DEMO_PASSWORD);
    const plans = (
      await app.inject({ method: 'GET', url: '/api/exams/plans', headers: { cookie: examCookie } })
    ).json().items as {
      itemCode: string;
      sessions: { id: string; startsAt: string; resultsPublishedAt: string | null }[];
    }[];
    const coming = plans
      .flatMap((p) => p.sessions.map((s) => ({ ...s, itemCode: p.itemCode })))
      .filter((s) => Date.parse(s.startsAt) > NOW.getTime());
    expect(coming).toHaveLength(1);
    expect(coming[0].itemCode).toBe(DEMO_SESSION.itemCode);
    expect(coming[0].startsAt.slice(0, 10)).toBe(demoTimeline(ANCHOR).nextExam.day);
    const inDays = (Date.parse(coming[0].startsAt) - NOW.getTime()) / 86_400_000;
    expect(inDays).toBeGreaterThan(5);
    expect(inDays).toBeLessThan(11);
    const regs = await app.inject({
      method: 'GET',
      url: `/api/exams/registrations?sessionId=${coming[0].id}`,
      headers: { cookie: examCookie },
    });
    expect(regs.json().items).toHaveLength(DEMO_SESSION.absentees + 1);
  });

  it('problems show where a regulator looks first: the lists carry the registration check, 培考不分 and each class’s findings', async () => {
    const orgRef = async (ref: string) =>
      (
        await t.db
          .selectFrom('externalRef')
          .select('entityId')
          .where('entityType', '=', 'organizations')
          .where('ref', '=', ref)
          .executeTakeFirstOrThrow()
      ).entityId;
    const institutions = (await get('/api/organizations?kind=training_institution&pageSize=50'))
      .items as {
      id: string;
      registrationPassed: boolean | null;
      problems: { code: string; count?: number }[];
    }[];
    const failing = new Set(
      institutions.filter((o) => o.registrationPassed === false).map((o) => o.id),
    );
    const expected = demoDeliberateProblems.filter((p) => p.rule === 'T10').map((p) => p.ref);
    expect(expected).toHaveLength(3);
    expect(failing).toEqual(new Set(await Promise.all(expected.map(orgRef))));
    for (const o of institutions.filter((x) => failing.has(x.id)))
      expect(o.problems[0]).toMatchObject({ code: 'registration_check_failed' });
    // The list says what the institution's own page says.
    const daiyue = await get(`/api/organizations/${await orgRef('org:institution:daiyue')}`);
    expect(daiyue.registrationCheck.passed).toBe(false);
    expect(daiyue.problems[0].count).toBe(
      daiyue.registrationCheck.findings.filter(
        (f: { severity: string }) => f.severity === 'blocking',
      ).length,
    );
    const sites = (await get('/api/organizations?kind=exam_site&pageSize=50')).items as {
      id: string;
      problems: { code: string; message: string }[];
    }[];
    const ningyang = await orgRef('org:site:ningyang');
    expect(sites.filter((x) => x.problems.length > 0).map((x) => x.id)).toEqual([ningyang]);
    expect(sites.find((x) => x.id === ningyang)!.problems[0]).toMatchObject({
      code: 'exam_site_operated_by_institution',
    });
    expect((await get(`/api/organizations/${ningyang}`)).problems[0].message).toContain('培考不分');

    const classes = (await get('/api/classes?pageSize=100')).items as {
      id: string;
      findingCounts: { refuse: number; warn: number };
    }[];
    for (const c of classes) {
      const detail = await get(`/api/classes/${c.id}`);
      expect(c.findingCounts.refuse + c.findingCounts.warn, detail.code).toBe(
        detail.findings.length,
      );
    }
    const daizongB = classes.find((c) => c.id === classIds.get('class:daizong:B'))!;
    expect(daizongB.findingCounts.refuse).toBeGreaterThan(0);
  });

  it('a failing institution cannot open a new class (Shandong: 未经信息登记不得新开展培训业务); a passing one can', async () => {
    const body = {
      code: 'DEMO-NEW-1',
      name: '低压电工作业初训',
      operationItemCode: '1.2',
      kind: 'initial',
      headTeacherId: '00000000-0000-4000-8000-000000000000',
      startDate: ANCHOR,
      endDate: ANCHOR,
    };
    const open = async (username: string) =>
      app.inject({
        method: 'POST',
        url: '/api/classes',
        headers: { cookie: await loginCookie(app, username, DEMO_PASSWORD) },
        payload: body,
      });
    // 岱岳 (the `school` account) fails the check the way the 2024 inspection found: the refusal says how.
    const refused = await open('school');
    expect(refused.statusCode, refused.body).toBe(422);
    const daiyue = demoDeliberateProblems.find((p) => p.ref === 'org:institution:daiyue')!;
    expect((refused.json().error.details as { code: string }[]).map((d) => d.code).sort()).toEqual(
      [...daiyue.findings].sort(),
    );
    // The model school passes the gate and is stopped only by the made-up head teacher.
    const passing = await open('school2');
    expect(passing.statusCode, passing.body).toBe(422);
    expect(passing.json().error.details[0].code).toBe('head_teacher_not_on_staff');
  });
});
