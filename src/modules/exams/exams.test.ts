import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addWorkingDays, beijingWallTime } from '../../catalog/calendar.js';
import { exams, specialOperation } from '../../catalog/figures.js';
import { practicalStandard } from '../../catalog/practical.js';
import type { App } from '../../platform/http/routing.js';
import { type Cell, readXlsx, writeXlsx } from '../../platform/xlsx.js';
import { buildTestApp } from '../../test-support/app.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import { buildTrainedClass } from '../../test-support/exam-factories.js';
import {
  buildEmployment,
  buildOrganization,
  buildPerson,
  buildStaff,
  buildUser,
  loginCookie,
} from '../../test-support/factories.js';
import { encodeJpeg, type RgbImage } from '../faces/face-engine.js';
import { sampleFace } from '../faces/faces.test-images.js';
import { adjust } from '../faces/image-ops.js';
import { addMonths } from './exams.rules.js';
import { bankColumns } from './question-bank.service.js';

const b64 = (img: RgbImage) => Buffer.from(encodeJpeg(img, 90)).toString('base64');
const REGION = '370902';
const bj = beijingWallTime;
const EXAM_DAY = '2026-11-26';

/** A bank for item 1.2 big enough for the blueprint below: 30 true/false, 50 single, 15 multiple. */
function bankFile(extra: Cell[][] = []): string {
  const rows: Cell[][] = [[...bankColumns]];
  for (let i = 0; i < 30; i++)
    rows.push([
      '1.2',
      '判断',
      `判断题${i}：作业前应检查安全用具。`,
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
  for (let i = 0; i < 50; i++)
    rows.push([
      '1.2',
      '单选',
      `单选题${i}：正确的做法是（ ）。`,
      `甲${i}`,
      `乙${i}`,
      `丙${i}`,
      `丁${i}`,
      null,
      null,
      null,
      null,
      'ABCD'[i % 4],
      i < 25 ? '电工仪表' : '安全标示',
      3,
    ]);
  for (let i = 0; i < 15; i++)
    rows.push([
      '1.2',
      '多选',
      `多选题${i}：下列正确的有（ ）。`,
      `一${i}`,
      `二${i}`,
      `三${i}`,
      `四${i}`,
      `五${i}`,
      null,
      null,
      null,
      i % 2 ? 'ACE' : 'BD',
      '触电急救',
      4,
    ]);
  rows.push(...extra);
  return Buffer.from(writeXlsx([{ name: '题库', rows }])).toString('base64');
}
const blueprint = {
  itemCode: '1.2',
  name: '低压电工作业理论考试',
  parts: [
    { kind: 'judge', knowledgePoint: null, count: 20, pointsEach: 1 },
    { kind: 'single', knowledgePoint: '电工仪表', count: 20, pointsEach: 1 },
    { kind: 'single', knowledgePoint: '安全标示', count: 20, pointsEach: 1 },
    { kind: 'multiple', knowledgePoint: null, count: 10, pointsEach: 4 },
  ],
};

/**
 * The whole exam chain through HTTP with the real face models and the real hours ledger: question
 * bank from Excel, blueprint, plan and session under 培考分离, registration with eligibility from
 * recorded hours, face check-in with an invigilator's override, the theory exam with a dropped
 * network and a time-out, practical scoring one candidate at a time with a veto item, patrol,
 * publication and the certificate — on PGlite and on PostgreSQL.
 */
describe.each(testDatabaseModes)('exams on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  // Sessions last a day in tests: everything happens on the exam day.
  let clock = bj(EXAM_DAY, '07:00');
  const at = (time: string, date = EXAM_DAY) => {
    clock = bj(date, time);
  };
  const cookies: Record<string, string> = {};
  const usernames: Record<string, string> = {};
  /** Sessions last a day in tests: a step on a later day logs in again on that day's clock. */
  const relogin = async (...who: string[]) => {
    for (const key of who) cookies[key] = await loginCookie(app, usernames[key]);
  };
  const people: Record<string, { id: string; name: string; idNumber: string }> = {};
  let planId: string;
  let sessionId: string;
  const reg: Record<string, string> = {};
  const attempt: Record<string, { id: string; token: string }> = {};

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, who: string, payload?: object) =>
    app.inject({ method, url, headers: { cookie: cookies[who] }, ...(payload ? { payload } : {}) });
  const ok = async (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    who: string,
    payload?: object,
    status = 200,
  ) => {
    const res = await call(method, url, who, payload);
    expect(res.statusCode, `${method} ${url} as ${who}: ${res.body}`).toBe(status);
    return res.json();
  };
  const detailCodes = (res: { json: () => { error: { details: { code?: string }[] } } }) =>
    res.json().error.details.map((d) => d.code);

  let authority: { id: string };
  let site: { id: string };
  let schoolSite: { id: string };
  let teacherId: string;

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    app = await buildTestApp(t, { now: () => clock });
    authority = await buildOrganization(t.db, {
      kind: 'exam_authority',
      regionCode: '3709',
      name: '泰安市考试中心',
    });
    site = await buildOrganization(t.db, {
      kind: 'exam_site',
      regionCode: REGION,
      name: '泰山区考点',
    });
    const city = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const company = await buildOrganization(t.db, { kind: 'enterprise', regionCode: REGION });

    const trained = await buildTrainedClass(t.db, {
      regionCode: REGION,
      day: '2026-11-20',
      trainees: 3,
      absentees: 1,
    });
    const [a, d, e] = trained.trained;
    const [b] = trained.absent;
    Object.assign(people, { a, d, e, b });
    // An exam site run by a training institution (the one that trained them).
    schoolSite = await buildOrganization(t.db, {
      kind: 'exam_site',
      regionCode: REGION,
      operatorId: trained.school.id,
    });
    teacherId = (
      await t.db
        .selectFrom('staffAssignment')
        .select('personId')
        .where('organizationId', '=', trained.school.id)
        .executeTakeFirstOrThrow()
    ).personId;
    for (const p of [a, b, d, e])
      await buildEmployment(t.db, {
        personId: p.id,
        organizationId: company.id,
        regionCode: REGION,
        post: 'special_operator',
        operationItemCode: '1.2',
      });

    const invigilator = await buildPerson(t.db, { birthDate: '1985-02-02' });
    const examiner = await buildPerson(t.db, { birthDate: '1979-04-04' });
    const uncertified = await buildPerson(t.db, { birthDate: '1978-05-05' });
    const examiner2 = await buildPerson(t.db, { birthDate: '1981-06-06' });
    await buildStaff(t.db, {
      personId: invigilator.id,
      organizationId: site.id,
      regionCode: REGION,
      duty: 'invigilator',
    });
    await buildStaff(t.db, {
      personId: examiner.id,
      organizationId: site.id,
      regionCode: REGION,
      duty: 'examiner',
      operationItems: ['1.2'],
    });
    await buildStaff(t.db, {
      personId: examiner2.id,
      organizationId: site.id,
      regionCode: REGION,
      duty: 'examiner',
      operationItems: ['1.2'],
    });
    await buildStaff(t.db, {
      personId: uncertified.id,
      organizationId: site.id,
      regionCode: REGION,
      duty: 'examiner',
      operationItems: ['1.2'],
    });
    await buildStaff(t.db, {
      personId: teacherId,
      organizationId: site.id,
      regionCode: REGION,
      duty: 'invigilator',
      startDate: '2026-01-01',
    });
    Object.assign(people, { invigilator, examiner, examiner2, uncertified });

    const users: [string, Parameters<typeof buildUser>[1]][] = [
      ['authority', { roles: ['exam_authority'], organizationId: authority.id }],
      ['regulator', { roles: ['regulator'], organizationId: city.id }],
      ['enterprise', { roles: ['enterprise'], organizationId: company.id }],
      ['invigilator', { roles: ['exam_site'], organizationId: site.id, personId: invigilator.id }],
      ['examiner', { roles: ['exam_site'], organizationId: site.id, personId: examiner.id }],
      ['examiner2', { roles: ['exam_site'], organizationId: site.id, personId: examiner2.id }],
      ['a', { roles: ['worker'], personId: a.id }],
      ['d', { roles: ['worker'], personId: d.id }],
      ['e', { roles: ['worker'], personId: e.id }],
    ];
    for (const [key, u] of users) {
      usernames[key] = (await buildUser(t.db, u)).username;
      cookies[key] = await loginCookie(app, usernames[key]);
    }
    // Faces enrolled by the regulator: a is the man of row 0 of the sample sheet (photographed several
    // times), d and e two other people (rows 2 and 4).
    for (const [key, row, col] of [
      ['a', 0, 0],
      ['d', 2, 3],
      ['e', 4, 1],
    ] as const)
      await ok(
        'POST',
        `/api/persons/${people[key].id}/face`,
        'regulator',
        { image: b64(sampleFace(row, col)) },
        201,
      );
    // The examiners hold a 低压电工 certificate in force.
    for (const p of [examiner, examiner2])
      await ok(
        'POST',
        '/api/certificates',
        'authority',
        {
          kind: 'special_operation',
          personId: p.id,
          operationItemCode: '1.2',
          issuedOn: '2024-03-01',
        },
        201,
      );
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('imports the question bank from Excel only when every row is right, and offers the template', async () => {
    const template = await call('GET', '/api/exams/questions/template.xlsx', 'authority');
    expect(template.statusCode).toBe(200);
    expect(template.headers['content-type']).toContain('spreadsheetml');
    const sheets = readXlsx(template.rawPayload);
    expect(sheets[0].rows[0]).toEqual([...bankColumns]);
    // The template's own examples import as they are.
    expect(
      await ok('POST', '/api/exams/questions/import', 'authority', {
        file: template.rawPayload.toString('base64'),
      }),
    ).toEqual({ created: 3, updated: 0, total: 3 });

    const bad = await call('POST', '/api/exams/questions/import', 'authority', {
      file: bankFile([
        [
          '1.2',
          '多选',
          '全选就能得分吗？',
          '甲',
          '乙',
          '丙',
          null,
          null,
          null,
          null,
          null,
          'ABC',
          '触电急救',
          3,
        ],
        [
          '9.99',
          '单选',
          '不存在的作业类别',
          '甲',
          '乙',
          null,
          null,
          null,
          null,
          null,
          null,
          'A',
          '电工仪表',
          3,
        ],
        [
          '1.2',
          '问答',
          '题型不对',
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          'A',
          '电工仪表',
          3,
        ],
      ]),
    });
    expect(bad.statusCode).toBe(400);
    const details = bad.json().error.details as { row: number; column: string; message: string }[];
    expect(details.map((x) => [x.row, x.column])).toEqual([
      [97, '答案'],
      [98, '作业类别代码'],
      [99, '题型'],
    ]);
    expect(
      Number(
        (
          await t.db
            .selectFrom('question')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(3);

    expect(
      await ok('POST', '/api/exams/questions/import', 'authority', { file: bankFile() }),
    ).toEqual({ created: 95, updated: 0, total: 95 });
    // Importing again updates instead of duplicating.
    expect(
      await ok('POST', '/api/exams/questions/import', 'authority', { file: bankFile() }),
    ).toEqual({ created: 0, updated: 95, total: 95 });
    const exported = await call(
      'GET',
      '/api/exams/questions/export.xlsx?itemCode=1.2',
      'authority',
    );
    expect(readXlsx(exported.rawPayload)[0].rows).toHaveLength(1 + 98);
    // A worker cannot read the bank, keys included.
    expect((await call('GET', '/api/exams/questions', 'a')).statusCode).toBe(403);
  });

  it('builds a blueprint only from what the bank holds, and a plan with a session that respects 培考分离', async () => {
    const tooMany = await call('POST', '/api/exams/blueprints', 'authority', {
      ...blueprint,
      parts: [
        { kind: 'judge', knowledgePoint: null, count: 40, pointsEach: 1 },
        { kind: 'single', knowledgePoint: null, count: 60, pointsEach: 1 },
      ],
    });
    expect(tooMany.statusCode).toBe(422);
    expect(detailCodes(tooMany)).toEqual(['not_enough_questions', 'not_enough_questions']);
    const not100 = await call('POST', '/api/exams/blueprints', 'authority', {
      ...blueprint,
      parts: blueprint.parts.slice(1),
    });
    expect(not100.statusCode).toBe(400);
    const bp = await ok('POST', '/api/exams/blueprints', 'authority', blueprint, 201);
    expect(bp).toMatchObject({
      durationMinutes: exams.theoryMinutes.value,
      passMark: exams.passMark.value,
      available: [31, 25, 26, 16],
    });
    const plan = await ok(
      'POST',
      '/api/exams/plans',
      'authority',
      {
        certificateKind: 'special_operation',
        itemCode: '1.2',
        name: '2026年11月低压电工作业考试',
        blueprintId: bp.id,
      },
      201,
    );
    planId = plan.id;

    const session = {
      siteId: site.id,
      room: '第一考场',
      startsAt: bj(EXAM_DAY, '10:00').toISOString(),
      endsAt: bj(EXAM_DAY, '12:30').toISOString(),
      capacity: 30,
      invigilatorIds: [people.invigilator.id],
      examinerIds: [people.examiner.id, people.examiner2.id],
    };
    // A special operation's exam has a practical part: no session without an examiner.
    const noExaminer = await call('POST', `/api/exams/plans/${planId}/sessions`, 'authority', {
      ...session,
      examinerIds: [],
    });
    expect(noExaminer.statusCode).toBe(422);
    expect(detailCodes(noExaminer)).toEqual(['examiners_required']);
    // One person, one role in a session: the examiner cannot also invigilate (nor is on the site's
    // staff as an invigilator); a trainee on no staff list cannot invigilate at all.
    const twoHats = await call('POST', `/api/exams/plans/${planId}/sessions`, 'authority', {
      ...session,
      invigilatorIds: [people.invigilator.id, people.examiner.id],
    });
    expect(twoHats.statusCode).toBe(422);
    expect(detailCodes(twoHats).sort()).toEqual(['dual_role', 'not_on_staff']);
    const stranger = await call('POST', `/api/exams/plans/${planId}/sessions`, 'authority', {
      ...session,
      invigilatorIds: [people.b.id],
    });
    expect(stranger.statusCode).toBe(422);
    expect(detailCodes(stranger)).toEqual(['not_on_staff']);
    const mixed = await call('POST', `/api/exams/plans/${planId}/sessions`, 'authority', {
      ...session,
      invigilatorIds: [teacherId],
      examinerIds: [people.uncertified.id],
    });
    expect(mixed.statusCode).toBe(422);
    expect(detailCodes(mixed).sort()).toEqual([
      'examiner_not_certified',
      'training_exam_separation',
    ]);
    const atSchool = await call('POST', `/api/exams/plans/${planId}/sessions`, 'authority', {
      ...session,
      siteId: schoolSite.id,
    });
    expect(atSchool.statusCode).toBe(422);
    expect(detailCodes(atSchool)).toContain('training_exam_separation');
    // A site under 停业整顿 hosts no session (issue 15 point 6).
    const setSite = (status: 'active' | 'suspended') =>
      t.db.updateTable('organization').set({ status }).where('id', '=', site.id).execute();
    await setSite('suspended');
    const suspended = await call(
      'POST',
      `/api/exams/plans/${planId}/sessions`,
      'authority',
      session,
    );
    expect(suspended.statusCode).toBe(422);
    expect(detailCodes(suspended)).toContain('site_inactive');
    await setSite('active');
    const created = await ok(
      'POST',
      `/api/exams/plans/${planId}/sessions`,
      'authority',
      session,
      201,
    );
    sessionId = created.sessions[0].id;
    // The same staff cannot be in two sessions at once.
    const twice = await call('POST', `/api/exams/plans/${planId}/sessions`, 'authority', {
      ...session,
      room: '第二考场',
    });
    expect(detailCodes(twice)).toContain('staff_double_booked');
  });

  it('registers only eligible candidates, judged on the hours ledger, and freezes the evidence', async () => {
    const untrained = await call('POST', `/api/exams/plans/${planId}/registrations`, 'enterprise', {
      personId: people.b.id,
    });
    expect(untrained.statusCode).toBe(422);
    expect(detailCodes(untrained)).toEqual(['training_hours']);
    expect(untrained.json().error.message).toContain('有效学时不足');

    // A session beyond the 60 days of 30号令 第十三条 cannot take the application.
    const far = await ok(
      'POST',
      `/api/exams/plans/${planId}/sessions`,
      'authority',
      {
        siteId: site.id,
        room: '第一考场',
        startsAt: bj(
          addDays(EXAM_DAY, specialOperation.examWithinDays.value + 5),
          '10:00',
        ).toISOString(),
        endsAt: bj(
          addDays(EXAM_DAY, specialOperation.examWithinDays.value + 5),
          '12:30',
        ).toISOString(),
        capacity: 30,
        invigilatorIds: [people.invigilator.id],
        examinerIds: [people.examiner.id],
      },
      201,
    );
    const farSession = far.sessions.find((x: { id: string }) => x.id !== sessionId);
    const tooLate = await call('POST', `/api/exams/plans/${planId}/registrations`, 'a', {
      sessionId: farSession.id,
    });
    expect(tooLate.statusCode).toBe(422);
    expect(detailCodes(tooLate)).toEqual(['beyond_exam_window']);

    const mine = await ok('POST', `/api/exams/plans/${planId}/registrations`, 'a', {}, 201);
    expect(mine).toMatchObject({
      attempt: 1,
      theoryCarried: false,
      status: 'registered',
      sessionId,
      eligibility: { eligible: true },
    });
    expect(mine.eligibility.checks.map((c: { code: string }) => c.code)).toEqual([
      'age',
      'education',
      'training_hours',
      'revocation_ban',
      'already_certified',
      'pending_sitting',
      'retakes_exhausted',
    ]);
    expect(mine.eligibility.checks[2].evidence.classes[0]).toMatchObject({
      met: true,
      syllabusTheoryHours: 4,
      syllabusPracticalHours: 3,
    });
    reg.a = mine.id;
    expect(
      (await call('POST', `/api/exams/plans/${planId}/registrations`, 'a', {})).statusCode,
    ).toBe(409);
    reg.d = (
      await ok(
        'POST',
        `/api/exams/plans/${planId}/registrations`,
        'enterprise',
        { personId: people.d.id },
        201,
      )
    ).id;
    reg.e = (await ok('POST', `/api/exams/plans/${planId}/registrations`, 'e', {}, 201)).id;
    // Withdrawn before check-in, then registered again: the same registration, judged again.
    expect((await ok('POST', `/api/exams/registrations/${reg.e}/withdraw`, 'e')).status).toBe(
      'withdrawn',
    );
    // The withdrawal freed a seat; had a and d filled the session, e would find it full.
    const setCapacity = (capacity: number) =>
      t.db.updateTable('examSession').set({ capacity }).where('id', '=', sessionId).execute();
    await setCapacity(2);
    const full = await call('POST', `/api/exams/plans/${planId}/registrations`, 'e', { sessionId });
    expect(full.statusCode).toBe(422);
    expect(detailCodes(full)).toEqual(['session_full']);
    await setCapacity(30);
    expect(
      await ok('POST', `/api/exams/plans/${planId}/registrations`, 'e', {}, 201),
    ).toMatchObject({ id: reg.e, status: 'registered' });
    // Others do not see a's registration.
    expect((await call('GET', `/api/exams/registrations/${reg.a}`, 'd')).statusCode).toBe(404);
  });

  it('checks candidates in by face during the session only; a mismatch needs an invigilator override with a reason', async () => {
    at('08:30');
    const early = await call('POST', `/api/exams/registrations/${reg.a}/check-in`, 'invigilator', {
      image: b64(sampleFace(0, 3)),
    });
    expect(early.statusCode).toBe(422);
    expect(detailCodes(early)).toEqual(['outside_plan_time']);
    at('09:30');
    // Suspended after the session was planned: the session is not held there.
    await t.db
      .updateTable('organization')
      .set({ status: 'suspended' })
      .where('id', '=', site.id)
      .execute();
    const atSuspended = await call(
      'POST',
      `/api/exams/registrations/${reg.a}/check-in`,
      'invigilator',
      {
        image: b64(sampleFace(0, 3)),
      },
    );
    expect(atSuspended.statusCode).toBe(422);
    expect(detailCodes(atSuspended)).toEqual(['site_inactive']);
    await t.db
      .updateTable('organization')
      .set({ status: 'active' })
      .where('id', '=', site.id)
      .execute();
    // An override is for a failed face check, not instead of one.
    const unchecked = await call(
      'POST',
      `/api/exams/registrations/${reg.a}/check-in/override`,
      'invigilator',
      { reason: '考生称人脸识别太慢，要求直接放行' },
    );
    expect(unchecked.statusCode).toBe(422);
    expect(detailCodes(unchecked)).toEqual(['face_check_first']);
    expect(
      (
        await call('POST', `/api/exams/registrations/${reg.a}/check-in`, 'examiner', {
          image: b64(sampleFace(0, 3)),
        })
      ).statusCode,
    ).toBe(403);
    expect(
      await ok('POST', `/api/exams/registrations/${reg.a}/check-in`, 'invigilator', {
        image: b64(sampleFace(0, 3)),
      }),
    ).toMatchObject({ checkedIn: true, decision: 'match' });
    expect(
      await ok('POST', `/api/exams/registrations/${reg.d}/check-in`, 'invigilator', {
        image: b64(adjust(sampleFace(2, 3), 1.15, 8)),
      }),
    ).toMatchObject({ checkedIn: true, decision: 'match' });
    // Someone else (row 3) comes for e: refused, and the theory exam stays closed.
    const stranger = await ok('POST', `/api/exams/registrations/${reg.e}/check-in`, 'invigilator', {
      image: b64(sampleFace(3, 2)),
    });
    expect(stranger).toMatchObject({ checkedIn: false, decision: 'mismatch', overridable: true });
    // Both checks are in the faces log under the context the faces API names (faces.contract.ts).
    const checks = await t.db
      .selectFrom('faceVerification')
      .select(['context', 'decision'])
      .where('context', '=', 'exam_check_in')
      .execute();
    expect(checks.map((c) => c.decision).sort()).toEqual(['match', 'match', 'mismatch']);
    at('10:00');
    const closed = await call('POST', `/api/exams/registrations/${reg.e}/theory`, 'e');
    expect(detailCodes(closed)).toEqual(['not_checked_in']);
    expect(
      await ok('POST', `/api/exams/registrations/${reg.e}/check-in/override`, 'invigilator', {
        reason: '本人发型变化，核对身份证原件无误',
      }),
    ).toMatchObject({
      status: 'checked_in',
      overrideReason: '本人发型变化，核对身份证原件无误',
      checkinDecision: 'mismatch',
    });
  }, 60_000);

  const keyOf = async (attemptId: string) =>
    (
      await t.db
        .selectFrom('theoryAttempt')
        .select('paper')
        .where('id', '=', attemptId)
        .executeTakeFirstOrThrow()
    ).paper;

  it('gives each candidate their own paper without keys, autosaves every answer and survives a dropped connection', async () => {
    at('10:01');
    const paper = await ok('POST', `/api/exams/registrations/${reg.a}/theory`, 'a');
    attempt.a = { id: paper.id, token: paper.clientToken };
    expect(paper.questions).toHaveLength(70);
    expect(JSON.stringify(paper)).not.toMatch(/"answer"/);
    expect(paper.remainingSeconds).toBe(exams.theoryMinutes.value * 60);
    const other = await ok('POST', `/api/exams/registrations/${reg.d}/theory`, 'd');
    attempt.d = { id: other.id, token: other.clientToken };
    // The practical waits for a theory pass (d's paper is not even graded yet).
    const tooSoon = await call(
      'POST',
      `/api/exams/registrations/${reg.d}/practical/K1/start`,
      'examiner',
    );
    expect(tooSoon.statusCode).toBe(422);
    expect(detailCodes(tooSoon)).toEqual(['theory_not_passed']);
    expect(other.questions.map((q: { stem: string }) => q.stem)).not.toEqual(
      paper.questions.map((q: { stem: string }) => q.stem),
    );

    const key = await keyOf(attempt.a.id);
    const save = (position: number, choice: number[], token = attempt.a.token) =>
      call('PUT', `/api/exams/attempts/${attempt.a.id}/answers/${position}`, 'a', {
        clientToken: token,
        choice,
      });
    // Half the answers, then the network drops and the candidate reopens the exam.
    for (let i = 0; i < 35; i++) expect((await save(i, key[i].answer)).statusCode).toBe(200);
    at('10:20');
    const resumed = await ok('POST', `/api/exams/registrations/${reg.a}/theory`, 'a');
    expect(resumed.id).toBe(attempt.a.id);
    expect(resumed.answers).toHaveLength(35);
    expect(resumed.remainingSeconds).toBe(exams.theoryMinutes.value * 60 - 19 * 60);
    const stale = await save(35, key[35].answer);
    expect(stale.statusCode).toBe(409);
    expect(detailCodes(stale)).toEqual(['session_superseded']);
    attempt.a.token = resumed.clientToken;
    // Ticking every option of a multiple-choice question earns nothing.
    const multiples = key.map((q, i) => ({ q, i })).filter((x) => x.q.kind === 'multiple');
    for (let i = 35; i < 70; i++) {
      const choice =
        i === multiples[multiples.length - 1].i ? key[i].options.map((_, k) => k) : key[i].answer;
      expect((await save(i, choice)).statusCode).toBe(200);
    }
    // A wrong answer on the first judge question, corrected later: the last save counts.
    const judge = key.findIndex((q) => q.kind === 'judge');
    expect((await save(judge, [1 - key[judge].answer[0]])).statusCode).toBe(200);
    const submitted = await ok('POST', `/api/exams/attempts/${attempt.a.id}/submit`, 'a', {
      clientToken: attempt.a.token,
    });
    expect(submitted).toMatchObject({ score: 100 - 4 - 1, passed: true, autoSubmitted: false });
    expect((await save(0, key[0].answer)).statusCode).toBe(409);
  }, 60_000);

  it('submits by itself when time runs out, and the patrol can warn a candidate and cancel a score', async () => {
    const key = await keyOf(attempt.d.id);
    for (let i = 0; i < 70; i++)
      expect(
        (
          await call('PUT', `/api/exams/attempts/${attempt.d.id}/answers/${i}`, 'd', {
            clientToken: attempt.d.token,
            choice: key[i].answer,
          })
        ).statusCode,
      ).toBe(200);
    at('10:05');
    const e = await ok('POST', `/api/exams/registrations/${reg.e}/theory`, 'e');
    attempt.e = { id: e.id, token: e.clientToken };

    const board = await ok('GET', '/api/exams/patrol', 'regulator');
    const running = board.items.find((s: { id: string }) => s.id === sessionId);
    expect(
      running.candidates
        .map((c: { name: string; theoryState: string; answered: number }) => [
          c.name,
          c.theoryState,
          c.answered,
        ])
        .sort(),
    ).toEqual(
      [
        [people.a.name, 'submitted', 70],
        [people.d.name, 'running', 70],
        [people.e.name, 'running', 0],
      ].sort(),
    );
    await ok(
      'POST',
      `/api/exams/sessions/${sessionId}/patrol`,
      'regulator',
      { kind: 'warning', note: '考生左右张望，已提醒', registrationId: reg.e },
      201,
    );
    expect((await ok('GET', `/api/exams/attempts/${attempt.e.id}`, 'e')).warnings).toMatchObject([
      { kind: 'warning', note: '考生左右张望，已提醒' },
    ]);
    await ok(
      'POST',
      `/api/exams/sessions/${sessionId}/patrol`,
      'authority',
      { kind: 'cancel', note: '使用手机查询答案，取消本场成绩', registrationId: reg.e },
      201,
    );
    const afterCancel = await call('PUT', `/api/exams/attempts/${attempt.e.id}/answers/0`, 'e', {
      clientToken: attempt.e.token,
      choice: [0],
    });
    expect(afterCancel.statusCode).toBe(422);
    expect(detailCodes(afterCancel)).toEqual(['score_cancelled']);
    expect((await ok('GET', `/api/exams/registrations/${reg.e}`, 'e')).cancelledReason).toBe(
      '使用手机查询答案，取消本场成绩',
    );

    // d never presses submit: at the deadline the paper is graded as saved.
    at('12:02');
    const late = await call('PUT', `/api/exams/attempts/${attempt.d.id}/answers/0`, 'd', {
      clientToken: attempt.d.token,
      choice: [0],
    });
    expect(detailCodes(late)).toEqual(['time_up']);
    expect(await ok('GET', `/api/exams/attempts/${attempt.d.id}`, 'd')).toMatchObject({
      submitted: true,
      score: 100,
      remainingSeconds: 0,
    });
  }, 60_000);

  it('scores the practical one candidate at a time per examiner, every subject, with veto items failing the exam', async () => {
    at('12:05');
    const standard = practicalStandard('1.2')!;
    const a = await ok('GET', `/api/exams/registrations/${reg.a}`, 'examiner');
    expect(a.practical.map((p: { subjectCode: string }) => p.subjectCode)).toEqual(
      standard.subjects.map((s) => s.code),
    );
    for (const p of a.practical)
      expect(
        standard.subjects.find((s) => s.code === p.subjectCode)!.tasks.map((x) => x.code),
      ).toContain(p.taskCode);

    await ok('POST', `/api/exams/registrations/${reg.a}/practical/K1/start`, 'examiner');
    const busy = await call(
      'POST',
      `/api/exams/registrations/${reg.d}/practical/K1/start`,
      'examiner',
    );
    expect(busy.statusCode).toBe(409);
    expect(detailCodes(busy)).toEqual(['examiner_busy']);
    // The subject a colleague is scoring is theirs: the second examiner can neither take nor score it.
    const taken = await call(
      'POST',
      `/api/exams/registrations/${reg.a}/practical/K1/start`,
      'examiner2',
    );
    expect(taken.statusCode).toBe(409);
    expect(detailCodes(taken)).toEqual(['subject_taken']);
    const notMine = await call(
      'POST',
      `/api/exams/registrations/${reg.a}/practical/K1/score`,
      'examiner2',
      { points: 1 },
    );
    expect(notMine.statusCode).toBe(409);
    expect(detailCodes(notMine)).toEqual(['not_scoring']);
    const tooMuch = await call(
      'POST',
      `/api/exams/registrations/${reg.a}/practical/K1/score`,
      'examiner',
      { points: standard.subjects[0].weight + 1 },
    );
    expect(tooMuch.statusCode).toBe(400);
    const score = async (
      r: string,
      s: (typeof standard.subjects)[number],
      points: number,
      vetoItem: string | null = null,
    ) => {
      if (s.code !== 'K1' || r !== reg.a)
        await ok('POST', `/api/exams/registrations/${r}/practical/${s.code}/start`, 'examiner');
      return ok('POST', `/api/exams/registrations/${r}/practical/${s.code}/score`, 'examiner', {
        points,
        vetoItem,
      });
    };
    let last: { practicalScore: number | null; result: string | null } = {
      practicalScore: null,
      result: null,
    };
    for (const s of standard.subjects) last = await score(reg.a, s, s.weight * 0.9);
    expect(last).toMatchObject({ practicalScore: 90, result: 'pass' });
    // d earns nearly full points but fails a veto item.
    for (const s of standard.subjects)
      last = await score(reg.d, s, s.weight, s.code === 'K2' ? s.vetoItems[1] : null);
    expect(last).toMatchObject({
      practicalScore: 100,
      practicalVeto: standard.subjects[1].vetoItems[1],
      result: 'fail',
    });
    // Scored subjects are final.
    expect(
      (await call('POST', `/api/exams/registrations/${reg.a}/practical/K1/start`, 'examiner'))
        .statusCode,
    ).toBe(409);
  }, 60_000);

  it('publishes results after the session, shows them to candidates, and certifies a pass', async () => {
    expect((await ok('GET', `/api/exams/registrations/${reg.a}`, 'a')).result).toBeNull();
    const planView = await ok('GET', `/api/exams/plans/${planId}`, 'authority');
    const due = planView.sessions.find((x: { id: string }) => x.id === sessionId);
    expect(due).toMatchObject({
      resultsDueOn: addWorkingDays(EXAM_DAY, specialOperation.resultsWithinWorkingDays.value),
      resultsOverdue: false,
    });
    const early = await call('POST', `/api/exams/sessions/${sessionId}/publish`, 'authority');
    expect(detailCodes(early)).toEqual(['session_running']);
    at('12:31');
    expect(await ok('POST', `/api/exams/sessions/${sessionId}/publish`, 'authority')).toEqual({
      published: 3,
    });
    // The session is closed now: the desk takes no check-in, not even an override (422, named).
    for (const url of [
      `/api/exams/registrations/${reg.d}/check-in`,
      `/api/exams/registrations/${reg.d}/check-in/override`,
    ]) {
      const late = await call('POST', url, 'invigilator', {
        image: b64(sampleFace(2, 3)),
        reason: '考试结束后补签到',
      });
      expect(late.statusCode, url).toBe(422);
      expect(detailCodes(late), url).toEqual(['results_published']);
    }
    expect(await ok('GET', `/api/exams/registrations/${reg.a}`, 'a')).toMatchObject({
      result: 'pass',
      theoryScore: 95,
      practicalScore: 90,
      published: true,
    });
    expect((await ok('GET', `/api/exams/registrations/${reg.e}`, 'e')).result).toBe('cancelled');

    const refused = await call(
      'POST',
      `/api/exams/registrations/${reg.d}/certificate`,
      'authority',
    );
    expect(detailCodes(refused)).toEqual(['not_passed']);
    const cert = await ok(
      'POST',
      `/api/exams/registrations/${reg.a}/certificate`,
      'authority',
      undefined,
      201,
    );
    expect(cert.number).toBe(`T${people.a.idNumber}`);
    expect(
      (await call('POST', `/api/exams/registrations/${reg.a}/certificate`, 'authority')).statusCode,
    ).toBe(409);
    const check = await app.inject({
      method: 'GET',
      url: `/api/public/verify?number=${cert.number}&name=${encodeURIComponent(people.a.name)}`,
    });
    expect(check.json()).toMatchObject({ found: true });
    expect((await ok('GET', `/api/exams/registrations/${reg.a}`, 'a')).certificateId).toBe(cert.id);
  });

  it('lets the failed candidate retake once with the theory pass carried, and audits every step', async () => {
    at('13:00');
    const bp = (await ok('GET', '/api/exams/blueprints', 'authority')).items[0];
    const retake = await ok(
      'POST',
      '/api/exams/plans',
      'authority',
      {
        certificateKind: 'special_operation',
        itemCode: '1.2',
        name: '2026年12月低压电工作业补考',
        blueprintId: bp.id,
      },
      201,
    );
    await ok(
      'POST',
      `/api/exams/plans/${retake.id}/sessions`,
      'authority',
      {
        siteId: site.id,
        room: '第一考场',
        startsAt: bj('2026-12-10', '10:00').toISOString(),
        endsAt: bj('2026-12-10', '12:30').toISOString(),
        capacity: 10,
        invigilatorIds: [people.invigilator.id],
        examinerIds: [people.examiner.id],
      },
      201,
    );
    const again = await ok('POST', `/api/exams/plans/${retake.id}/registrations`, 'd', {}, 201);
    expect(again).toMatchObject({ attempt: 2, theoryCarried: true });
    const certified = await call('POST', `/api/exams/plans/${retake.id}/registrations`, 'a', {});
    expect(detailCodes(certified)).toEqual(['already_certified']);

    const actions = new Set(
      (
        await t.db
          .selectFrom('auditLog')
          .select('action')
          .where('action', 'like', 'exam.%')
          .execute()
      ).map((x) => x.action),
    );
    for (const a of [
      'exam.question.import',
      'exam.blueprint.create',
      'exam.plan.create',
      'exam.session.create',
      'exam.register',
      'exam.checkin',
      'exam.checkin.refused',
      'exam.checkin.override',
      'exam.theory.start',
      'exam.theory.resume',
      'exam.theory.submit',
      'exam.theory.autosubmit',
      'exam.practical.start',
      'exam.practical.score',
      'exam.patrol.warning',
      'exam.patrol.cancel',
      'exam.results.publish',
    ]) {
      expect(actions, a).toContain(a);
    }
  });

  it('publishes no result while a checked-in candidate is unscored, and certifies no pass older than its validity', async () => {
    // The retake on 2026-12-10: d checks in (theory carried) and the examiners have not scored yet.
    at('09:40', '2026-12-10');
    await relogin('authority', 'invigilator');
    const retake = (
      await t.db
        .selectFrom('examRegistration')
        .select('id')
        .where('personId', '=', people.d.id)
        .where('attempt', '=', 2)
        .executeTakeFirstOrThrow()
    ).id;
    expect(
      await ok('POST', `/api/exams/registrations/${retake}/check-in`, 'invigilator', {
        image: b64(adjust(sampleFace(2, 3), 1.15, 8)),
      }),
    ).toMatchObject({ checkedIn: true, decision: 'match' });
    const retakeSession = (
      await t.db
        .selectFrom('examRegistration')
        .select('sessionId')
        .where('id', '=', retake)
        .executeTakeFirstOrThrow()
    ).sessionId;
    at('12:31', '2026-12-10');
    const unscored = await call(
      'POST',
      `/api/exams/sessions/${retakeSession}/publish`,
      'authority',
    );
    expect(unscored.statusCode).toBe(422);
    expect(unscored.json().error.details).toMatchObject([
      { code: 'unscored', registrationId: retake },
    ]);

    // a's pass was published on the exam day at 12:31 Beijing time; it certifies for
    // exams.scoreValidMonths after that and not a day longer (a's certificate exists, so inside the
    // validity the answer is the duplicate, after it the expiry).
    const lastDay = addMonths(EXAM_DAY, exams.scoreValidMonths.value);
    at('12:00', lastDay);
    await relogin('authority');
    const inside = await call('POST', `/api/exams/registrations/${reg.a}/certificate`, 'authority');
    expect(inside.statusCode).toBe(409);
    at('13:00', lastDay);
    const expired = await call(
      'POST',
      `/api/exams/registrations/${reg.a}/certificate`,
      'authority',
    );
    expect(expired.statusCode).toBe(422);
    expect(detailCodes(expired)).toEqual(['score_expired']);
  }, 60_000);
});
