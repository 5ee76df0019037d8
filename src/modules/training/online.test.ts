import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  buildStaff,
  buildUser,
  loginCookie,
} from '../../test-support/factories.js';
import { buildClass, enrol } from '../../test-support/training-factories.js';
import { encodeJpeg, type RgbImage } from '../faces/face-engine.js';
import { sampleFace } from '../faces/faces.test-images.js';
import { IDLE_LIMIT_MS } from './online.rules.js';

const b64 = (img: RgbImage) => Buffer.from(encodeJpeg(img, 90)).toString('base64');
const REGION = '370902';

/**
 * Online learning through HTTP with the real face models: minutes count only after a passing check
 * of the learner's own face, a check that shows someone else voids the minutes since the last pass,
 * fast-forward and idle gaps do not count, and a second device ends the first session.
 */
describe.each(testDatabaseModes)('online learning with face checks on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let clock = new Date('2026-11-20T11:00:00Z');
  const tick = (seconds: number) => {
    clock = new Date(clock.getTime() + seconds * 1000);
  };
  const policy = policyValues(getPolicy(REGION, '2026-11-02'));
  let worker: string;
  let otherWorker: string;
  let institution: string;
  let classId: string;
  let courseId: string;
  let traineeId: string;

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    app = await buildTestApp(t, { now: () => clock });
    const school = await buildOrganization(t.db, {
      kind: 'training_institution',
      regionCode: REGION,
    });
    const company = await buildOrganization(t.db, { kind: 'enterprise', regionCode: REGION });
    const city = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const teacher = await buildPerson(t.db);
    await buildStaff(t.db, {
      personId: teacher.id,
      organizationId: school.id,
      regionCode: REGION,
      duty: 'teacher',
    });
    const trainee = await buildPerson(t.db);
    const outsider = await buildPerson(t.db);
    traineeId = trainee.id;
    await buildEmployment(t.db, {
      personId: trainee.id,
      organizationId: company.id,
      regionCode: REGION,
      post: 'general',
    });
    const cls = await buildClass(t.db, {
      organizationId: school.id,
      regionCode: REGION,
      headTeacherId: teacher.id,
      startDate: '2026-11-16',
      endDate: '2026-11-30',
    });
    classId = cls.id;
    await enrol(t.db, cls, trainee.id);
    institution = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['training_institution'], organizationId: school.id }))
        .username,
    );
    worker = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['worker'], personId: trainee.id })).username,
    );
    otherWorker = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['worker'], personId: outsider.id })).username,
    );
    const regulator = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['regulator'], organizationId: city.id })).username,
    );
    // The learner's face, enrolled from one photo of the man in row 0 of the library's sample sheet.
    const enrolled = await app.inject({
      method: 'POST',
      url: `/api/persons/${trainee.id}/face`,
      headers: { cookie: regulator },
      payload: { image: b64(sampleFace(0, 0)) },
    });
    expect(enrolled.statusCode, enrolled.body).toBe(201);
    const course = await app.inject({
      method: 'POST',
      url: `/api/classes/${classId}/courses`,
      headers: { cookie: institution },
      payload: {
        title: '安全生产法律法规',
        mediaKind: 'video',
        mediaUrl: 'https://media.example.invalid/law.mp4',
        durationSeconds: 7200,
      },
    });
    expect(course.statusCode, course.body).toBe(201);
    courseId = course.json().id;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const post = (url: string, payload: object, cookie = worker) =>
    app.inject({ method: 'POST', url, headers: { cookie }, payload });
  const verifiedMinutes = async () => {
    const rows = await t.db
      .selectFrom('onlineSegment')
      .select(['startsAt', 'endsAt'])
      .where('personId', '=', traineeId)
      .where('verified', '=', true)
      .execute();
    return rows.reduce((n, r) => n + (r.endsAt.getTime() - r.startsAt.getTime()) / 60_000, 0);
  };
  let session: string;
  let position = 0;
  const beat = async (seconds: number, advance = seconds, playing = true) => {
    tick(seconds);
    position += advance;
    const res = await post(`/api/online/sessions/${session}/heartbeat`, {
      positionSeconds: position,
      playing,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('counts nothing before the first face check, then minutes after a passing check of the same person', async () => {
    const start = await post('/api/online/sessions', { courseId });
    expect(start.statusCode, start.body).toBe(201);
    session = start.json().id;
    expect(start.json()).toMatchObject({
      checkRequired: true,
      faceCheckIntervalMinutes: policy.faceCheckIntervalMinutes,
    });
    expect(await beat(30)).toMatchObject({
      counted: false,
      reason: 'face_check_due',
      checkRequired: true,
    });

    // Another photo of the same man (column 3): the check passes.
    const check = await post(`/api/online/sessions/${session}/face-checks`, {
      image: b64(sampleFace(0, 3)),
    });
    expect(check.statusCode, check.body).toBe(200);
    expect(check.json()).toMatchObject({ decision: 'match', passed: true });
    for (let i = 0; i < 4; i++) expect((await beat(30)).counted).toBe(true);
    expect(await verifiedMinutes()).toBe(2);
  }, 60_000);

  it('refuses fast-forward and keeps the old position', async () => {
    const before = await verifiedMinutes();
    const res = await beat(30, 600);
    expect(res).toMatchObject({ counted: false, reason: 'fast_forward' });
    position -= 600;
    expect(res.positionSeconds).toBe(position);
    expect(await verifiedMinutes()).toBe(before);
  });

  it('voids the minutes since the last pass when the face is someone else', async () => {
    await post(`/api/online/sessions/${session}/face-checks`, { image: b64(sampleFace(0, 5)) });
    expect((await beat(30)).counted).toBe(true);
    expect((await beat(30)).counted).toBe(true);
    const counted = await verifiedMinutes();
    // A different person (row 3) sits down: what was counted since the last passing check is void.
    const check = await post(`/api/online/sessions/${session}/face-checks`, {
      image: b64(sampleFace(3, 2)),
    });
    expect(check.statusCode, check.body).toBe(200);
    expect(check.json().passed).toBe(false);
    expect(check.json().invalidatedSegments).toBeGreaterThanOrEqual(2);
    expect(await verifiedMinutes()).toBeLessThan(counted);
    expect(await beat(30)).toMatchObject({ counted: false, checkRequired: true });
  }, 60_000);

  it('locks after an idle gap until the next passing check', async () => {
    await post(`/api/online/sessions/${session}/face-checks`, { image: b64(sampleFace(0, 1)) });
    expect((await beat(30)).counted).toBe(true);
    const idle = await beat(IDLE_LIMIT_MS / 1000 + 60, 0);
    expect(idle).toMatchObject({
      counted: false,
      reason: 'idle',
      locked: true,
      checkRequired: true,
    });
    expect((await beat(30)).counted).toBe(false);
  }, 60_000);

  it('keeps one active session per person and lets nobody else touch it', async () => {
    expect(
      (
        await post(
          `/api/online/sessions/${session}/heartbeat`,
          { positionSeconds: position, playing: true },
          otherWorker,
        )
      ).statusCode,
    ).toBe(404);
    expect((await post('/api/online/sessions', { courseId }, otherWorker)).statusCode).toBe(404);
    const second = await post('/api/online/sessions', { courseId });
    expect(second.statusCode).toBe(201);
    expect(second.json().positionSeconds).toBe(position);
    const old = await post(`/api/online/sessions/${session}/heartbeat`, {
      positionSeconds: position,
      playing: true,
    });
    expect(old.statusCode).toBe(409);
    expect(old.json().error.details[0].code).toBe('session_superseded');
  });

  it('shows the worker their verified minutes and what they are worth; the ledger reads the same minutes', async () => {
    const mine = await app.inject({
      method: 'GET',
      url: '/api/me/courses',
      headers: { cookie: worker },
    });
    expect(mine.statusCode).toBe(200);
    const minutes = await verifiedMinutes();
    expect(mine.json().items[0]).toMatchObject({
      id: courseId,
      verifiedMinutes: minutes,
      onlineMinutesPerHour: policy.onlineMinutesPerHour,
    });
    const ledger = await app.inject({
      method: 'GET',
      url: `/api/classes/${classId}/ledger`,
      headers: { cookie: institution },
    });
    expect(ledger.json().items[0].onlineHours).toBe(
      Math.floor((minutes / policy.onlineMinutesPerHour) * 100 + 1e-9) / 100,
    );
    const audits = await t.db
      .selectFrom('auditLog')
      .select('action')
      .where('action', 'like', 'online.%')
      .execute();
    expect(new Set(audits.map((a) => a.action))).toEqual(
      new Set([
        'online.course.add',
        'online.session.start',
        'online.face_check',
        'online.session.lock',
      ]),
    );
  });
});
