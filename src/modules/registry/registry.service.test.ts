import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../platform/audit/audit.js';
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
import { creditCodeCheckChar, makeCreditCode, makeIdNumber } from './identifiers.rules.js';

describe.each(testDatabaseModes)('registry use-cases on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let regulator: string;
  let siteUser: string;
  let site: { id: string };
  let institution: { id: string };
  let enterprise: { id: string };
  let enterpriseUser: string;

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    app = await buildTestApp(t);
    const reg = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    regulator = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['regulator'], organizationId: reg.id })).username,
    );
    site = await buildOrganization(t.db, { kind: 'exam_site', regionCode: '370911' });
    siteUser = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['exam_site'], organizationId: site.id })).username,
    );
    institution = await buildOrganization(t.db, {
      kind: 'training_institution',
      regionCode: '370902',
    });
    enterprise = await buildOrganization(t.db, {
      kind: 'enterprise',
      regionCode: '370902',
      industry: 'hazardous_chemicals',
      highRisk: true,
    });
    enterpriseUser = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['enterprise'], organizationId: enterprise.id })).username,
    );
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const post = (cookie: string, url: string, payload: unknown) =>
    app.inject({ method: 'POST', url, headers: { cookie }, payload: payload as object });
  const auditCount = async () =>
    Number(
      (
        await t.db
          .selectFrom('auditLog')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses a credit code with a wrong check character, naming the field', async () => {
    const good = makeCreditCode({
      authority: '9',
      orgType: '1',
      regionCode6: '370902',
      serial9: '123456789',
    });
    const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const res = await post(regulator, '/api/organizations', {
      kind: 'enterprise',
      name: '校验码错误公司',
      creditCode: wrongCheck,
      regionCode: '370902',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.creditCode');
    expect(creditCodeCheckChar(good.slice(0, 17))).toBe(good[17]);
  });

  it('registers an organization once, derives high-risk from the industry, and audits it', async () => {
    const creditCode = makeCreditCode({
      authority: '9',
      orgType: '1',
      regionCode6: '370911',
      serial9: '555000111',
    });
    const before = await auditCount();
    const res = await post(regulator, '/api/organizations', {
      kind: 'enterprise',
      name: '泰安市测试烟花有限公司',
      creditCode,
      regionCode: '370911',
      industry: 'fireworks',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().highRisk).toBe(true);
    expect(await auditCount()).toBe(before + 1);
    const again = await post(regulator, '/api/organizations', {
      kind: 'enterprise',
      name: '重复',
      creditCode,
      regionCode: '370911',
    });
    expect(again.statusCode).toBe(409);
    expect(await auditCount()).toBe(before + 1);
  });

  it('requires the region to exist', async () => {
    const creditCode = makeCreditCode({
      authority: '9',
      orgType: '1',
      regionCode6: '370999',
      serial9: '555000112',
    });
    const res = await post(regulator, '/api/organizations', {
      kind: 'enterprise',
      name: '不存在区划公司',
      creditCode,
      regionCode: '370999',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.regionCode');
  });

  it('derives birth date and gender from the ID number and keeps one file per person', async () => {
    const idNumber = makeIdNumber({
      regionCode6: '370983',
      birthDate: '1979-02-28',
      sequence: 457,
    });
    const first = await post(enterpriseUser, `/api/organizations/${enterprise.id}/employments`, {
      post: 'special_operator',
      operationItemCode: '1.2',
      startDate: '2025-03-01',
      person: { idNumber, name: '王建国' },
    });
    expect(first.statusCode, first.body).toBe(201);
    const file = await app.inject({
      method: 'GET',
      url: `/api/persons/${first.json().personId}`,
      headers: { cookie: enterpriseUser },
    });
    expect(file.json()).toMatchObject({
      birthDate: '1979-02-28',
      gender: 'male',
      idNumber,
      name: '王建国',
    });
    const second = await post(enterpriseUser, `/api/organizations/${enterprise.id}/employments`, {
      post: 'in_house_trainer',
      startDate: '2025-04-01',
      person: { idNumber, name: '王建国' },
    });
    expect(second.json().personId).toBe(first.json().personId);
    const mismatch = await post(enterpriseUser, `/api/organizations/${enterprise.id}/employments`, {
      post: 'general',
      startDate: '2025-04-01',
      person: { idNumber, name: '李四' },
    });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().error.details[0].path).toBe('body.person.name');
  });

  it('requires an operation item for a special operator and refuses unknown items', async () => {
    const idNumber = makeIdNumber({ regionCode6: '370902', birthDate: '1990-05-05', sequence: 12 });
    const none = await post(enterpriseUser, `/api/organizations/${enterprise.id}/employments`, {
      post: 'special_operator',
      startDate: '2025-03-01',
      person: { idNumber, name: '赵六' },
    });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.details[0].path).toBe('body.operationItemCode');
    const unknown = await post(enterpriseUser, `/api/organizations/${enterprise.id}/employments`, {
      post: 'special_operator',
      operationItemCode: '99.9',
      startDate: '2025-03-01',
      person: { idNumber, name: '赵六' },
    });
    expect(unknown.statusCode).toBe(400);
    const persons = await t.db
      .selectFrom('person')
      .select('id')
      .where('idNumber', '=', idNumber)
      .execute();
    expect(persons).toEqual([]);
  });

  it('refuses an exam duty for a teacher of a training institution (培考分离)', async () => {
    const teacher = await buildPerson(t.db);
    await buildStaff(t.db, {
      personId: teacher.id,
      organizationId: institution.id,
      regionCode: '370902',
      duty: 'teacher',
      operationItems: ['1.2'],
    });
    const res = await post(regulator, `/api/organizations/${site.id}/staff`, {
      duty: 'examiner',
      startDate: '2026-01-01',
      person: { idNumber: teacher.idNumber, name: teacher.name },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details[0].code).toBe('training_exam_separation');
  });

  it('refuses a duty that the organization kind does not have', async () => {
    const res = await post(siteUser, `/api/organizations/${site.id}/staff`, {
      duty: 'teacher',
      startDate: '2026-01-01',
      person: {
        idNumber: makeIdNumber({ regionCode6: '370902', birthDate: '1980-01-01', sequence: 33 }),
        name: '钱七',
      },
    });
    expect(res.statusCode).toBe(422);
  });

  it('keeps the audit chain intact across all these mutations', async () => {
    const result = await verifyAuditLog(t.db);
    expect(result.ok).toBe(true);
    expect(result.entries).toBeGreaterThan(5);
  });
});
