import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPolicy } from '../../catalog/policy.js';
import type { App } from '../../platform/http/routing.js';
import { buildTestApp } from '../../test-support/app.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import {
  buildOrganization,
  buildPerson,
  buildStaff,
  buildUser,
  loginCookie,
} from '../../test-support/factories.js';

/** 10:00 in Beijing on 2026-11-20 (Shandong's rule has been in force since 2024-11-01). */
const NOW = new Date('2026-11-20T02:00:00Z');
const TODAY = '2026-11-20';
const SHANDONG = '370902';
/** A region outside Shandong: no rule makes the registration check a condition of opening a class. */
const JIANGSU = '320102';

/**
 * Issue 11 point 4: an institution that fails the AQ 8011 registration check cannot open a new class
 * where the policy in force says so (Shandong: 未经信息登记不得新开展培训业务); the refusal names the
 * failing conditions; a regulator's audited decision, valid for stated days, lets it open one.
 */
describe.each(testDatabaseModes)('opening a class needs the registration check on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let school: { id: string };
  let outside: { id: string };
  let teacher: { id: string };
  let schoolCookie: string;
  let outsideCookie: string;
  let regulatorCookie: string;
  let otherRegulatorCookie: string;
  let n = 0;

  const call = (method: 'GET' | 'POST', url: string, cookie: string, payload?: object) =>
    app.inject({ method, url, headers: { cookie }, payload });
  const openClass = (cookie: string) =>
    call('POST', '/api/classes', cookie, {
      code: `G-${++n}`,
      name: '低压电工作业初训',
      operationItemCode: '1.2',
      kind: 'initial',
      headTeacherId: teacher.id,
      startDate: '2026-11-23',
      endDate: '2026-12-04',
    });

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db, '37');
    await t.db
      .insertInto('region')
      .values([
        { code: '32', name: '江苏省', level: 1, parentCode: null },
        { code: '3201', name: '南京市', level: 2, parentCode: '32' },
        { code: JIANGSU, name: '玄武区', level: 3, parentCode: '3201' },
      ])
      .execute();
    app = await buildTestApp(t, { now: () => NOW });
    // No declared facilities and one teacher: the check fails on managers, teachers and premises.
    school = await buildOrganization(t.db, { kind: 'training_institution', regionCode: SHANDONG });
    outside = await buildOrganization(t.db, { kind: 'training_institution', regionCode: JIANGSU });
    teacher = await buildPerson(t.db, { name: '王教师' });
    for (const org of [school, outside])
      await buildStaff(t.db, {
        personId: teacher.id,
        organizationId: org.id,
        regionCode: org === school ? SHANDONG : JIANGSU,
        duty: 'teacher',
        practiceYears: 10,
        operationItems: ['1.2'],
      });
    const city = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const jinan = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3701' });
    schoolCookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['training_institution'], organizationId: school.id }))
        .username,
    );
    outsideCookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['training_institution'], organizationId: outside.id }))
        .username,
    );
    regulatorCookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['regulator'], organizationId: city.id })).username,
    );
    otherRegulatorCookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['regulator'], organizationId: jinan.id })).username,
    );
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('is a policy parameter with its legal basis: Shandong requires it, the nation does not', () => {
    const shandong = getPolicy(SHANDONG, TODAY).figures.newClassRequiresRegistration;
    expect(shandong.value).toBe(true);
    expect(shandong.source).toContain('未经省厅信息登记的不得新开展培训业务');
    expect(getPolicy(JIANGSU, TODAY).figures.newClassRequiresRegistration.value).toBe(false);
  });

  it('refuses a failing institution with the failing conditions, one detail each', async () => {
    const check = (
      await call('GET', `/api/organizations/${school.id}/registration-check`, regulatorCookie)
    ).json();
    expect(check.passed).toBe(false);
    const blocking = (check.findings as { code: string; severity: string; message: string }[])
      .filter((f) => f.severity === 'blocking')
      .map((f) => ({ code: f.code, message: f.message }));
    expect(blocking.length).toBeGreaterThan(1);

    const res = await openClass(schoolCookie);
    expect(res.statusCode, res.body).toBe(422);
    const error = res.json().error;
    expect(error.code).toBe('rule_violation');
    expect(error.message).toContain('信息登记核查');
    expect(
      (error.details as { code: string; message: string }[]).map((d) => ({
        code: d.code,
        message: d.message,
      })),
    ).toEqual(blocking);
    expect(await t.db.selectFrom('trainingClass').select('id').execute()).toHaveLength(0);

    const detail = (await call('GET', `/api/organizations/${school.id}`, regulatorCookie)).json();
    expect(detail.newClassGate).toMatchObject({
      required: true,
      allowed: false,
      exemptionId: null,
    });
  });

  it('lets an institution outside a region with the rule open a class despite a failing check', async () => {
    const check = (
      await call('GET', `/api/organizations/${outside.id}/registration-check`, outsideCookie)
    ).json();
    expect(check.passed).toBe(false);
    const res = await openClass(outsideCookie);
    expect(res.statusCode, res.body).toBe(201);
  });

  it('a regulator’s decision allows it for its days, audited; revoked, the door closes again', async () => {
    const decision = {
      decision: '泰应急函〔2026〕88号',
      reason: '整改期间已招收学员，准予按计划开班',
      validFrom: TODAY,
      validTo: '2026-11-30',
    };
    // Only a regulator, and only over its own jurisdiction.
    expect(
      (
        await call(
          'POST',
          `/api/organizations/${school.id}/registration-exemptions`,
          schoolCookie,
          decision,
        )
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await call(
          'POST',
          `/api/organizations/${school.id}/registration-exemptions`,
          otherRegulatorCookie,
          decision,
        )
      ).statusCode,
    ).toBe(404);
    const backwards = await call(
      'POST',
      `/api/organizations/${school.id}/registration-exemptions`,
      regulatorCookie,
      { ...decision, validTo: '2026-11-19' },
    );
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.details[0].path).toBe('body.validTo');

    // A decision valid only from next week does not open the door today.
    const later = await call(
      'POST',
      `/api/organizations/${school.id}/registration-exemptions`,
      regulatorCookie,
      { ...decision, validFrom: '2026-11-27' },
    );
    expect(later.statusCode, later.body).toBe(201);
    expect(later.json().inForce).toBe(false);
    expect((await openClass(schoolCookie)).statusCode).toBe(422);

    const granted = await call(
      'POST',
      `/api/organizations/${school.id}/registration-exemptions`,
      regulatorCookie,
      decision,
    );
    expect(granted.statusCode, granted.body).toBe(201);
    expect(granted.json()).toMatchObject({ ...decision, inForce: true, revokedAt: null });
    const audit = await t.db
      .selectFrom('auditLog')
      .select(['action', 'entityId'])
      .where('action', '=', 'organization.registration_exemption')
      .execute();
    expect(audit.map((a) => a.entityId)).toContain(granted.json().id);

    const opened = await openClass(schoolCookie);
    expect(opened.statusCode, opened.body).toBe(201);
    const detail = (await call('GET', `/api/organizations/${school.id}`, regulatorCookie)).json();
    expect(detail.newClassGate).toMatchObject({ allowed: true, exemptionId: granted.json().id });
    expect(detail.registrationExemptions).toHaveLength(2);

    const revoked = await call(
      'POST',
      `/api/organizations/${school.id}/registration-exemptions/${granted.json().id}/revoke`,
      regulatorCookie,
      { reason: '复核仍不达标' },
    );
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().inForce).toBe(false);
    expect((await openClass(schoolCookie)).statusCode).toBe(422);
  });
});
