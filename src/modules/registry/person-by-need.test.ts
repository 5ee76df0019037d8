import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../platform/http/routing.js';
import { buildTestApp } from '../../test-support/app.js';
import { createTestDatabase, type TestDatabase, testDatabaseModes } from '../../test-support/db.js';
import {
  cookieOf,
  seedTrustCity,
  type TrustCity,
  trustPerson,
  trustRefs,
} from '../../test-support/trust-city.js';

/**
 * Issue 12 point 2, the exploit as found: an organization posts an employment (or a staff duty) with
 * someone's ID number and name, gets 201, and GET /api/persons/{id} then showed the full ID number, the
 * phone and every employer. Now the link awaits the person: until they confirm it the organization sees
 * the name, a masked ID number and its own link — no phone, no other employer or duty.
 */
describe.each(testDatabaseModes)('person data by need on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let city: TrustCity;
  const electrician = trustPerson(trustRefs.electrician);
  const teacher = trustPerson(trustRefs.teacherA);
  beforeAll(async () => {
    t = await createTestDatabase(mode);
    city = await seedTrustCity(t.db);
    app = await buildTestApp(t);
    await t.db
      .updateTable('person')
      .set({ phone: '13800000006' })
      .where('id', '=', city.ids.get(trustRefs.electrician)!)
      .execute();
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const as = async (who: Parameters<typeof cookieOf>[2]) => ({
    cookie: await cookieOf(app, city, who),
  });
  const file = async (who: Parameters<typeof cookieOf>[2], personRef: string) =>
    app.inject({
      method: 'GET',
      url: `/api/persons/${city.ids.get(personRef)}`,
      headers: await as(who),
    });

  it('an enterprise that names a teacher of a school as its employee sees a masked file, its own employment only', async () => {
    const linked = await app.inject({
      method: 'POST',
      url: `/api/organizations/${city.ids.get(trustRefs.company)}/employments`,
      headers: await as('company'),
      payload: {
        post: 'safety_manager',
        startDate: '2026-11-01',
        person: { idNumber: teacher.idNumber, name: teacher.name },
      },
    });
    expect(linked.statusCode, linked.body).toBe(201);
    const res = await file('company', trustRefs.teacherA);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.idNumber).not.toBe(teacher.idNumber);
    expect(body.idNumber).toMatch(/\*/);
    expect(body.phone).toBeNull();
    expect(body.duties).toEqual([]);
    expect(body.employments.map((e: { organizationId: string }) => e.organizationId)).toEqual([
      city.ids.get(trustRefs.company),
    ]);
    // The school that employs the teacher through a confirmed duty still sees the whole file.
    const school = (await file('schoolA', trustRefs.teacherA)).json();
    expect(school.idNumber).toBe(teacher.idNumber);
    expect(school.employments).toHaveLength(1);
  });

  it('a school that names the company electrician as its staff sees no phone and no employer until he confirms', async () => {
    const linked = await app.inject({
      method: 'POST',
      url: `/api/organizations/${city.ids.get(trustRefs.schoolA)}/staff`,
      headers: await as('schoolA'),
      payload: {
        duty: 'teacher',
        operationItems: ['1.2'],
        startDate: '2026-11-01',
        person: { idNumber: electrician.idNumber, name: electrician.name },
      },
    });
    expect(linked.statusCode, linked.body).toBe(201);
    const before = (await file('schoolA', trustRefs.electrician)).json();
    expect(before).toMatchObject({ phone: null, employments: [] });
    expect(before.idNumber).not.toBe(electrician.idNumber);
    expect(before.duties).toHaveLength(1);

    // Someone else cannot confirm it for him; he can.
    const byCompany = await app.inject({
      method: 'POST',
      url: `/api/staff/${linked.json().id}/confirm`,
      headers: await as('company'),
    });
    expect(byCompany.statusCode).toBe(403);
    const confirmed = await app.inject({
      method: 'POST',
      url: `/api/staff/${linked.json().id}/confirm`,
      headers: await as('worker'),
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const after = (await file('schoolA', trustRefs.electrician)).json();
    expect(after).toMatchObject({ idNumber: electrician.idNumber, phone: '13800000006' });
    expect(after.employments).toHaveLength(1);
    const audit = await t.db
      .selectFrom('auditLog')
      .select('action')
      .where('action', '=', 'staff.confirm')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('the company keeps the whole file of its own electrician (a confirmed employment)', async () => {
    const body = (await file('company', trustRefs.electrician)).json();
    expect(body).toMatchObject({ idNumber: electrician.idNumber, phone: '13800000006' });
  });
});
