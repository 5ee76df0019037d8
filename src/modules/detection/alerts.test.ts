import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idsForRefs, importBundle } from '../../bundle/bundle.service.js';
import type { App } from '../../platform/http/routing.js';
import { buildTestApp } from '../../test-support/app.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import { addLesson, cleanInstitution } from '../../test-support/detection-fixtures.js';
import { buildOrganization, buildUser, loginCookie } from '../../test-support/factories.js';
import { evaluateAndStore } from './alerts.service.js';

/**
 * /api/alerts: scope (a county regulator sees only its county; an institution only its own), the
 * lifecycle (acknowledge, dismiss with a reason, every transition audited) and identity (a dismissed
 * alert stays dismissed until its evidence changes).
 */
const NOW = new Date('2026-11-30T12:00:00+08:00');

describe.each(testDatabaseModes)('alerts API on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  const cookies: Record<string, string> = {};
  const a = cleanInstitution({ p: `${mode}-api-a`, region: '370902', n: 901 });
  const b = cleanInstitution({ p: `${mode}-api-b`, region: '370911', n: 902 });
  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    // A plans practical training over the daily cap (T04); B has four managers where five are required (T10).
    addLesson(a, {
      ref: 'lesson:extra',
      mode: 'practical',
      teacher: 1,
      room: 'practical',
      from: '08:00',
      to: '12:00',
    });
    b.bundle.staff = b.bundle.staff.filter((s) => s.ref !== `${b.p}:staff:m4`);
    await importBundle(t.db, 'system:test', a.bundle);
    await importBundle(t.db, 'system:test', b.bundle);
    await evaluateAndStore(t.db, 'system:test', { now: NOW });
    const orgs = await idsForRefs(t.db, 'organizations', [`${a.p}:org`, `${b.p}:org`]);
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
      instB: await buildUser(t.db, {
        roles: ['training_institution'],
        organizationId: orgs.get(`${b.p}:org`)!,
      }),
    };
    for (const [k, u] of Object.entries(users)) cookies[k] = await loginCookie(app, u.username);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const get = (who: string, url: string) =>
    app.inject({ method: 'GET', url, headers: { cookie: cookies[who] } });
  const rulesOf = async (who: string) =>
    (
      (await get(who, '/api/alerts?pageSize=200')).json().items as {
        rule: string;
        subject: { ref: string };
      }[]
    )
      .map((x) => `${x.rule}:${x.subject.ref}`)
      .sort();

  it('scopes alerts to the caller: city both, each county its own, each institution its own', async () => {
    expect(await rulesOf('city')).toEqual([`T04:${a.p}:org`, `T10:${b.p}:org`]);
    expect(await rulesOf('countyA')).toEqual([`T04:${a.p}:org`]);
    expect(await rulesOf('countyB')).toEqual([`T10:${b.p}:org`]);
    expect(await rulesOf('instA')).toEqual([`T04:${a.p}:org`]);
    expect(await rulesOf('instB')).toEqual([`T10:${b.p}:org`]);
    const aAlert = (await get('countyA', '/api/alerts')).json().items[0];
    expect((await get('countyB', `/api/alerts/${aAlert.id}`)).statusCode).toBe(404);
    expect((await get('instB', `/api/alerts/${aAlert.id}`)).statusCode).toBe(404);
    expect((await get('city', `/api/alerts/${aAlert.id}`)).statusCode).toBe(200);
  });

  it('filters by rule, severity and region, and pages', async () => {
    const r = await get('city', '/api/alerts?rule=T10');
    expect(r.json().items.map((x: { rule: string }) => x.rule)).toEqual(['T10']);
    expect((await get('city', '/api/alerts?regionCode=370911')).json().total).toBe(1);
    const page = await get('city', '/api/alerts?pageSize=1&page=2');
    expect(page.json()).toMatchObject({ total: 2 });
    expect(page.json().items).toHaveLength(1);
    expect((await get('city', '/api/alerts?rule=X99')).statusCode).toBe(400);
  });

  it('resolves evidence to readable records with links', async () => {
    const id = (await get('countyA', '/api/alerts?rule=T04')).json().items[0].id;
    const d = (await get('countyA', `/api/alerts/${id}`)).json();
    expect(d.ruleName.zh).toBe('实操培训单日超过学时上限');
    const lesson = d.evidence.find((e: { ref: string }) => e.ref === `${a.p}:lesson:extra`);
    expect(lesson.title).toContain('实操补充');
    expect(lesson.link).toMatch(/^\/classes\//);
    expect(lesson.details.find((x: { label: string }) => x.label === '授课教师').value).toMatch(
      /^师乙/,
    );
  });

  it('acknowledge and dismiss (with a reason), audited; a dismissed alert stays dismissed until its evidence changes', async () => {
    const id = (await get('countyA', '/api/alerts?rule=T04')).json().items[0].id;
    const post = (who: string, body: { state: string; reason?: string }) =>
      app.inject({
        method: 'POST',
        url: `/api/alerts/${id}/state`,
        headers: { cookie: cookies[who] },
        payload: body,
      });
    expect((await post('instA', { state: 'acknowledged' })).statusCode).toBe(403);
    expect((await post('countyB', { state: 'acknowledged' })).statusCode).toBe(404);
    expect((await post('countyA', { state: 'acknowledged' })).statusCode).toBe(200);
    expect((await post('countyA', { state: 'dismissed' })).statusCode).toBe(400);
    expect(
      (await post('countyA', { state: 'dismissed', reason: '已核实为排课录入错误' })).statusCode,
    ).toBe(200);
    const d = (await get('countyA', `/api/alerts/${id}`)).json();
    expect(d).toMatchObject({ state: 'dismissed', stateReason: '已核实为排课录入错误' });
    expect(d.history.map((h: { action: string }) => h.action)).toEqual([
      'alert.acknowledge',
      'alert.dismiss',
    ]);

    // The same records again: the same alert, still dismissed.
    await evaluateAndStore(t.db, 'system:test', { now: NOW });
    expect((await get('countyA', `/api/alerts/${id}`)).json()).toMatchObject({
      state: 'dismissed',
      clearedAt: null,
    });

    // New evidence (one more practical lesson that day): a new alert, the old one cleared.
    await importBundle(t.db, 'system:test', {
      format: 'zhenxun.bundle',
      version: 1,
      lessons: [
        {
          ref: `${a.p}:lesson:extra2`,
          classRef: `${a.p}:class`,
          mode: 'practical',
          topic: '再加一节',
          teacherRef: a.bundle.staff.find((s) => s.ref === `${a.p}:staff:t1`)!.personRef,
          roomRef: `${a.p}:room:practical`,
          startsAt: a.at(a.day, '12:00'),
          endsAt: a.at(a.day, '12:30'),
        },
      ],
      recordings: [1, 2].map((cam) => ({
        ref: `${a.p}:rec:extra2:${cam}`,
        deviceRef: `${a.p}:dev:practical:cam${cam}`,
        startsAt: a.at(a.day, '12:00'),
        endsAt: a.at(a.day, '12:30'),
        sha256: String(cam).repeat(64),
        storageUri: `s3://x/${cam}`,
      })),
    });
    await evaluateAndStore(t.db, 'system:test', { now: NOW });
    const now = (await get('countyA', '/api/alerts?rule=T04')).json().items;
    expect(now).toHaveLength(1);
    expect(now[0]).toMatchObject({ state: 'new' });
    expect(now[0].id).not.toBe(id);
    expect((await get('countyA', `/api/alerts/${id}`)).json().clearedAt).not.toBeNull();
  });

  it('a worker has no alerts', async () => {
    const w = await buildUser(t.db, { roles: ['worker'] });
    const c = await loginCookie(app, w.username);
    expect(
      (await app.inject({ method: 'GET', url: '/api/alerts', headers: { cookie: c } })).statusCode,
    ).toBe(403);
  });
});
