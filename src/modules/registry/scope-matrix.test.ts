import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../platform/auth/roles.js';
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
import { makeCreditCode, makeIdNumber } from './identifiers.rules.js';
import type { Duty, OrganizationKind, Post } from './registry.contract.js';

/**
 * The full scope matrix of the registry: every role × every registry route × own / other-organization
 * / other-region data. Expected answers come from a model of the scope rule (a jurisdiction sees its
 * region subtree, an organization itself, a worker their own file) and the API must match it exactly.
 */
describe.each(testDatabaseModes)('registry scope matrix on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  type Org = { id: string; kind: OrganizationKind; regionCode: string; name: string };
  const orgs: Record<string, Org> = {};
  const persons: Record<string, { id: string; orgKeys: string[]; trainedBy: string[] }> = {};
  const classes: Record<
    string,
    { id: string; orgKey: string; regionCode: string; trainees: string[] }
  > = {};
  type Caller = {
    key: string;
    roles: Role[];
    orgKey: string | null;
    personKey: string | null;
    cookie: string;
  };
  const callers: Caller[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    app = await buildTestApp(t);
    const defs: [string, OrganizationKind, string][] = [
      ['regCity', 'regulator', '3709'],
      ['regA', 'regulator', '370902'],
      ['regOther', 'regulator', '370102'],
      ['examAuth', 'exam_authority', '3709'],
      ['siteA', 'exam_site', '370902'],
      ['instA', 'training_institution', '370902'],
      ['instB', 'training_institution', '370911'],
      ['entA', 'enterprise', '370902'],
      ['entA2', 'enterprise', '370902001'],
      ['entB', 'enterprise', '370911'],
      ['entOther', 'enterprise', '370102'],
    ];
    for (const [key, kind, regionCode] of defs)
      orgs[key] = await buildOrganization(t.db, { kind, regionCode });
    const links: [string, string, 'staff' | 'employment', Duty | Post][] = [
      ['pA', 'entA', 'employment', 'special_operator'],
      ['pA2', 'entA2', 'employment', 'general'],
      ['pB', 'entB', 'employment', 'principal'],
      ['pOther', 'entOther', 'employment', 'safety_manager'],
      ['tA', 'instA', 'staff', 'teacher'],
      ['tB', 'instB', 'staff', 'teacher'],
      ['eSite', 'siteA', 'staff', 'examiner'],
      ['insp', 'regA', 'staff', 'inspector'],
    ];
    for (const [pKey, oKey, type, role] of links) {
      const p = await buildPerson(t.db);
      const o = orgs[oKey];
      if (type === 'staff')
        await buildStaff(t.db, {
          personId: p.id,
          organizationId: o.id,
          regionCode: o.regionCode,
          duty: role as Duty,
        });
      else
        await buildEmployment(t.db, {
          personId: p.id,
          organizationId: o.id,
          regionCode: o.regionCode,
          post: role as Post,
          operationItemCode: role === 'special_operator' ? '1.2' : null,
        });
      persons[pKey] = { id: p.id, orgKeys: [oKey], trainedBy: [] };
    }
    // Trainees across the lines: an institution trains another county's employee, so the class is
    // seen by the trainee's employer and the person by the institution, and by nobody else for it.
    const classDefs: [string, string, string, string][] = [
      ['cA', 'instA', 'tA', 'pB'],
      ['cB', 'instB', 'tB', 'pA'],
    ];
    for (const [cKey, oKey, teacherKey, traineeKey] of classDefs) {
      const o = orgs[oKey];
      const c = await buildClass(t.db, {
        organizationId: o.id,
        regionCode: o.regionCode,
        headTeacherId: persons[teacherKey].id,
      });
      await enrol(t.db, c, persons[traineeKey].id);
      persons[traineeKey].trainedBy.push(oKey);
      classes[cKey] = { id: c.id, orgKey: oKey, regionCode: o.regionCode, trainees: [traineeKey] };
    }
    const callerDefs: [string, Role[], string | null, string | null][] = [
      ['cityAdmin', ['regulator', 'admin'], 'regCity', null],
      ['regulatorA', ['regulator'], 'regA', null],
      ['inspectorA', ['inspector'], 'regA', 'insp'],
      ['examAuthority', ['exam_authority'], 'examAuth', null],
      ['examSite', ['exam_site'], 'siteA', null],
      ['institution', ['training_institution'], 'instA', null],
      ['enterprise', ['enterprise'], 'entA', null],
      ['worker', ['worker'], null, 'pA'],
    ];
    for (const [key, roles, orgKey, personKey] of callerDefs) {
      const u = await buildUser(t.db, {
        roles,
        organizationId: orgKey ? orgs[orgKey].id : null,
        personId: personKey ? persons[personKey].id : null,
      });
      callers.push({ key, roles, orgKey, personKey, cookie: await loginCookie(app, u.username) });
    }
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const isJurisdiction = (c: Caller) =>
    c.roles.some((r) => r === 'regulator' || r === 'inspector' || r === 'exam_authority');
  const regionOf = (c: Caller) => (c.orgKey ? orgs[c.orgKey].regionCode : null);
  function orgVisible(c: Caller, o: Org): boolean {
    if (isJurisdiction(c)) return o.regionCode.startsWith(regionOf(c)!);
    return c.orgKey !== null && orgs[c.orgKey].id === o.id;
  }
  function personVisible(c: Caller, pKey: string): boolean {
    if (!c.orgKey) return c.personKey === pKey;
    const p = persons[pKey];
    if (p.orgKeys.some((k) => orgVisible(c, orgs[k]))) return true;
    // The institution that trains a person sees them (to enrol faces, keep records, register exams).
    return !isJurisdiction(c) && p.trainedBy.includes(c.orgKey);
  }
  /** A jurisdiction's classes; an institution's own; an enterprise's where its employees train. */
  function classVisible(c: Caller, cKey: string): boolean {
    const cls = classes[cKey];
    if (!c.orgKey) return cls.trainees.includes(c.personKey!);
    if (isJurisdiction(c)) return cls.regionCode.startsWith(regionOf(c)!);
    return (
      cls.orgKey === c.orgKey || cls.trainees.some((k) => persons[k].orgKeys.includes(c.orgKey!))
    );
  }
  const get = (c: Caller, url: string) =>
    app.inject({ method: 'GET', url, headers: { cookie: c.cookie } });

  it('answers 401 to an anonymous caller on every registry route', async () => {
    for (const url of [
      '/api/organizations',
      `/api/organizations/${orgs.entA.id}`,
      '/api/persons',
      `/api/persons/${persons.pA.id}`,
      '/api/regions',
      '/api/registry/stats',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code).toBe('authentication_required');
    }
  });

  it('lists exactly the organizations in scope, for every role', async () => {
    for (const c of callers) {
      const res = await get(c, '/api/organizations?pageSize=200');
      if (c.key === 'worker') {
        expect(res.statusCode, c.key).toBe(403);
        continue;
      }
      expect(res.statusCode, c.key).toBe(200);
      const got = new Set((res.json().items as { id: string }[]).map((i) => i.id));
      const want = new Set(
        Object.values(orgs)
          .filter((o) => orgVisible(c, o))
          .map((o) => o.id),
      );
      expect(got, c.key).toEqual(want);
      expect(res.json().total, c.key).toBe(want.size);
    }
  });

  it('opens an organization and its staff, employments and check only in scope (404 otherwise)', async () => {
    for (const c of callers) {
      for (const [key, o] of Object.entries(orgs)) {
        for (const suffix of ['', '/staff', '/employments']) {
          const res = await get(c, `/api/organizations/${o.id}${suffix}`);
          const want = c.key === 'worker' ? 403 : orgVisible(c, o) ? 200 : 404;
          expect(res.statusCode, `${c.key} → ${key}${suffix}`).toBe(want);
        }
        const check = await get(c, `/api/organizations/${o.id}/registration-check`);
        const wantCheck =
          c.key === 'worker'
            ? 403
            : !orgVisible(c, o)
              ? 404
              : o.kind === 'training_institution'
                ? 200
                : 422;
        expect(check.statusCode, `${c.key} → ${key} check`).toBe(wantCheck);
      }
    }
  });

  it('lists and opens exactly the classes in scope, through the trainees’ employers too', async () => {
    for (const c of callers) {
      const res = await get(c, '/api/classes?pageSize=200');
      expect(res.statusCode, c.key).toBe(200);
      const got = new Set((res.json().items as { id: string }[]).map((i) => i.id));
      const want = new Set(
        Object.keys(classes)
          .filter((k) => classVisible(c, k))
          .map((k) => classes[k].id),
      );
      expect(got, c.key).toEqual(want);
      for (const [key, cls] of Object.entries(classes)) {
        const one = await get(c, `/api/classes/${cls.id}`);
        expect(one.statusCode, `${c.key} → ${key}`).toBe(classVisible(c, key) ? 200 : 404);
      }
    }
  });

  it('lists and opens exactly the persons in scope', async () => {
    for (const c of callers) {
      const res = await get(c, '/api/persons?pageSize=200');
      expect(res.statusCode, c.key).toBe(200);
      const got = new Set((res.json().items as { id: string }[]).map((i) => i.id));
      const want = new Set(
        Object.keys(persons)
          .filter((k) => personVisible(c, k))
          .map((k) => persons[k].id),
      );
      expect(got, c.key).toEqual(want);
      for (const [key, p] of Object.entries(persons)) {
        const one = await get(c, `/api/persons/${p.id}`);
        expect(one.statusCode, `${c.key} → ${key}`).toBe(personVisible(c, key) ? 200 : 404);
      }
    }
  });

  it('masks ID numbers in lists and never sends a password hash or token hash', async () => {
    const c = callers.find((x) => x.key === 'cityAdmin')!;
    const res = await get(c, '/api/persons?pageSize=200');
    for (const p of res.json().items) {
      expect(p.idNumberMasked).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
      expect(p).not.toHaveProperty('idNumber');
    }
    const detail = await get(c, `/api/organizations/${orgs.instA.id}`);
    expect(detail.body).not.toMatch(/passwordHash|password_hash|tokenHash/);
  });

  it('counts only the scope in the dashboard statistics', async () => {
    for (const c of callers.filter((x) => x.key !== 'worker')) {
      const res = await get(c, '/api/registry/stats');
      expect(res.statusCode, c.key).toBe(200);
      const total = (res.json().byKind as { count: number }[]).reduce((s, k) => s + k.count, 0);
      expect(total, c.key).toBe(Object.values(orgs).filter((o) => orgVisible(c, o)).length);
      expect(res.json().persons, c.key).toBe(
        Object.keys(persons).filter((k) => personVisible(c, k)).length,
      );
    }
  });

  it('exports a bundle of exactly the jurisdiction, and only to regulators', async () => {
    for (const c of callers) {
      const res = await get(c, '/api/bundle/export');
      if (!c.roles.includes('regulator')) {
        expect(res.statusCode, c.key).toBe(403);
        continue;
      }
      expect(res.statusCode, c.key).toBe(200);
      const exported = new Set(
        (res.json().organizations as { creditCode: string }[]).map((o) => o.creditCode),
      );
      const rows = await t.db
        .selectFrom('organization')
        .select(['creditCode', 'regionCode'])
        .execute();
      const want = new Set(
        rows.filter((o) => o.regionCode.startsWith(regionOf(c)!)).map((o) => o.creditCode),
      );
      expect(exported, c.key).toEqual(want);
    }
  });

  it('lets only a regulator register organizations, and only inside its jurisdiction', async () => {
    let n = 900000;
    const body = (regionCode: string) => ({
      kind: 'enterprise',
      name: `新登记企业${n}`,
      creditCode: makeCreditCode({
        authority: '9',
        orgType: '1',
        regionCode6: regionCode.padEnd(6, '0').slice(0, 6),
        serial9: String(n++).padStart(9, '0'),
      }),
      regionCode,
      industry: 'manufacturing',
    });
    for (const c of callers) {
      for (const regionCode of ['370902', '370911', '370102']) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/organizations',
          headers: { cookie: c.cookie },
          payload: body(regionCode),
        });
        const inScope = regionCode.startsWith(regionOf(c) ?? '#');
        const want = !c.roles.includes('regulator') ? 403 : inScope ? 201 : 403;
        expect(res.statusCode, `${c.key} creates in ${regionCode}: ${res.body}`).toBe(want);
      }
    }
  });

  it('lets a caller change only organizations it may manage', async () => {
    for (const c of callers) {
      for (const [key, o] of Object.entries(orgs)) {
        const res = await app.inject({
          method: 'PATCH',
          url: `/api/organizations/${o.id}`,
          headers: { cookie: c.cookie },
          payload: { contactPhone: '0538-1234567' },
        });
        const manages =
          (c.roles.includes('regulator') && orgVisible(c, o)) ||
          (c.orgKey !== null && orgs[c.orgKey].id === o.id);
        const want = c.key === 'worker' ? 403 : !orgVisible(c, o) ? 404 : manages ? 200 : 403;
        expect(res.statusCode, `${c.key} patches ${key}`).toBe(want);
      }
    }
  });

  it('lets only a regulator in scope suspend an organization, with a decision', async () => {
    for (const c of callers) {
      const o = orgs.entB;
      const res = await app.inject({
        method: 'POST',
        url: `/api/organizations/${o.id}/status`,
        headers: { cookie: c.cookie },
        payload: { status: 'suspended', decision: '测试决定〔2026〕1号' },
      });
      const want = !c.roles.includes('regulator') ? 403 : orgVisible(c, o) ? 200 : 404;
      expect(res.statusCode, c.key).toBe(want);
      if (res.statusCode === 200) {
        await app.inject({
          method: 'POST',
          url: `/api/organizations/${o.id}/status`,
          headers: { cookie: c.cookie },
          payload: { status: 'active', decision: '测试恢复〔2026〕2号' },
        });
      }
    }
  });

  it('adds staff and employments only where the caller may', async () => {
    let seq = 100;
    const personBody = () => ({
      idNumber: makeIdNumber({ regionCode6: '370911', birthDate: '1990-01-01', sequence: seq++ }),
      name: `新员工${seq}`,
    });
    for (const c of callers) {
      for (const [key, o] of Object.entries(orgs).filter(([, x]) => x.kind === 'enterprise')) {
        const res = await app.inject({
          method: 'POST',
          url: `/api/organizations/${o.id}/employments`,
          headers: { cookie: c.cookie },
          payload: { post: 'general', startDate: '2026-01-05', person: personBody() },
        });
        const allowedRole = c.roles.includes('regulator') || c.roles.includes('enterprise');
        const manages =
          (c.roles.includes('regulator') && orgVisible(c, o)) ||
          (c.orgKey !== null && orgs[c.orgKey].id === o.id);
        const want = !allowedRole ? 403 : !orgVisible(c, o) ? 404 : manages ? 201 : 403;
        expect(res.statusCode, `${c.key} employs at ${key}: ${res.body}`).toBe(want);
      }
      for (const [key, o] of Object.entries(orgs).filter(
        ([, x]) => x.kind === 'training_institution',
      )) {
        const res = await app.inject({
          method: 'POST',
          url: `/api/organizations/${o.id}/staff`,
          headers: { cookie: c.cookie },
          payload: { duty: 'head_teacher', startDate: '2026-01-05', person: personBody() },
        });
        const manages =
          (c.roles.includes('regulator') && orgVisible(c, o)) ||
          (c.orgKey !== null && orgs[c.orgKey].id === o.id);
        const want = c.key === 'worker' ? 403 : !orgVisible(c, o) ? 404 : manages ? 201 : 403;
        expect(res.statusCode, `${c.key} staffs ${key}: ${res.body}`).toBe(want);
      }
    }
  });
});
