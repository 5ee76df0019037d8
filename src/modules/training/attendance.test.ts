import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  buildUser,
  loginCookie,
} from '../../test-support/factories.js';
import { encodeJpeg, type RgbImage } from '../faces/face-engine.js';
import { sampleFace } from '../faces/faces.test-images.js';
import { adjust } from '../faces/image-ops.js';
import { MAX_FRAMES_PER_BATCH } from './attendance.contract.js';
import { BACKLOG_MAX_MS, CLOCK_SKEW_MS } from './attendance.rules.js';

const NOW = new Date('2026-11-20T02:00:00Z');

describe.each(testDatabaseModes)('attendance terminals on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let cookie: string;
  let token: string;
  let cameraToken: string;
  let school: { id: string };
  let trainee: { idNumber: string; id: string };
  let other: { idNumber: string };

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    app = await buildTestApp(t, { now: () => NOW });
    school = await buildOrganization(t.db, { kind: 'training_institution', regionCode: '370902' });
    const rival = await buildOrganization(t.db, {
      kind: 'training_institution',
      regionCode: '370902',
    });
    trainee = await buildPerson(t.db);
    other = await buildPerson(t.db);
    cookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['training_institution'], organizationId: school.id }))
        .username,
    );
    const rivalCookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['training_institution'], organizationId: rival.id }))
        .username,
    );
    const room = await app.inject({
      method: 'POST',
      url: `/api/organizations/${school.id}/rooms`,
      headers: { cookie },
      payload: { name: '理论教室一', kind: 'theory', capacity: 80, areaM2: 130 },
    });
    expect(room.statusCode, room.body).toBe(201);
    const foreign = await app.inject({
      method: 'POST',
      url: `/api/organizations/${school.id}/rooms`,
      headers: { cookie: rivalCookie },
      payload: { name: 'x', kind: 'theory' },
    });
    expect(foreign.statusCode).toBe(403);
    const device = await app.inject({
      method: 'POST',
      url: `/api/organizations/${school.id}/devices`,
      headers: { cookie },
      payload: {
        roomId: room.json().id,
        kind: 'face_terminal',
        serial: 'FT-001',
        name: '一号考勤机',
      },
    });
    expect(device.statusCode, device.body).toBe(201);
    token = device.json().token;
    const camera = await app.inject({
      method: 'POST',
      url: `/api/organizations/${school.id}/devices`,
      headers: { cookie },
      payload: { roomId: room.json().id, kind: 'camera', serial: 'CAM-001', name: '广角摄像头' },
    });
    cameraToken = camera.json().token;
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const upload = (events: unknown[], bearer = token) =>
    app.inject({
      method: 'POST',
      url: '/api/devices/attendance',
      headers: { authorization: `Bearer ${bearer}` },
      payload: { events },
    });
  const at = (msBeforeNow: number) => new Date(NOW.getTime() - msBeforeNow).toISOString();
  const countEvents = async () =>
    Number(
      (
        await t.db
          .selectFrom('attendanceEvent')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('accepts a batch and answers per event', async () => {
    const res = await upload([
      {
        eventId: 'e1',
        type: 'check_in',
        idNumber: trainee.idNumber,
        occurredAt: at(3600_000),
        matchScore: 0.93,
        liveness: 0.99,
      },
      {
        eventId: 'e2',
        type: 'random_check',
        idNumber: trainee.idNumber,
        occurredAt: at(1800_000),
        matchScore: 0.9,
      },
      { eventId: 'e3', type: 'check_out', idNumber: trainee.idNumber, occurredAt: at(60_000) },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 3, duplicates: 0, rejected: 0 });
    const rows = await t.db
      .selectFrom('attendanceEvent')
      .select(['deviceEventId', 'personId', 'organizationId', 'matchScore'])
      .orderBy('deviceEventId')
      .execute();
    expect(rows.map((r) => r.deviceEventId)).toEqual(['e1', 'e2', 'e3']);
    expect(rows.every((r) => r.personId === trainee.id && r.organizationId === school.id)).toBe(
      true,
    );
  });

  it('is idempotent: a retried batch creates nothing and says duplicate', async () => {
    const before = await countEvents();
    const res = await upload([
      { eventId: 'e1', type: 'check_in', idNumber: trainee.idNumber, occurredAt: at(3600_000) },
      { eventId: 'e4', type: 'check_in', idNumber: other.idNumber, occurredAt: at(3000_000) },
      { eventId: 'e4', type: 'check_in', idNumber: other.idNumber, occurredAt: at(3000_000) },
    ]);
    expect(res.json().results.map((r: { status: string }) => r.status)).toEqual([
      'duplicate',
      'accepted',
      'duplicate',
    ]);
    expect(await countEvents()).toBe(before + 1);
  });

  it('rejects bad events with a reason and still writes the good ones', async () => {
    const before = await countEvents();
    const res = await upload([
      { eventId: 'b1', type: 'teleport', idNumber: trainee.idNumber, occurredAt: at(1000) },
      {
        eventId: 'b2',
        type: 'check_in',
        idNumber: `${trainee.idNumber.slice(0, 17)}${trainee.idNumber[17] === '0' ? '1' : '0'}`,
        occurredAt: at(1000),
      },
      {
        eventId: 'b3',
        type: 'check_in',
        idNumber: trainee.idNumber,
        occurredAt: at(-(CLOCK_SKEW_MS + 60_000)),
      },
      {
        eventId: 'b4',
        type: 'check_in',
        idNumber: trainee.idNumber,
        occurredAt: at(BACKLOG_MAX_MS + 60_000),
      },
      { eventId: 'b5', type: 'check_in', idNumber: '370902199001011237', occurredAt: at(1000) },
      'not an object',
      {
        eventId: 'g1',
        type: 'check_in',
        idNumber: trainee.idNumber,
        occurredAt: at(1000),
        matchScore: 0.88,
      },
    ]);
    expect(res.statusCode).toBe(200);
    const reasons = res
      .json()
      .results.map((r: { status: string; reason?: string }) => r.reason ?? r.status);
    expect(reasons[0]).toBe('invalid');
    expect(reasons[1]).toBe('invalid_id_number');
    expect(reasons[2]).toBe('in_future');
    expect(reasons[3]).toBe('too_old');
    expect(['unknown_person', 'invalid_id_number']).toContain(reasons[4]);
    expect(reasons[5]).toBe('invalid');
    expect(reasons[6]).toBe('accepted');
    expect(await countEvents()).toBe(before + 1);
  });

  it('shows the rooms of an institution only inside its jurisdiction', async () => {
    const as = async (regionCode: string) => {
      const regulator = await buildOrganization(t.db, { kind: 'regulator', regionCode });
      const c = await loginCookie(
        app,
        (await buildUser(t.db, { roles: ['regulator'], organizationId: regulator.id })).username,
      );
      return app.inject({
        method: 'GET',
        url: `/api/organizations/${school.id}/rooms`,
        headers: { cookie: c },
      });
    };
    const near = await as('3709');
    expect(near.statusCode).toBe(200);
    expect(near.json().items.map((r: { name: string }) => r.name)).toEqual(['理论教室一']);
    expect((await as('3701')).statusCode).toBe(404);
    const room = await t.db.selectFrom('room').select('regionCode').executeTakeFirstOrThrow();
    expect(room.regionCode).toBe('370902');
  });

  it('takes uploads only from a face terminal token, and audits each batch', async () => {
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/devices/attendance',
          payload: { events: [{}] },
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await upload(
          [{ eventId: 'c1', type: 'check_in', idNumber: trainee.idNumber, occurredAt: at(1000) }],
          cameraToken,
        )
      ).statusCode,
    ).toBe(403);
    const asUser = await app.inject({
      method: 'POST',
      url: '/api/devices/attendance',
      headers: { cookie },
      payload: { events: [{ eventId: 'u1' }] },
    });
    expect(asUser.statusCode).toBe(403);
    const audits = await t.db
      .selectFrom('auditLog')
      .select(['summary'])
      .where('action', '=', 'attendance.upload')
      .execute();
    expect(audits.map((a) => a.summary)).toEqual([
      '3 accepted, 0 duplicate, 0 rejected',
      '1 accepted, 2 duplicate, 0 rejected',
      '1 accepted, 0 duplicate, 6 rejected',
    ]);
  });

  it('verifies the frames a terminal sends with its own engine, keeps both checks apart, and refuses a batch with too many frames', async () => {
    const regulator = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const employer = await buildOrganization(t.db, { kind: 'enterprise', regionCode: '370902' });
    await buildEmployment(t.db, {
      personId: trainee.id,
      organizationId: employer.id,
      regionCode: '370902',
      post: 'special_operator',
      operationItemCode: '1.2',
    });
    const rc = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['regulator'], organizationId: regulator.id })).username,
    );
    const jpeg = (img: RgbImage) => Buffer.from(encodeJpeg(img, 90)).toString('base64');
    const enrolled = await app.inject({
      method: 'POST',
      url: `/api/persons/${trainee.id}/face`,
      headers: { cookie: rc },
      payload: { image: jpeg(sampleFace(2, 3)) },
    });
    expect(enrolled.statusCode, enrolled.body).toBe(201);

    const res = await upload([
      {
        eventId: 'f1',
        type: 'check_in',
        idNumber: trainee.idNumber,
        occurredAt: at(50_000),
        matchScore: 0.97,
        frame: jpeg(adjust(sampleFace(2, 3), 1.1, 5)),
      },
      // The terminal claims a match, but the frame shows somebody else: proxy sign-in.
      {
        eventId: 'f2',
        type: 'random_check',
        idNumber: trainee.idNumber,
        occurredAt: at(40_000),
        matchScore: 0.95,
        frame: jpeg(sampleFace(3, 2)),
      },
      {
        eventId: 'f3',
        type: 'check_in',
        idNumber: other.idNumber,
        occurredAt: at(30_000),
        matchScore: 0.9,
        frame: jpeg(sampleFace(1, 1)),
      },
      {
        eventId: 'f4',
        type: 'check_in',
        idNumber: trainee.idNumber,
        occurredAt: at(20_000),
        frame: Buffer.from('GIF89a not a jpeg').toString('base64'),
      },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    const results = res.json().results as {
      status: string;
      reason?: string;
      platformFace?: { decision: string; score: number | null };
    }[];
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'rejected']);
    expect(results[0].platformFace?.decision).toBe('match');
    expect(results[1].platformFace?.decision).toBe('mismatch');
    expect(results[2].platformFace).toEqual({
      decision: 'not_enrolled',
      score: null,
      reasons: ['not_enrolled'],
    });
    expect(results[3].reason).toBe('invalid_frame');

    // Each verified event points at the platform's verification; the terminal's own score stays on the event.
    const events = await t.db
      .selectFrom('attendanceEvent as e')
      .leftJoin('faceVerification as v', 'v.id', 'e.faceVerificationId')
      .select(['e.deviceEventId', 'e.matchScore', 'v.source', 'v.context', 'v.decision'])
      .where('e.deviceEventId', 'in', ['f1', 'f2', 'f3'])
      .orderBy('e.deviceEventId')
      .execute();
    expect(events.map((e) => [e.deviceEventId, e.source, e.context, e.decision])).toEqual([
      ['f1', 'platform', 'attendance_terminal', 'match'],
      ['f2', 'platform', 'attendance_terminal', 'mismatch'],
      ['f3', null, null, null],
    ]);

    // The person's log shows both kinds, told apart by source.
    const log = await app.inject({
      method: 'GET',
      url: `/api/persons/${trainee.id}/face/verifications`,
      headers: { cookie: rc },
    });
    expect(log.statusCode, log.body).toBe(200);
    const items = log.json().items as {
      source: string;
      decision: string;
      score: number | null;
      reasons: string[];
    }[];
    const device = items.filter((i) => i.source === 'device');
    const platform = items.filter((i) => i.source === 'platform');
    expect(device.map((d) => d.score).sort()).toEqual([0.88, 0.9, 0.93, 0.95, 0.97]);
    expect(
      device.every((d) => d.decision === 'match' && d.reasons.includes('device_reported')),
    ).toBe(true);
    expect(platform.map((p) => p.decision).sort()).toEqual(['match', 'mismatch']);

    const before = await countEvents();
    const tooMany = await upload(
      Array.from({ length: MAX_FRAMES_PER_BATCH + 1 }, (_, i) => ({
        eventId: `m${i}`,
        type: 'check_in',
        idNumber: trainee.idNumber,
        occurredAt: at(10_000),
        frame: jpeg(sampleFace(2, 3)),
      })),
    );
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.message).toContain(String(MAX_FRAMES_PER_BATCH));
    expect(await countEvents()).toBe(before);
  }, 60_000);
});
