import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { buildTestApp } from '../../test-support/app.js';
import { createTestDatabase, type TestDatabase, testDatabaseModes } from '../../test-support/db.js';
import { buildUser, loginCookie, TEST_PASSWORD } from '../../test-support/factories.js';
import type { App } from '../http/routing.js';
import { LoginThrottle } from './login-throttle.js';

describe('login throttle', () => {
  it('locks an account after 5 failures from any addresses, and an address after 20 on any accounts', () => {
    const th = new LoginThrottle();
    const t0 = 1_000_000;
    for (let i = 0; i < 4; i++)
      expect(th.fail('alice', `127.0.0.${i + 1}`, t0 + i).account).toBe(false);
    expect(th.retryAfter('alice', '127.0.0.99', t0 + 5)).toBe(0);
    expect(th.fail('alice', '127.0.0.5', t0 + 5).account).toBe(true);
    expect(th.retryAfter('alice', '127.0.0.99', t0 + 6)).toBeGreaterThan(14 * 60_000);
    expect(th.retryAfter('alice', '127.0.0.99', t0 + 16 * 60_000)).toBe(0);
    for (let i = 0; i < 19; i++) expect(th.fail(`u${i}`, '10.9.9.9', t0 + i).address).toBe(false);
    expect(th.fail('u19', '10.9.9.9', t0 + 20).address).toBe(true);
    expect(th.retryAfter('someone-else', '10.9.9.9', t0 + 21)).toBeGreaterThan(0);
  });
});

describe('session cookies are Secure by default outside local demo', () => {
  it('follows demo mode unless COOKIE_SECURE says otherwise', () => {
    expect(loadConfig({}).COOKIE_SECURE).toBe(false);
    expect(loadConfig({}).DEMO_MODE).toBe(true);
    const pg = loadConfig({ DATABASE_URL: 'postgres://x@h/db' });
    expect([pg.DEMO_MODE, pg.COOKIE_SECURE]).toEqual([false, true]);
    expect(loadConfig({ DEMO_MODE: 'false' }).COOKIE_SECURE).toBe(true);
    expect(
      loadConfig({ DATABASE_URL: 'postgres://x@h/db', COOKIE_SECURE: 'false' }).COOKIE_SECURE,
    ).toBe(false);
  });
});

describe.each(testDatabaseModes)('auth hardening on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let user: Awaited<ReturnType<typeof buildUser>>;
  beforeAll(async () => {
    t = await createTestDatabase(mode);
    app = await buildTestApp(t);
    user = await buildUser(t.db, { roles: ['worker'] });
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const tryLogin = (username: string, password: string, address: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password },
      remoteAddress: address,
    });

  it('locks an account guessed from 200 addresses after 5 tries, audited, even for the right password', async () => {
    const victim = await buildUser(t.db, { roles: ['worker'] });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++)
      statuses.push(
        (await tryLogin(victim.username, `guess-${i}`, `127.0.${i >> 8}.${(i % 250) + 1}`))
          .statusCode,
      );
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    const right = await tryLogin(victim.username, TEST_PASSWORD, '127.0.9.9');
    expect(right.statusCode).toBe(429);
    expect(right.headers['retry-after']).toMatch(/^\d+$/);
    expect(right.json().error.code).toBe('rate_limited');
    const audit = await t.db
      .selectFrom('auditLog')
      .select(['action', 'entityId', 'summary'])
      .where('action', 'like', 'auth.lockout%')
      .execute();
    expect(audit).toEqual([
      expect.objectContaining({ action: 'auth.lockout.account', entityId: victim.userId }),
    ]);
  });

  it('locks an address that sprays passwords over many accounts', async () => {
    const address = '127.1.1.1';
    const codes: number[] = [];
    for (let i = 0; i < 22; i++)
      codes.push((await tryLogin(`nobody${i}`, 'x', address)).statusCode);
    expect(codes.slice(0, 20).every((c) => c === 401)).toBe(true);
    expect(codes.slice(20)).toEqual([429, 429]);
    // Another address is not affected.
    expect((await tryLogin(user.username, TEST_PASSWORD, '127.1.1.2')).statusCode).toBe(200);
  });

  it('refuses a cookie-authenticated mutation from a foreign origin, text/plain included', async () => {
    const cookie = await loginCookie(app, user.username);
    const post = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/api/tokens',
        headers: { cookie, ...headers },
        payload: headers['content-type']?.startsWith('text/plain')
          ? '{"name":"x","scopes":["registry:read"]}'
          : { name: 'x', scopes: ['registry:read'] },
      });
    for (const headers of [
      { 'content-type': 'text/plain', origin: 'https://evil.example' },
      { 'content-type': 'application/json', origin: 'https://evil.example' },
      { 'content-type': 'text/plain;charset=UTF-8', 'sec-fetch-site': 'cross-site' },
      { 'content-type': 'application/json', 'sec-fetch-site': 'same-site' },
      { 'content-type': 'application/json', origin: 'null' },
    ] as Record<string, string>[]) {
      const res = await post(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    // A mutation from the app's own origin gets past the check (logout: 204).
    const own = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: {
        cookie,
        origin: 'http://localhost:80',
        host: 'localhost:80',
        'sec-fetch-site': 'same-origin',
      },
    });
    expect(own.statusCode).toBe(204);
    // A login form posted from another site is refused too (login CSRF).
    const foreignLogin = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: 'https://evil.example' },
      payload: { username: user.username, password: TEST_PASSWORD },
    });
    expect(foreignLogin.statusCode).toBe(403);
  });

  it('has no demo accounts route outside demo mode', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/demo/accounts' })).statusCode).toBe(404);
  });
});
