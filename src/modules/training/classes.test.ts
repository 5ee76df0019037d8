import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syllabusFor } from '../../catalog/figures.js';
import { getPolicy, policyValues } from '../../catalog/policy.js';
import type { App } from '../../platform/http/routing.js';
import { buildTestApp } from '../../test-support/app.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import {
  buildEmployment,
  buildOrganization,
  buildPerson,
  buildRegistrationExemption,
  buildStaff,
  buildUser,
  loginCookie,
} from '../../test-support/factories.js';
import { floorHours } from './ledger.js';

const NOW = new Date('2026-11-20T08:00:00Z');
const REGION = '370902';
/** Beijing wall-clock time on a day of the class, as an ISO instant. */
const bj = (day: string, hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`).toISOString();
const DAY1 = '2026-11-16';
const DAY2 = '2026-11-17';

describe.each(testDatabaseModes)(
  'classes, lessons, attendance and the hours ledger on %s',
  (mode) => {
    let t: TestDatabase;
    let app: App;
    let cookie: string;
    const policy = policyValues(getPolicy(REGION, '2026-11-02'));
    let school: { id: string };
    let teacher: { id: string };
    let novice: { id: string };
    let theoryOnly: { id: string };
    let roomA: string;
    let roomB: string;
    let terminal: string;
    let camera: string;
    let classId: string;
    let trainees: { id: string; idNumber: string; name: string }[];

    const post = (url: string, payload: unknown, c = cookie) =>
      app.inject({ method: 'POST', url, headers: { cookie: c }, payload: payload as object });
    const get = (url: string, c = cookie) =>
      app.inject({ method: 'GET', url, headers: { cookie: c } });
    const lessonBody = (o: Record<string, unknown>) => ({
      content: 'theory',
      online: false,
      topic: '安全生产法律法规',
      teacherId: teacher.id,
      roomId: roomA,
      ...o,
    });

    beforeAll(async () => {
      t = await createTestDatabase(mode);
      await loadRegions(t.db);
      app = await buildTestApp(t, { now: () => NOW });
      school = await buildOrganization(t.db, { kind: 'training_institution', regionCode: REGION });
      await buildRegistrationExemption(t.db, { organizationId: school.id });
      teacher = await buildPerson(t.db, { name: '王教师' });
      novice = await buildPerson(t.db, { name: '李新手' });
      theoryOnly = await buildPerson(t.db, { name: '赵理论' });
      await buildStaff(t.db, {
        personId: teacher.id,
        organizationId: school.id,
        regionCode: REGION,
        duty: 'teacher',
        practiceYears: policy.teacherPracticeYearsMin + 3,
        operationItems: ['1.2'],
      });
      await buildStaff(t.db, {
        personId: novice.id,
        organizationId: school.id,
        regionCode: REGION,
        duty: 'teacher',
        practiceYears: policy.teacherPracticeYearsMin - 2,
        operationItems: ['1.2'],
      });
      await buildStaff(t.db, {
        personId: theoryOnly.id,
        organizationId: school.id,
        regionCode: REGION,
        duty: 'teacher',
        practiceYears: policy.teacherPracticeYearsMin,
        operationItems: [],
      });
      cookie = await loginCookie(
        app,
        (await buildUser(t.db, { roles: ['training_institution'], organizationId: school.id }))
          .username,
      );
      roomA = (
        await post(`/api/organizations/${school.id}/rooms`, {
          name: '理论教室一',
          kind: 'theory',
          capacity: 80,
          areaM2: 130,
        })
      ).json().id;
      roomB = (
        await post(`/api/organizations/${school.id}/rooms`, {
          name: '实操车间',
          kind: 'practical',
          capacity: 40,
          areaM2: 200,
        })
      ).json().id;
      terminal = (
        await post(`/api/organizations/${school.id}/devices`, {
          roomId: roomA,
          kind: 'face_terminal',
          serial: 'FT-1',
          name: '考勤机',
        })
      ).json().token;
      camera = (
        await post(`/api/organizations/${school.id}/devices`, {
          roomId: roomA,
          kind: 'camera',
          serial: 'CAM-1',
          name: '前摄像头',
        })
      ).json().token;
      const people = [
        await buildPerson(t.db, { name: '张一' }),
        await buildPerson(t.db, { name: '张二' }),
        await buildPerson(t.db, { name: '张三' }),
        await buildPerson(t.db, { name: '张四' }),
      ];
      trainees = people.map((p) => ({ id: p.id, idNumber: p.idNumber, name: p.name }));
    });
    afterAll(async () => {
      await app?.close();
      await t?.close();
    });

    const classCount = async () =>
      Number(
        (
          await t.db
            .selectFrom('trainingClass')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('opens a class with the syllabus of its item and kind, and never mixes kinds', async () => {
      const base = {
        name: '低压电工作业初训第1期',
        operationItemCode: '1.2',
        headTeacherId: teacher.id,
        startDate: '2026-11-16',
        endDate: '2026-11-27',
      };
      const before = await classCount();
      const mixed = await post('/api/classes', {
        ...base,
        code: 'DG-2026-01',
        kind: 'initial',
        trainees: [
          { idNumber: trainees[0].idNumber, name: trainees[0].name },
          { idNumber: trainees[1].idNumber, name: trainees[1].name, trainingKind: 'review' },
        ],
      });
      expect(mixed.statusCode, mixed.body).toBe(422);
      expect(mixed.json().error.details).toEqual([
        expect.objectContaining({
          path: 'body.trainees.1.trainingKind',
          code: 'class_kinds_mixed',
        }),
      ]);
      expect(await classCount()).toBe(before);

      const wrongKind = await post('/api/classes', {
        ...base,
        code: 'DG-2026-00',
        kind: 'refresher',
      });
      expect(wrongKind.statusCode).toBe(422);

      const res = await post('/api/classes', {
        ...base,
        code: 'DG-2026-01',
        kind: 'initial',
        trainees: trainees.map((p) => ({
          idNumber: p.idNumber,
          name: p.name,
          trainingKind: 'initial',
        })),
      });
      expect(res.statusCode, res.body).toBe(201);
      classId = res.json().id;
      const detail = (await get(`/api/classes/${classId}`)).json();
      const syllabus = syllabusFor('1.2', 'initial');
      if ('refused' in syllabus) throw new Error(syllabus.refused);
      expect(detail.syllabus).toEqual({
        theoryHours: syllabus.theory.value,
        practicalHours: syllabus.practical.value,
      });
      expect(detail.roster.map((r: { name: string }) => r.name).sort()).toEqual(
        trainees.map((p) => p.name).sort(),
      );
      expect(detail.policy.applied).toContain('shandong-2024');
      expect(detail.roster[0].idNumberMasked).toMatch(/\*{10}/);
      // The institution now sees its trainees' files (to enrol their faces, register them for the exam), and nobody else's.
      expect((await get(`/api/persons/${trainees[0].id}`)).statusCode).toBe(200);
      const stranger = await buildPerson(t.db, { name: '路人甲' });
      expect((await get(`/api/persons/${stranger.id}`)).statusCode).toBe(404);
    });

    it('refuses lessons that break the planning rules, naming each rule', async () => {
      const ok = await post(
        `/api/classes/${classId}/lessons`,
        lessonBody({ startsAt: bj(DAY1, '09:00'), endsAt: bj(DAY1, '10:30') }),
      );
      expect(ok.statusCode, ok.body).toBe(201);
      const rule = async (body: Record<string, unknown>, cls = classId) => {
        const res = await post(`/api/classes/${cls}/lessons`, lessonBody(body));
        expect(res.statusCode, res.body).toBe(422);
        return res.json().error.details.map((d: { code: string }) => d.code);
      };
      // Another class of the same institution: same teacher at the same time, same room at the same time.
      const other = await post('/api/classes', {
        code: 'DG-2026-02',
        name: '低压电工第2期',
        operationItemCode: '1.2',
        kind: 'initial',
        headTeacherId: teacher.id,
        startDate: DAY1,
        endDate: '2026-11-27',
      });
      expect(
        await rule(
          { startsAt: bj(DAY1, '10:00'), endsAt: bj(DAY1, '11:00'), roomId: roomB },
          other.json().id,
        ),
      ).toEqual(['teacher_double_booked']);
      expect(
        await rule(
          { startsAt: bj(DAY1, '10:00'), endsAt: bj(DAY1, '11:00'), teacherId: theoryOnly.id },
          other.json().id,
        ),
      ).toEqual(['classes_merged']);
      expect(
        await rule({
          content: 'practical',
          online: true,
          roomId: null,
          startsAt: bj(DAY2, '09:00'),
          endsAt: bj(DAY2, '10:00'),
        }),
      ).toEqual(['practical_online']);
      expect(
        await rule({
          startsAt: bj(DAY2, '09:00'),
          endsAt: bj(DAY2, '10:00'),
          teacherId: novice.id,
        }),
      ).toEqual(['teacher_practice_years']);
      expect(
        await rule({
          content: 'practical',
          roomId: roomB,
          startsAt: bj(DAY2, '09:00'),
          endsAt: bj(DAY2, '10:00'),
          teacherId: theoryOnly.id,
        }),
      ).toEqual(['practical_teacher_certificate']);
      expect(
        await rule({ startsAt: bj('2026-12-01', '09:00'), endsAt: bj('2026-12-01', '10:00') }),
      ).toEqual(['lesson_outside_class_dates']);

      // Practical hours per day: fill the day up to the cap of the policy in force, then one more lesson is refused.
      const cap = policy.practicalHoursPerDayMax;
      expect(cap).not.toBeNull();
      const capMinutes = (cap as number) * policy.offlineMinutesPerHour;
      const start = new Date(bj(DAY2, '08:00'));
      const full = await post(
        `/api/classes/${classId}/lessons`,
        lessonBody({
          content: 'practical',
          roomId: roomB,
          startsAt: start.toISOString(),
          endsAt: new Date(start.getTime() + capMinutes * 60_000).toISOString(),
        }),
      );
      expect(full.statusCode, full.body).toBe(201);
      const after = new Date(start.getTime() + capMinutes * 60_000);
      expect(
        await rule({
          content: 'practical',
          roomId: roomB,
          startsAt: after.toISOString(),
          endsAt: new Date(after.getTime() + 45 * 60_000).toISOString(),
        }),
      ).toContain('practical_daily_cap');

      const lessons = await t.db
        .selectFrom('lesson')
        .select('id')
        .where('classId', '=', classId)
        .execute();
      expect(lessons).toHaveLength(2);
    });

    async function theoryLesson() {
      return t.db
        .selectFrom('lesson')
        .selectAll()
        .where('classId', '=', classId)
        .where('mode', '=', 'theory')
        .executeTakeFirstOrThrow();
    }

    it('shows the live roster from terminal events: in, out, missing, face failed, make-up', async () => {
      const upload = await app.inject({
        method: 'POST',
        url: '/api/devices/attendance',
        headers: { authorization: `Bearer ${terminal}` },
        payload: {
          events: [
            {
              eventId: 'a1',
              type: 'check_in',
              idNumber: trainees[0].idNumber,
              occurredAt: bj(DAY1, '08:50'),
              matchScore: 0.95,
              liveness: 0.9,
            },
            {
              eventId: 'a2',
              type: 'random_check',
              idNumber: trainees[0].idNumber,
              occurredAt: bj(DAY1, '09:40'),
              matchScore: 0.93,
            },
            {
              eventId: 'a3',
              type: 'check_out',
              idNumber: trainees[0].idNumber,
              occurredAt: bj(DAY1, '10:35'),
              matchScore: 0.94,
              liveness: 0.9,
            },
            {
              eventId: 'b1',
              type: 'check_in',
              idNumber: trainees[2].idNumber,
              occurredAt: bj(DAY1, '08:55'),
              matchScore: policy.faceMatchThreshold - 0.2,
              liveness: 0.9,
            },
            {
              eventId: 'b2',
              type: 'check_out',
              idNumber: trainees[2].idNumber,
              occurredAt: bj(DAY1, '10:31'),
              matchScore: policy.faceMatchThreshold - 0.2,
              liveness: 0.9,
            },
          ],
        },
      });
      expect(upload.json().accepted).toBe(5);
      const lesson = await theoryLesson();
      const noReason = await post(`/api/lessons/${lesson.id}/makeups`, {
        personId: trainees[1].id,
        reason: '',
      });
      expect(noReason.statusCode).toBe(400);
      const makeup = await post(`/api/lessons/${lesson.id}/makeups`, {
        personId: trainees[1].id,
        reason: '考勤机故障，班主任现场核对身份证',
      });
      expect(makeup.statusCode, makeup.body).toBe(201);

      const roster = (await get(`/api/lessons/${lesson.id}/roster`)).json();
      const status = Object.fromEntries(
        roster.items.map((i: { name: string; status: string }) => [i.name, i.status]),
      );
      expect(status).toEqual({
        [trainees[0].name]: 'left',
        [trainees[1].name]: 'makeup',
        [trainees[2].name]: 'face_failed',
        [trainees[3].name]: 'absent',
      });
      expect(roster.summary).toMatchObject({
        total: 4,
        left: 1,
        makeup: 1,
        faceFailed: 1,
        absent: 1,
      });
      const audit = await t.db
        .selectFrom('auditLog')
        .select('summary')
        .where('action', '=', 'attendance.makeup')
        .execute();
      expect(audit.map((a) => a.summary)).toEqual(['考勤机故障，班主任现场核对身份证']);
    });

    it('computes video coverage and its gaps from camera uploads', async () => {
      const lesson = await theoryLesson();
      const hash = (c: string) => c.repeat(64);
      const rec = (id: string, from: string, to: string) => ({
        recordingId: id,
        startedAt: bj(DAY1, from),
        endedAt: bj(DAY1, to),
        sha256: hash(id.slice(-1)),
        storageUri: `nvr://cam1/${id}.mp4`,
      });
      const up = await app.inject({
        method: 'POST',
        url: '/api/devices/recordings',
        headers: { authorization: `Bearer ${camera}` },
        payload: {
          recordings: [
            rec('r1', '08:45', '10:00'),
            rec('r2', '10:10', '11:00'),
            rec('r2', '10:10', '11:00'),
            { recordingId: 'bad' },
          ],
        },
      });
      expect(up.statusCode, up.body).toBe(200);
      expect(up.json().results.map((r: { status: string }) => r.status)).toEqual([
        'accepted',
        'accepted',
        'duplicate',
        'rejected',
      ]);
      const fromTerminal = await app.inject({
        method: 'POST',
        url: '/api/devices/recordings',
        headers: { authorization: `Bearer ${terminal}` },
        payload: { recordings: [rec('r9', '08:00', '09:00')] },
      });
      expect(fromTerminal.statusCode).toBe(403);

      // The clerk may upload a recorder's export for one of the institution's cameras: same checks, same idempotency.
      const cameraRow = await t.db
        .selectFrom('device')
        .select('id')
        .where('kind', '=', 'camera')
        .where('organizationId', '=', school.id)
        .executeTakeFirstOrThrow();
      const byClerk = await post(
        `/api/organizations/${school.id}/devices/${cameraRow.id}/recordings`,
        { recordings: [rec('r2', '10:10', '11:00'), rec('r3', '11:00', '11:30')] },
      );
      expect(byClerk.statusCode, byClerk.body).toBe(200);
      expect(byClerk.json().results.map((r: { status: string }) => r.status)).toEqual([
        'duplicate',
        'accepted',
      ]);
      const terminalRow = await t.db
        .selectFrom('device')
        .select('id')
        .where('kind', '=', 'face_terminal')
        .where('organizationId', '=', school.id)
        .executeTakeFirstOrThrow();
      expect(
        (
          await post(`/api/organizations/${school.id}/devices/${terminalRow.id}/recordings`, {
            recordings: [rec('r4', '08:00', '08:30')],
          })
        ).statusCode,
      ).toBe(422);

      const cov = (await get(`/api/lessons/${lesson.id}/coverage`)).json();
      expect(cov.lessonMinutes).toBe(90);
      expect(cov.coveredMinutes).toBe(80);
      expect(cov.gaps).toEqual([{ from: bj(DAY1, '10:00'), to: bj(DAY1, '10:10') }]);
      expect(cov.recordings).toHaveLength(2);
      expect(cov.recordings.map((r: { storageUri: string }) => r.storageUri)).not.toContain(
        'nvr://cam1/r3.mp4',
      );
    });

    it('derives hours from attendance ∩ lesson ∩ video, with the evidence, scoped to who asks', async () => {
      const ledgerRes = await get(`/api/classes/${classId}/ledger`);
      expect(ledgerRes.statusCode, ledgerRes.body).toBe(200);
      const ledger = ledgerRes.json().items;
      const byName = Object.fromEntries(ledger.map((r: { name: string }) => [r.name, r]));
      // 09:00–10:30 attended, video 09:00–10:00 and 10:10–10:30: 80 minutes count (uncovered time does not, by policy).
      expect(policy.uncoveredTimeCounts).toBe(false);
      const expected = floorHours(80 / policy.offlineMinutesPerHour);
      expect(byName[trainees[0].name].theoryHours).toBe(expected);
      expect(byName[trainees[1].name]).toMatchObject({ theoryHours: expected, makeups: 1 });
      expect(byName[trainees[2].name].theoryHours).toBe(0);
      expect(byName[trainees[3].name].theoryHours).toBe(0);
      expect(byName[trainees[0].name]).toMatchObject({
        practicalHours: 0,
        theoryMet: false,
        practicalMet: false,
      });

      const evidence = (await get(`/api/classes/${classId}/ledger/${trainees[0].id}`)).json();
      const theory = evidence.lessons.find((l: { mode: string }) => l.mode === 'theory');
      expect(theory.presence).toEqual([{ from: bj(DAY1, '09:00'), to: bj(DAY1, '10:30') }]);
      expect(theory.coverage).toEqual([
        { from: bj(DAY1, '09:00'), to: bj(DAY1, '10:00') },
        { from: bj(DAY1, '10:10'), to: bj(DAY1, '10:30') },
      ]);
      expect(theory.countedMinutes).toBe(80);
      expect(theory.eventIds).toHaveLength(2);

      // The worker sees their own line and nobody else's.
      const worker = await buildUser(t.db, { roles: ['worker'], personId: trainees[0].id });
      const workerCookie = await loginCookie(app, worker.username);
      const own = (await get(`/api/classes/${classId}/ledger`, workerCookie)).json().items;
      expect(own.map((r: { personId: string }) => r.personId)).toEqual([trainees[0].id]);
      expect(
        (await get(`/api/classes/${classId}/ledger/${trainees[1].id}`, workerCookie)).statusCode,
      ).toBe(404);
      const mine = (await get('/api/me/hours', workerCookie)).json().items;
      expect(mine).toEqual([expect.objectContaining({ classId, theoryHours: expected })]);

      // An enterprise sees its own employees' lines only; a regulator elsewhere sees nothing.
      const employer = await buildOrganization(t.db, { kind: 'enterprise', regionCode: REGION });
      await buildEmployment(t.db, {
        personId: trainees[1].id,
        organizationId: employer.id,
        regionCode: REGION,
        post: 'special_operator',
      });
      const employerCookie = await loginCookie(
        app,
        (await buildUser(t.db, { roles: ['enterprise'], organizationId: employer.id })).username,
      );
      expect(
        (await get(`/api/classes/${classId}/ledger`, employerCookie))
          .json()
          .items.map((r: { personId: string }) => r.personId),
      ).toEqual([trainees[1].id]);
      const farRegulator = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3701' });
      const farCookie = await loginCookie(
        app,
        (await buildUser(t.db, { roles: ['regulator'], organizationId: farRegulator.id })).username,
      );
      expect((await get(`/api/classes/${classId}`, farCookie)).statusCode).toBe(404);
      expect((await get(`/api/classes/${classId}/ledger`, farCookie)).statusCode).toBe(404);
      const cityRegulator = await buildOrganization(t.db, {
        kind: 'regulator',
        regionCode: '3709',
      });
      const cityCookie = await loginCookie(
        app,
        (await buildUser(t.db, { roles: ['regulator'], organizationId: cityRegulator.id }))
          .username,
      );
      expect((await get(`/api/classes/${classId}/ledger`, cityCookie)).json().items).toHaveLength(
        4,
      );
      expect(
        (await get('/api/classes', cityCookie))
          .json()
          .items.map((c: { code: string }) => c.code)
          .sort(),
      ).toEqual(['DG-2026-01', 'DG-2026-02']);

      // 一人一档: the person's classes with the ledger's hours, to each as far as they may see.
      const fileHours = async (personId: string, c: string) => {
        const res = await get(`/api/persons/${personId}/hours`, c);
        return res.statusCode === 200 ? res.json().items : res.statusCode;
      };
      expect(await fileHours(trainees[0].id, workerCookie)).toEqual(mine);
      // The city sees whoever works in it (trainees[1], employed above), with the same ledger line.
      expect(await fileHours(trainees[1].id, cityCookie)).toEqual([
        expect.objectContaining({
          classId,
          theoryHours: byName[trainees[1].name].theoryHours,
          practicalHours: byName[trainees[1].name].practicalHours,
        }),
      ]);
      expect(await fileHours(trainees[1].id, employerCookie)).toEqual([
        expect.objectContaining({ classId, personId: trainees[1].id }),
      ]);
      // Not their employee, not their own file, not their jurisdiction: no file at all.
      expect(await fileHours(trainees[0].id, employerCookie)).toBe(404);
      expect(await fileHours(trainees[1].id, workerCookie)).toBe(404);
      expect(await fileHours(trainees[1].id, farCookie)).toBe(404);
    });

    it('counts verified online minutes only, and only up to the online share of the syllabus', async () => {
      const cls = await t.db
        .selectFrom('trainingClass')
        .selectAll()
        .where('id', '=', classId)
        .executeTakeFirstOrThrow();
      const course = await t.db
        .insertInto('onlineCourse')
        .values({
          classId,
          organizationId: cls.organizationId,
          regionCode: cls.regionCode,
          title: '电气安全基础',
          mediaKind: 'video',
          mediaUrl: 'https://example.invalid/v.mp4',
          durationSeconds: 36_000,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const session = await t.db
        .insertInto('onlineSession')
        .values({
          classId,
          courseId: course.id,
          personId: trainees[3].id,
          organizationId: cls.organizationId,
          regionCode: cls.regionCode,
          startedAt: bj(DAY1, '19:00'),
          lastSeenAt: bj(DAY1, '19:00'),
          endedAt: new Date(bj(DAY2, '23:00')),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const segment = (from: Date, minutes: number, verified: boolean) => ({
        sessionId: session.id,
        classId,
        personId: trainees[3].id,
        regionCode: cls.regionCode,
        startsAt: from,
        endsAt: new Date(from.getTime() + minutes * 60_000),
        positionFrom: 0,
        positionTo: minutes * 60,
        verified,
        reason: verified ? null : 'face_check_failed',
      });
      const t0 = new Date(bj(DAY1, '19:00'));
      await t.db
        .insertInto('onlineSegment')
        .values([segment(t0, 30, true), segment(new Date(t0.getTime() + 30 * 60_000), 30, false)])
        .execute();
      let line = (await get(`/api/classes/${classId}/ledger`))
        .json()
        .items.find((r: { personId: string }) => r.personId === trainees[3].id);
      expect(line.onlineHours).toBe(floorHours(30 / policy.onlineMinutesPerHour));
      expect(line.onlineHoursCounted).toBe(line.onlineHours);

      // A great many verified minutes: only the online share of the syllabus theory hours counts.
      const lots = Array.from({ length: 40 }, (_, i) =>
        segment(new Date(t0.getTime() + (120 + i * 60) * 60_000), 60, true),
      );
      await t.db.insertInto('onlineSegment').values(lots).execute();
      line = (await get(`/api/classes/${classId}/ledger`))
        .json()
        .items.find((r: { personId: string }) => r.personId === trainees[3].id);
      expect(line.onlineHours).toBe(floorHours((30 + 40 * 60) / policy.onlineMinutesPerHour));
      expect(line.onlineHoursCounted).toBe(
        floorHours(policy.onlineTheoryShareMax * line.syllabusTheoryHours),
      );
    });

    it('holds a new class to the syllabus version a provincial regulator published, not to the catalog default', async () => {
      const province = await buildOrganization(t.db, { kind: 'regulator', regionCode: '37' });
      const admin = await loginCookie(
        app,
        (await buildUser(t.db, { roles: ['regulator', 'admin'], organizationId: province.id }))
          .username,
      );
      const plain = await loginCookie(
        app,
        (await buildUser(t.db, { roles: ['regulator'], organizationId: province.id })).username,
      );
      const catalog = syllabusFor('1.2', 'initial');
      if ('refused' in catalog) throw new Error(catalog.refused);
      const version = {
        regionCode: '37',
        operationItemCode: '1.2',
        kind: 'initial',
        theoryHours: catalog.theory.value + 8,
        practicalHours: catalog.practical.value,
        effectiveFrom: '2026-11-01',
        source: '鲁应急 培训大纲（测试）',
      };
      expect((await post('/api/syllabi', version, plain)).statusCode).toBe(403);
      expect(
        (await post('/api/syllabi', { ...version, regionCode: '3701' }, admin)).statusCode,
      ).toBe(201);
      expect(
        (await post('/api/syllabi', { ...version, kind: 'refresher' }, admin)).statusCode,
      ).toBe(422);
      expect((await post('/api/syllabi', version, admin)).statusCode).toBe(201);
      expect((await post('/api/syllabi', version, admin)).statusCode).toBe(409);
      const res = await post('/api/classes', {
        code: 'DG-2026-09',
        name: '低压电工第9期',
        operationItemCode: '1.2',
        kind: 'initial',
        headTeacherId: teacher.id,
        startDate: '2026-11-16',
        endDate: '2026-11-27',
      });
      expect(res.statusCode, res.body).toBe(201);
      const detail = (await get(`/api/classes/${res.json().id}`)).json();
      expect(detail.syllabus).toEqual({
        theoryHours: version.theoryHours,
        practicalHours: version.practicalHours,
      });
      // A class opened before the version took effect keeps the catalog default.
      expect((await get(`/api/classes/${classId}`)).json().syllabus.theoryHours).toBe(
        catalog.theory.value,
      );
      const inForce = (
        await get(
          `/api/syllabi?operationItemCode=1.2&kind=initial&regionCode=${REGION}&date=2026-10-01`,
        )
      ).json();
      expect(inForce.inForce).toMatchObject({ theoryHours: catalog.theory.value, from: 'catalog' });
    });
  },
);
