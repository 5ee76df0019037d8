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

  it('issues an API token bound to one organization and its scopes, with an expiry, and revokes it', async () => {
    const city = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const regulator = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['regulator'], organizationId: city.id })).username,
    );
    const created = await app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie: regulator },
      payload: { name: '省平台数据对接', scopes: ['bundle:write'], expiresInDays: 30 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, token, expiresAt } = created.json();
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(29.9 * 86_400_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThan(30.1 * 86_400_000);
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
    // Its last use is kept (written behind the answer).
    let listed: { id: string; lastUsedAt: string | null; expiresAt: string }[] = [];
    for (let i = 0; i < 50; i++) {
      const list = await app.inject({
        method: 'GET',
        url: '/api/tokens',
        headers: { cookie: regulator },
      });
      expect(list.body).not.toContain(token);
      listed = list.json().items;
      if (listed.find((x) => x.id === id)?.lastUsedAt) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(listed.find((x) => x.id === id)).toMatchObject({ expiresAt });
    expect(listed.find((x) => x.id === id)?.lastUsedAt).not.toBeNull();
    expect(
      (
        await app.inject({
          method: 'DELETE',
          url: `/api/tokens/${id}`,
          headers: { cookie: regulator },
        })
      ).statusCode,
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

  it('lets a role put into a token only what it may do itself, for 90 days unless asked, 365 at most', async () => {
    const mint = (scopes: string[], extra: object = {}) =>
      app.inject({
        method: 'POST',
        url: '/api/tokens',
        headers: { cookie },
        payload: { name: '对接', scopes, ...extra },
      });
    // An enterprise may not import bundles, and nobody mints a device's token by hand.
    for (const scopes of [['bundle:write'], ['devices:write'], ['registry:read', 'bundle:write']]) {
      const res = await mint(scopes);
      expect(res.statusCode, scopes.join()).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    const ok = await mint(['registry:read']);
    expect(ok.statusCode).toBe(201);
    const days = (Date.parse(ok.json().expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
    expect((await mint(['registry:read'], { expiresInDays: 366 })).statusCode).toBe(400);
    expect((await mint(['registry:read'], { expiresInDays: 0 })).statusCode).toBe(400);
    expect((await mint(['registry:read'], { expiresInDays: 365 })).statusCode).toBe(201);
  });

  it('refuses an expired token, and a token whose creator may no longer import', async () => {
    const city = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const user = await buildUser(t.db, { roles: ['regulator'], organizationId: city.id });
    const regulator = await loginCookie(app, user.username);
    const mint = async () =>
      (
        await app.inject({
          method: 'POST',
          url: '/api/tokens',
          headers: { cookie: regulator },
          payload: { name: '对接', scopes: ['bundle:write'] },
        })
      ).json() as { id: string; token: string };
    const validate = (token: string) =>
      app.inject({
        method: 'POST',
        url: '/api/bundle/validate',
        headers: { authorization: `Bearer ${token}` },
        payload: { format: 'zhenxun.bundle', version: 1 },
      });
    const expired = await mint();
    await t.db
      .updateTable('apiToken')
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where('id', '=', expired.id)
      .execute();
    expect((await validate(expired.token)).statusCode).toBe(401);

    const live = await mint();
    expect((await validate(live.token)).statusCode).toBe(200);
    // The token is worth what its creator is worth now: a user moved to inspection work, or
    // disabled, takes the token's power with them.
    await t.db
      .updateTable('appUser')
      .set({ roles: ['inspector'] })
      .where('id', '=', user.userId)
      .execute();
    const demoted = await validate(live.token);
    expect(demoted.statusCode).toBe(403);
    expect(demoted.json().error.code).toBe('forbidden');
    await t.db
      .updateTable('appUser')
      .set({ roles: ['regulator'], disabled: true })
      .where('id', '=', user.userId)
      .execute();
    expect((await validate(live.token)).statusCode).toBe(403);
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

  it('takes "today" for the policy in force as the Beijing day: at 01:00 Beijing it is already the next date', async () => {
    // 2026-05-31T17:30Z is 2026-06-01 01:30 in Beijing, the day 19号令 takes effect; the UTC date is the day before.
    const at = new Date('2026-05-31T17:30:00Z');
    const clocked = await buildTestApp(t, { now: () => at });
    try {
      const res = await clocked.inject({
        method: 'GET',
        url: '/api/policies/in-force?regionCode=370902',
        headers: { cookie: await loginCookie(clocked, username) },
      });
      expect(res.json().date).toBe('2026-06-01');
      expect(res.json().applied.map((a: { id: string }) => a.id)).toContain('national-19-pending');
    } finally {
      await clocked.close();
    }
  });
});
