import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../platform/http/routing.js';
import { buildTestApp } from '../test-support/app.js';
import { createTestDatabase, type TestDatabase, testDatabaseModes } from '../test-support/db.js';
import { cookieOf, seedTrustCity, type TrustCity, trustRefs } from '../test-support/trust-city.js';

/**
 * Issue 12 point 10: an imported record is held to the schema of the record the API creates. Found:
 * a registration imported with an eligibility of another shape (no `checks[].evidence`) made
 * GET /api/exams/registrations and /api/exams/sessions/:id/candidates answer 500 for everyone in the
 * region. Each malformed field is refused (400 naming section, index, ref and field) with nothing
 * written, and the reads keep answering; a record that clashes with a row already there (room name,
 * device serial, class code) answers 409 naming the record.
 */

const bundleOf = (sections: Record<string, unknown>) => ({
  format: 'zhenxun.bundle',
  version: 1,
  ...sections,
});

/** A second registration in the city's session, for a trainee, carrying `eligibility`. */
const registration = (eligibility: unknown, extra: Record<string, unknown> = {}) => ({
  ref: 'reg:imported',
  sessionRef: trustRefs.session,
  personRef: trustRefs.trainees[0],
  attempt: 1,
  eligibility,
  status: 'registered',
  ...extra,
});

const session = (s: Record<string, unknown>) => ({
  ref: 'online:imported',
  courseRef: trustRefs.courseB,
  personRef: trustRefs.trainees[1],
  startedAt: '2026-10-13T19:00:00+08:00',
  lastSeenAt: '2026-10-13T19:30:00+08:00',
  endedAt: '2026-10-13T19:30:00+08:00',
  ...s,
});

describe.each(testDatabaseModes)('imported records hold to the API schemas on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let city: TrustCity;
  let authority: string;
  let site: string;
  let regulator: string;
  beforeAll(async () => {
    t = await createTestDatabase(mode);
    city = await seedTrustCity(t.db);
    app = await buildTestApp(t);
    authority = await cookieOf(app, city, 'authority');
    site = await cookieOf(app, city, 'site');
    regulator = await cookieOf(app, city, 'cityRegulator');
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const importAs = (cookie: string, bundle: unknown) =>
    app.inject({
      method: 'POST',
      url: '/api/bundle/import',
      headers: { cookie },
      payload: bundle as object,
    });
  const registrations = async () =>
    Number(
      (
        await t.db
          .selectFrom('examRegistration')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const reads = async () => {
    const sessionId = city.ids.get(trustRefs.session)!;
    const out: number[] = [];
    for (const cookie of [authority, regulator, site])
      for (const url of [
        '/api/exams/registrations',
        `/api/exams/sessions/${sessionId}/candidates`,
      ]) {
        const res = await app.inject({ method: 'GET', url, headers: { cookie } });
        out.push(res.statusCode);
      }
    return out;
  };

  it('refuses an eligibility without checks[].evidence (400 naming the field); the reads keep answering 200', async () => {
    const before = await registrations();
    for (const eligibility of [
      { eligible: true, source: '其他系统' },
      { eligible: true, checks: [{ code: 'hours', passed: true, message: '学时足够' }] },
      { eligible: 'yes', checks: [] },
    ]) {
      const res = await importAs(
        regulator,
        bundleOf({ examRegistrations: [registration(eligibility)] }),
      );
      expect(res.statusCode, JSON.stringify(eligibility)).toBe(400);
      const body = res.json();
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details).toContainEqual(
        expect.objectContaining({
          section: 'examRegistrations',
          index: 0,
          ref: 'reg:imported',
          field: expect.stringMatching(/^eligibility\b/),
        }),
      );
    }
    expect(await registrations()).toBe(before);
    expect(await reads()).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('takes the eligibility the API itself stores, and the reads show it', async () => {
    const eligibility = {
      eligible: true,
      checks: [
        {
          code: 'training_hours',
          passed: true,
          message: '培训学时 48/48',
          evidence: { classes: ['B2026-01'] },
        },
      ],
      judgedAt: '2026-10-20T08:00:00.000Z',
      examDate: '2026-10-28',
    };
    const res = await importAs(
      regulator,
      bundleOf({ examRegistrations: [registration(eligibility, { ref: 'reg:well-formed' })] }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(await reads()).toEqual([200, 200, 200, 200, 200, 200]);
    const list = await app.inject({
      method: 'GET',
      url: '/api/exams/registrations',
      headers: { cookie: authority },
    });
    const mine = list
      .json()
      .items.find((r: { personId: string }) => r.personId === city.ids.get(trustRefs.trainees[0]));
    expect(mine.eligibility).toEqual({ eligible: true, checks: eligibility.checks });
  });

  it.each([
    [
      'a face decision the engine never makes',
      {
        onlineSessions: [
          session({
            faceChecks: [{ checkedAt: '2026-10-13T19:00:00+08:00', passed: true, decision: 'ok' }],
          }),
        ],
      },
      'onlineSessions',
      'faceChecks.0.decision',
    ],
    [
      'an end reason the API never writes',
      { onlineSessions: [session({ endReason: '看完了' })] },
      'onlineSessions',
      'endReason',
    ],
    [
      'a segment reason the API never writes',
      {
        onlineSessions: [
          session({
            segments: [
              {
                startsAt: '2026-10-13T19:00:00+08:00',
                endsAt: '2026-10-13T19:30:00+08:00',
                positionFrom: 0,
                positionTo: 1800,
                verified: false,
                reason: 'because',
              },
            ],
          }),
        ],
      },
      'onlineSessions',
      'segments.0.reason',
    ],
    [
      'a check-in decision the engine never makes',
      {
        examRegistrations: [
          registration({ eligible: true, checks: [] }, { checkinDecision: 'passed' }),
        ],
      },
      'examRegistrations',
      'checkinDecision',
    ],
    [
      'a practical subject outside the item standard',
      {
        practicalScores: [
          {
            ref: 'ps:x',
            registrationRef: trustRefs.registration,
            subjectCode: 'K9',
            taskCode: 'K9-1',
            points: 80,
          },
        ],
      },
      'practicalScores',
      'subjectCode',
    ],
    [
      'a practical task outside its subject',
      {
        practicalScores: [
          {
            ref: 'ps:y',
            registrationRef: trustRefs.registration,
            subjectCode: 'K1',
            taskCode: 'K4-99',
            points: 80,
          },
        ],
      },
      'practicalScores',
      'taskCode',
    ],
    [
      'practical points over the 100 of the exam',
      {
        practicalScores: [
          {
            ref: 'ps:z',
            registrationRef: trustRefs.registration,
            subjectCode: 'K1',
            taskCode: 'K11',
            points: 400,
          },
        ],
      },
      'practicalScores',
      'points',
    ],
    [
      'a blueprint part the API would refuse',
      {
        blueprints: [
          {
            ref: 'bp:huge',
            authorityRef: trustRefs.authority,
            itemCode: '1.2',
            name: '超大试卷',
            durationMinutes: 60,
            passMark: 1,
            parts: [{ kind: 'judge', knowledgePoint: null, count: 5000, pointsEach: 1 }],
          },
        ],
      },
      'blueprints',
      'parts.0.count',
    ],
    [
      'a revocation without a reason',
      {
        certificateEvents: [
          {
            ref: 'ev:x',
            certificateRef: 'cert:unknown',
            kind: 'revoke',
            occurredOn: '2026-11-01',
            recordedBy: '考务中心',
          },
        ],
      },
      'certificateEvents',
      'reason',
    ],
  ])('refuses %s, naming the record and field', async (_what, sections, section, field) => {
    const res = await importAs(regulator, bundleOf(sections));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.details).toContainEqual(
      expect.objectContaining({ section, index: 0, field }),
    );
    expect(await reads()).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it.each([
    [
      'a room name the school already uses',
      {
        rooms: [
          {
            ref: 'room:again',
            organizationRef: trustRefs.schoolB,
            name: '一号教室',
            kind: 'practical',
          },
        ],
      },
      'rooms',
      'room:again',
      'name',
      'room_name_taken',
    ],
    [
      'a device serial the school already registered',
      {
        devices: [
          {
            ref: 'dev:again',
            roomRef: trustRefs.roomB,
            kind: 'face_terminal',
            serial: 'B-T-1',
            name: '新考勤机',
          },
        ],
      },
      'devices',
      'dev:again',
      'serial',
      'device_serial_taken',
    ],
    [
      'a class code the school already uses',
      {
        classes: [
          {
            ref: 'class:again',
            organizationRef: trustRefs.schoolB,
            code: 'B2026-01',
            name: '低压电工作业初训（重复期号）',
            operationItemCode: '1.2',
            kind: 'initial',
            headTeacherRef: trustRefs.teacherB,
            startDate: '2026-11-02',
            endDate: '2026-11-20',
          },
        ],
      },
      'classes',
      'class:again',
      'code',
      'class_code_taken',
    ],
  ])(
    'answers 409 for %s, naming section, index and ref',
    async (_what, sections, section, ref, field, code) => {
      const res = await importAs(regulator, bundleOf(sections));
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().error.code).toBe('conflict');
      expect(res.json().error.details).toEqual([
        expect.objectContaining({ section, index: 0, ref, field, code }),
      ]);
    },
  );

  it('still links a record named by its ref instead of calling it a conflict', async () => {
    const res = await importAs(
      regulator,
      bundleOf({
        rooms: [
          {
            ref: trustRefs.roomB,
            organizationRef: trustRefs.schoolB,
            name: '一号教室',
            kind: 'theory',
          },
        ],
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().linked.rooms).toBe(1);
  });
});
