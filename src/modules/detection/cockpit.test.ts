import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idsForRefs, importBundle } from '../../bundle/bundle.service.js';
import { practicalStandard } from '../../catalog/practical.js';
import type { App } from '../../platform/http/routing.js';
import { readXlsx } from '../../platform/xlsx.js';
import { buildTestApp } from '../../test-support/app.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import {
  addLesson,
  cleanInstitution,
  nextDay,
  withExam,
} from '../../test-support/detection-fixtures.js';
import { buildOrganization, buildUser, loginCookie } from '../../test-support/factories.js';
import { makeCreditCode, makeIdNumber } from '../registry/identifiers.rules.js';
import { evaluateAndStore } from './alerts.service.js';
import { riskWeights } from './cockpit.contract.js';

/**
 * The cockpit's figures for a city with two counties: A (泰山区) plans practical training over the
 * daily cap (T04, 一般) and has an enterprise whose records give the rates; B (岱岳区) has one
 * manager too few (T10, 严重) and no enterprise records. Each figure is checked against what was
 * planted, and each caller sees only its jurisdiction.
 */
const NOW = new Date('2026-11-30T12:00:00+08:00');

describe.each(testDatabaseModes)('cockpit on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  const cookies: Record<string, string> = {};
  const a = withExam(cleanInstitution({ p: `${mode}-ck-a`, region: '370902', n: 911 }));
  const b = cleanInstitution({ p: `${mode}-ck-b`, region: '370911', n: 912 });
  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    addLesson(a, {
      ref: 'lesson:extra',
      mode: 'practical',
      teacher: 1,
      room: 'practical',
      from: '08:00',
      to: '12:00',
    });
    // Three candidates sat the exam: two passed, one failed (考核合格率 2/3).
    a.bundle.examRegistrations = a.bundle.examRegistrations?.map((r, i) => ({
      ...r,
      status: 'checked_in' as const,
      checkedInAt: a.at(nextDay(a.day), '08:50'),
      theoryScore: i < 2 ? 90 : 50,
      practicalScore: 90,
      result: i < 2 ? ('pass' as const) : ('fail' as const),
    }));
    // Each sat every practical subject of the item's standard, one after another (E05 flags a
    // practical result without its subjects).
    const std = practicalStandard('1.2')!;
    const hm = (minutes: number) =>
      `${String(9 + Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    a.bundle.practicalScores = (a.bundle.examRegistrations ?? []).flatMap((r, i) =>
      std.subjects.map((sub, k) => ({
        ref: `${a.p}:ps:${i}:${sub.code}`,
        registrationRef: r.ref,
        subjectCode: sub.code,
        taskCode: sub.tasks[0].code,
        examinerRef: null,
        startedAt: a.at(nextDay(a.day), hm((i * std.subjects.length + k) * 8)),
        scoredAt: a.at(nextDay(a.day), hm((i * std.subjects.length + k) * 8 + 7)),
        points: sub.weight * 0.9,
      })),
    );
    // A's enterprise: trainees 1 and 2 are special operators (1.2) there, plus an untrained principal.
    a.bundle.organizations.push({
      ref: `${a.p}:ent`,
      kind: 'enterprise',
      name: `测试化工有限公司${a.p}`,
      creditCode: makeCreditCode({
        authority: '9',
        orgType: '1',
        regionCode6: '370902',
        serial9: '000911001',
      }),
      regionCode: '370902',
    });
    a.bundle.persons.push({
      ref: `${a.p}:boss`,
      idNumber: makeIdNumber({
        regionCode6: '370902',
        birthDate: '1970-01-01',
        sequence: 911,
      }),
      name: '企业主要负责人',
      education: 'bachelor',
    });
    a.bundle.employments = [
      ...[0, 1].map((i) => ({
        ref: `${a.p}:emp:${i}`,
        personRef: a.trainees[i],
        organizationRef: `${a.p}:ent`,
        post: 'special_operator' as const,
        operationItemCode: '1.2',
        startDate: '2025-01-01',
      })),
      {
        ref: `${a.p}:emp:boss`,
        personRef: `${a.p}:boss`,
        organizationRef: `${a.p}:ent`,
        post: 'principal' as const,
        startDate: '2025-01-01',
      },
    ];
    b.bundle.staff = b.bundle.staff.filter((s) => s.ref !== `${b.p}:staff:m4`);
    await importBundle(t.db, 'system:test', a.bundle);
    await importBundle(t.db, 'system:test', b.bundle);
    // Trainee 1 holds a valid 低压电工 certificate; trainee 2 none.
    const ids = await idsForRefs(t.db, 'persons', [a.trainees[0]]);
    const authority = await idsForRefs(t.db, 'organizations', [`${a.p}:authority`]);
    await t.db
      .insertInto('authorityKey')
      .values({
        kid: `kid-${mode}`,
        organizationId: authority.get(`${a.p}:authority`)!,
        publicKey: 'test',
        privateKeyEnc: 'test',
      })
      .execute();
    await t.db
      .insertInto('certificate')
      .values({
        number: `T${mode}370902001`,
        kind: 'special_operation',
        personId: ids.get(a.trainees[0])!,
        operationItemCode: '1.2',
        authorityId: authority.get(`${a.p}:authority`)!,
        regionCode: '370902',
        issuedOn: '2026-10-20',
        validUntil: '2032-10-19',
        kid: `kid-${mode}`,
        qrPayload: 'test',
      })
      .execute();
    await evaluateAndStore(t.db, 'system:test', { now: NOW });
    const orgs = await idsForRefs(t.db, 'organizations', [`${a.p}:org`]);
    const city = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const countyA = await buildOrganization(t.db, { kind: 'regulator', regionCode: '370902' });
    const countyB = await buildOrganization(t.db, { kind: 'regulator', regionCode: '370911' });
    app = await buildTestApp(t, { now: () => NOW });
    const users = {
      city: await buildUser(t.db, { roles: ['regulator'], organizationId: city.id }),
      countyA: await buildUser(t.db, { roles: ['regulator'], organizationId: countyA.id }),
      countyB: await buildUser(t.db, { roles: ['regulator'], organizationId: countyB.id }),
      instA: await buildUser(t.db, {
        roles: ['training_institution'],
        organizationId: orgs.get(`${a.p}:org`)!,
      }),
    };
    for (const [k, u] of Object.entries(users)) cookies[k] = await loginCookie(app, u.username);
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const get = (who: string, url: string) =>
    app.inject({ method: 'GET', url, headers: { cookie: cookies[who] } });

  it('counts open alerts by rule, severity, child region and week for the city', async () => {
    const r = await get('city', '/api/cockpit');
    expect(r.statusCode).toBe(200);
    const c = r.json();
    expect(c.region).toMatchObject({ code: '3709' });
    expect(c.path.map((p: { code: string }) => p.code)).toEqual(['3709']);
    expect(c.totals).toMatchObject({ open: 2, serious: 1, warning: 1, notice: 0, new: 2 });
    const rule = (id: string) => c.byRule.find((x: { rule: string }) => x.rule === id);
    expect(rule('T04')).toMatchObject({ open: 1, warning: 1, status: 'evaluated' });
    expect(rule('T10')).toMatchObject({ open: 1, serious: 1, status: 'evaluated' });
    expect(rule('C01')).toMatchObject({ open: 0, status: 'not_evaluable' });
    const child = (code: string) => c.children.find((x: { code: string }) => x.code === code);
    expect(child('370902')).toMatchObject({ open: 1, warning: 1, serious: 0 });
    expect(child('370911')).toMatchObject({ open: 1, serious: 1 });
    // T04 happened on the fixture day (2026-10-12, a Monday); T10 is a standing condition, dated
    // the day it was judged (2026-11-30, also a Monday).
    const week = (d: string) => c.trend.buckets.find((x: { start: string }) => x.start === d);
    expect(week('2026-10-12')).toMatchObject({ serious: 0, warning: 1 });
    expect(week('2026-11-30')).toMatchObject({ serious: 1, warning: 0 });
    expect(c.trend.buckets).toHaveLength(12);
  });

  it('ranks organizations by the weighted open alerts, with the rules as reasons', async () => {
    const c = (await get('city', '/api/cockpit')).json();
    expect(c.ranking.map((o: { name: string; score: number }) => [o.name, o.score])).toEqual([
      [`测试安全培训学校${b.p}`, riskWeights.serious],
      [`测试安全培训学校${a.p}`, riskWeights.warning],
    ]);
    expect(c.ranking[0].reasons).toEqual([{ rule: 'T10', count: 1, severity: 'serious' }]);
  });

  it('drills down to a county, and a county regulator sees only its own', async () => {
    const drilled = (await get('city', '/api/cockpit?regionCode=370902')).json();
    expect(drilled.path.map((p: { code: string }) => p.code)).toEqual(['3709', '370902']);
    expect(drilled.totals.open).toBe(1);
    expect(drilled.ranking.map((o: { name: string }) => o.name)).toEqual([
      `测试安全培训学校${a.p}`,
    ]);
    const own = (await get('countyB', '/api/cockpit')).json();
    expect(own.totals).toMatchObject({ open: 1, serious: 1, warning: 0 });
    expect(own.ranking.map((o: { name: string }) => o.name)).toEqual([`测试安全培训学校${b.p}`]);
    expect((await get('countyB', '/api/cockpit?regionCode=370902')).statusCode).toBe(403);
    expect((await get('countyB', '/api/cockpit/report?regionCode=3709')).statusCode).toBe(403);
    expect((await get('instA', '/api/cockpit')).statusCode).toBe(403);
  });

  it("gives seed 003's rates where the records exist and says so where they do not", async () => {
    const rates = (code: string) =>
      get('city', `/api/cockpit?regionCode=${code}`).then((r) =>
        Object.fromEntries(r.json().rates.map((x: { key: string }) => [x.key, x])),
      );
    const inA = await rates('370902');
    // Trainees 1 and 2 were in the class; the principal was not.
    expect(inA.participation).toMatchObject({ numerator: 2, denominator: 3, missing: null });
    expect(inA.certifiedAtWork).toMatchObject({ numerator: 1, denominator: 2, rate: 0.5 });
    expect(inA.passRate).toMatchObject({ numerator: 2, denominator: 3, target: 1 });
    const inB = await rates('370911');
    expect(inB.participation).toMatchObject({ rate: null, missing: 'no_enterprise_records' });
    expect(inB.certifiedAtWork).toMatchObject({ rate: null, missing: 'no_enterprise_records' });
    expect(inB.passRate).toMatchObject({ rate: null, missing: 'no_exam_results' });
  });

  it('reports a month on screen and in Excel', async () => {
    const r = (await get('city', '/api/cockpit/report?month=2026-10')).json();
    expect(r).toMatchObject({ month: '2026-10', from: '2026-10-01', to: '2026-10-31' });
    expect(r.totals).toMatchObject({ total: 1, open: 1, serious: 0, warning: 1 });
    expect(r.byRule.map((x: { rule: string }) => x.rule)).toEqual(['T04']);
    expect(r.byRegion.find((x: { code: string }) => x.code === '370902')).toMatchObject({
      total: 1,
      serious: 0,
    });
    const nov = (await get('city', '/api/cockpit/report?month=2026-11')).json();
    expect(nov.byRule.map((x: { rule: string }) => x.rule)).toEqual(['T10']);
    expect(nov.byRegion.find((x: { code: string }) => x.code === '370911')).toMatchObject({
      total: 1,
      serious: 1,
    });
    expect(nov.notEvaluable.map((x: { rule: string }) => x.rule)).toContain('C01');
    expect((await get('city', '/api/cockpit/report?month=2026-09')).json().totals.total).toBe(0);
    const x = await get('city', '/api/cockpit/report.xlsx?month=2026-10');
    expect(x.statusCode).toBe(200);
    const sheets = readXlsx(new Uint8Array(x.rawPayload));
    expect(sheets.map((s) => s.name)).toEqual(['概况', '按规则', '按地区', '风险排名']);
    expect(String(sheets[0].rows[0][0])).toContain('2026-10');
    expect(sheets[1].rows.map((row) => row[0])).toContain('实操培训单日超过学时上限');
    expect(sheets[3].rows[1][1]).toBe(`测试安全培训学校${a.p}`);
    expect((await get('city', '/api/cockpit/report?month=2026-13')).statusCode).toBe(400);
  });

  it('a dismissed alert leaves the open counts', async () => {
    const id = (await get('city', '/api/alerts?rule=T04')).json().items[0].id;
    const res = await app.inject({
      method: 'POST',
      url: `/api/alerts/${id}/state`,
      headers: { cookie: cookies.city },
      payload: { state: 'dismissed', reason: '已核实为排课录入错误' },
    });
    expect(res.statusCode).toBe(200);
    const c = (await get('city', '/api/cockpit')).json();
    expect(c.totals).toMatchObject({ open: 1, warning: 0, dismissed30d: 1 });
    expect(c.ranking).toHaveLength(1);
  });
});
