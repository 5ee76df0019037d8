import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../platform/http/routing.js';
import { buildTestApp } from '../../test-support/app.js';
import { createTestDatabase, loadRegions, type TestDatabase, testDatabaseModes } from '../../test-support/db.js';
import { buildOrganization, buildPerson, buildUser, loginCookie } from '../../test-support/factories.js';
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
    const rival = await buildOrganization(t.db, { kind: 'training_institution', regionCode: '370902' });
    trainee = await buildPerson(t.db);
    other = await buildPerson(t.db);
    cookie = await loginCookie(app, (await buildUser(t.db, { roles: ['training_institution'], organizationId: school.id })).username);
    const rivalCookie = await loginCookie(app, (await buildUser(t.db, { roles: ['training_institution'], organizationId: rival.id })).username);
    const room = await app.inject({ method: 'POST', url: `/api/organizations/${school.id}/rooms`, headers: { cookie }, payload: { name: '理论教室一', kind: 'theory', capacity: 80, areaM2: 130 } });
    expect(room.statusCode, room.body).toBe(201);
    const foreign = await app.inject({ method: 'POST', url: `/api/organizations/${school.id}/rooms`, headers: { cookie: rivalCookie }, payload: { name: 'x', kind: 'theory' } });
    expect(foreign.statusCode).toBe(403);
    const device = await app.inject({ method: 'POST', url: `/api/organizations/${school.id}/devices`, headers: { cookie }, payload: { roomId: room.json().id, kind: 'face_terminal', serial: 'FT-001', name: '一号考勤机' } });
    expect(device.statusCode, device.body).toBe(201);
    token = device.json().token;
    const camera = await app.inject({ method: 'POST', url: `/api/organizations/${school.id}/devices`, headers: { cookie }, payload: { roomId: room.json().id, kind: 'camera', serial: 'CAM-001', name: '广角摄像头' } });
    cameraToken = camera.json().token;
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const upload = (events: unknown[], bearer = token) => app.inject({ method: 'POST', url: '/api/devices/attendance', headers: { authorization: `Bearer ${bearer}` }, payload: { events } });
  const at = (msBeforeNow: number) => new Date(NOW.getTime() - msBeforeNow).toISOString();
  const countEvents = async () => Number((await t.db.selectFrom('attendanceEvent').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('accepts a batch and answers per event', async () => {
    const res = await upload([
      { eventId: 'e1', type: 'check_in', idNumber: trainee.idNumber, occurredAt: at(3600_000), matchScore: 0.93, liveness: 0.99 },
      { eventId: 'e2', type: 'random_check', idNumber: trainee.idNumber, occurredAt: at(1800_000), matchScore: 0.9 },
      { eventId: 'e3', type: 'check_out', idNumber: trainee.idNumber, occurredAt: at(60_000) },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 3, duplicates: 0, rejected: 0 });
    const rows = await t.db.selectFrom('attendanceEvent').select(['deviceEventId', 'personId', 'organizationId', 'matchScore']).orderBy('deviceEventId').execute();
    expect(rows.map((r) => r.deviceEventId)).toEqual(['e1', 'e2', 'e3']);
    expect(rows.every((r) => r.personId === trainee.id && r.organizationId === school.id)).toBe(true);
  });

  it('is idempotent: a retried batch creates nothing and says duplicate', async () => {
    const before = await countEvents();
    const res = await upload([
      { eventId: 'e1', type: 'check_in', idNumber: trainee.idNumber, occurredAt: at(3600_000) },
      { eventId: 'e4', type: 'check_in', idNumber: other.idNumber, occurredAt: at(3000_000) },
      { eventId: 'e4', type: 'check_in', idNumber: other.idNumber, occurredAt: at(3000_000) },
    ]);
    expect(res.json().results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'accepted', 'duplicate']);
    expect(await countEvents()).toBe(before + 1);
  });

  it('rejects bad events with a reason and still writes the good ones', async () => {
    const before = await countEvents();
    const res = await upload([
      { eventId: 'b1', type: 'teleport', idNumber: trainee.idNumber, occurredAt: at(1000) },
      { eventId: 'b2', type: 'check_in', idNumber: `${trainee.idNumber.slice(0, 17)}${trainee.idNumber[17] === '0' ? '1' : '0'}`, occurredAt: at(1000) },
      { eventId: 'b3', type: 'check_in', idNumber: trainee.idNumber, occurredAt: at(-(CLOCK_SKEW_MS + 60_000)) },
      { eventId: 'b4', type: 'check_in', idNumber: trainee.idNumber, occurredAt: at(BACKLOG_MAX_MS + 60_000) },
      { eventId: 'b5', type: 'check_in', idNumber: '370902199001011237', occurredAt: at(1000) },
      'not an object',
      { eventId: 'g1', type: 'check_in', idNumber: trainee.idNumber, occurredAt: at(1000), matchScore: 0.88 },
    ]);
    expect(res.statusCode).toBe(200);
    const reasons = res.json().results.map((r: { status: string; reason?: string }) => r.reason ?? r.status);
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
      const c = await loginCookie(app, (await buildUser(t.db, { roles: ['regulator'], organizationId: regulator.id })).username);
      return app.inject({ method: 'GET', url: `/api/organizations/${school.id}/rooms`, headers: { cookie: c } });
    };
    const near = await as('3709');
    expect(near.statusCode).toBe(200);
    expect(near.json().items.map((r: { name: string }) => r.name)).toEqual(['理论教室一']);
    expect((await as('3701')).statusCode).toBe(404);
    const room = await t.db.selectFrom('room').select('regionCode').executeTakeFirstOrThrow();
    expect(room.regionCode).toBe('370902');
  });

  it('takes uploads only from a face terminal token, and audits each batch', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/devices/attendance', payload: { events: [{}] } })).statusCode).toBe(401);
    expect((await upload([{ eventId: 'c1', type: 'check_in', idNumber: trainee.idNumber, occurredAt: at(1000) }], cameraToken)).statusCode).toBe(403);
    const asUser = await app.inject({ method: 'POST', url: '/api/devices/attendance', headers: { cookie }, payload: { events: [{ eventId: 'u1' }] } });
    expect(asUser.statusCode).toBe(403);
    const audits = await t.db.selectFrom('auditLog').select(['summary']).where('action', '=', 'attendance.upload').execute();
    expect(audits.map((a) => a.summary)).toEqual(['3 accepted, 0 duplicate, 0 rejected', '1 accepted, 2 duplicate, 0 rejected', '1 accepted, 0 duplicate, 6 rejected']);
  });
});
