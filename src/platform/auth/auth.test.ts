import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test-support/app.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import {
  buildOrganization,
  buildUser,
  loginCookie,
  TEST_PASSWORD,
} from '../../test-support/factories.js';
import type { App } from '../http/routing.js';

describe.each(testDatabaseModes)('sessions, API tokens and policy versions on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let enterprise: { id: string };
  let cookie: string;
  let username: string;

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    app = await buildTestApp(t);
    enterprise = await buildOrganization(t.db, { kind: 'enterprise', regionCode: '370902' });
    await buildOrganization(t.db, { kind: 'enterprise', regionCode: '370911' });
    username = (await buildUser(t.db, { roles: ['enterprise'], organizationId: enterprise.id }))
      .username;
    cookie = await loginCookie(app, username);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('sets an HttpOnly, SameSite=Lax session cookie and stores only its hash', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password: TEST_PASSWORD },
    });
    const c = res.cookies.find((x) => x.name === 'zx_session')!;
    expect(c.httpOnly).toBe(true);
    expect(c.sameSite).toBe('Lax');
    const stored = await t.db.selectFrom('userSession').select('tokenHash').execute();
    expect(stored.map((s) => s.tokenHash)).not.toContain(c.value);
  });

  it('refuses a wrong password the same way as an unknown user', async () => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password: 'nope' },
    });
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'nobody', password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('ends the session on logout at once, though resolved sessions are reused for a few seconds', async () => {
    const own = await loginCookie(app, username);
    expect(
      (await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: own } }))
        .statusCode,
    ).toBe(200);
    await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: own } });
    expect(
      (await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: own } }))
        .statusCode,
    ).toBe(401);
  });

  it('checks the session expiry on every request, reused or not', async () => {
    let now = new Date();
    const timed = await buildTestApp(t, { now: () => now });
    try {
      const own = await loginCookie(timed, username);
      expect(
        (await timed.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: own } }))
          .statusCode,
      ).toBe(200);
      const { expiresAt } = await t.db
        .selectFrom('userSession')
        .select('expiresAt')
        .orderBy('createdAt', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      now = new Date(new Date(expiresAt).getTime() + 1000);
      expect(
        (await timed.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: own } }))
          .statusCode,
      ).toBe(401);
    } finally {
      await timed.close();
    }
  });

  it('issues an API token bound to one organization and its scopes, and revokes it', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie },
      payload: { name: '门禁考勤机 1号', scopes: ['bundle:write'] },
    });
    expect(created.statusCode).toBe(201);
    const { id, token } = created.json();
    const stored = await t.db
      .selectFrom('apiToken')
      .select('tokenHash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.tokenHash).not.toBe(token);
    const bearer = { authorization: `Bearer ${token}` };
    // A token acts for its organization only, and only where its scope is accepted.
    const validate = await app.inject({
      method: 'POST',
      url: '/api/bundle/validate',
      headers: bearer,
      payload: { format: 'zhenxun.bundle', version: 1 },
    });
    expect(validate.statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/api/organizations', headers: bearer })).statusCode,
    ).toBe(403);
    const list = await app.inject({ method: 'GET', url: '/api/tokens', headers: { cookie } });
    expect(list.json().items.map((x: { id: string }) => x.id)).toContain(id);
    expect(list.body).not.toContain(token);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: { cookie } }))
        .statusCode,
    ).toBe(204);
    const after = await app.inject({
      method: 'POST',
      url: '/api/bundle/validate',
      headers: bearer,
      payload: {},
    });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('authentication_required');
  });

  it('lets only a regulator admin add a policy version for its own jurisdiction, and uses it at once', async () => {
    const city = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const admin = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['regulator', 'admin'], organizationId: city.id })).username,
    );
    const plain = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['regulator'], organizationId: city.id })).username,
    );
    const profile = (id: string, regionCode: string) => ({
      id,
      regionCode,
      version: '泰安 2027',
      effectiveFrom: '2027-01-01',
      source: '泰应急〔2026〕99号',
      figures: {
        practicalHoursPerDayMax: {
          value: 6,
          unit: '学时/天',
          source: '泰应急〔2026〕99号',
          status: 'seed',
        },
      },
    });
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/policy-profiles',
          headers: { cookie: plain },
          payload: profile('taian-2027', '3709'),
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/policy-profiles',
          headers: { cookie: admin },
          payload: profile('jinan-2027', '3701'),
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/policy-profiles',
          headers: { cookie: admin },
          payload: profile('taian-2027', '3709'),
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/policy-profiles',
          headers: { cookie: admin },
          payload: profile('taian-2027', '3709'),
        })
      ).statusCode,
    ).toBe(409);
    const inForce = await app.inject({
      method: 'GET',
      url: '/api/policies/in-force?regionCode=370902&date=2027-02-01',
      headers: { cookie: admin },
    });
    expect(inForce.json().figures.practicalHoursPerDayMax).toMatchObject({
      value: 6,
      fromProfile: 'taian-2027',
    });
    const before = await app.inject({
      method: 'GET',
      url: '/api/policies/in-force?regionCode=370902&date=2026-12-31',
      headers: { cookie: admin },
    });
    expect(before.json().figures.practicalHoursPerDayMax.fromProfile).toBe('shandong-2024');
  });
});
