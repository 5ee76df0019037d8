import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test-support/app.js';
import { createTestDatabase, loadRegions, type TestDatabase } from '../../test-support/db.js';
import { buildOrganization, buildUser, loginCookie } from '../../test-support/factories.js';
import type { App } from './routing.js';

describe('HTTP conventions (CONTRACTS.md "HTTP")', () => {
  let t: TestDatabase;
  let app: App;
  let cookie: string;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    await loadRegions(t.db);
    app = await buildTestApp(t);
    const regulator = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const u = await buildUser(t.db, {
      roles: ['regulator', 'admin'],
      organizationId: regulator.id,
    });
    cookie = await loginCookie(app, u.username);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('reports health with the database kind and version', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'pglite', version: '0.0.0-test' });
  });

  it('sends the security headers on every answer, errors included, and one access-log line per request', async () => {
    const lines: { msg: string; status?: number; url?: string }[] = [];
    const { Writable } = await import('node:stream');
    const stream = new Writable({
      write: (chunk, _enc, cb) => {
        lines.push(JSON.parse(String(chunk)));
        cb();
      },
    });
    const logged = await buildTestApp(t, { logger: { level: 'info', stream } });
    try {
      for (const url of [
        '/api/health',
        '/api/public/verify?number=T1&name=x',
        '/api/organizations',
        '/api/no-such-route',
      ]) {
        const res = await logged.inject({ method: 'GET', url });
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
      // Public checks are logged as verification_query rows instead (certificates.routes.ts).
      const access = lines.filter((l) => l.msg === 'request');
      expect(access.map((l) => [l.url, l.status])).toEqual([
        ['/api/health', 200],
        ['/api/organizations', 401],
        ['/api/no-such-route', 404],
      ]);
    } finally {
      await logged.close();
    }
    // Closing the app wrote the buffered query log.
    const checks = await t.db
      .selectFrom('verificationQuery')
      .select(['number', 'outcome'])
      .where('number', '=', 'T1')
      .execute();
    expect(checks).toEqual([{ number: 'T1', outcome: 'no_such_number' }]);
  });

  it('serves a valid OpenAPI 3.1 document that lists every API route, and the reference UI', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const documented = new Set(Object.keys(doc.paths));
    for (const p of [
      '/api/health',
      '/api/auth/login',
      '/api/organizations',
      '/api/organizations/{id}',
      '/api/persons/{id}',
      '/api/policies/in-force',
    ]) {
      expect(documented, p).toContain(p);
    }
    const docs = await app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  it('answers unknown API paths with the error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/no-such-thing' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('never answers bad input to any documented route with a 500, and always with the error shape', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const malformed: { payload: string; contentType: string }[] = [
      { payload: '{"unterminated": ', contentType: 'application/json' },
      { payload: '[1,2,3]', contentType: 'application/json' },
      {
        payload: '{"name": 12, "kind": ["x"], "startDate": "yesterday", "idNumber": null}',
        contentType: 'application/json',
      },
      { payload: 'null', contentType: 'application/json' },
      { payload: 'name=x', contentType: 'application/x-www-form-urlencoded' },
      { payload: '"\u0000\uffff"', contentType: 'application/json' },
    ];
    const paramValues = ['not-a-uuid', '00000000-0000-0000-0000-000000000000', "1' or '1'='1"];
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        for (const param of paramValues) {
          const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(param));
          const bodies =
            method === 'get' || method === 'delete'
              ? [{ payload: undefined, contentType: undefined }]
              : malformed;
          for (const b of bodies) {
            for (const auth of [cookie, undefined]) {
              const res = await app.inject({
                method: method.toUpperCase() as 'GET',
                url: `${url}${method === 'get' ? '?page=-1&pageSize=abc&kind=nonsense&date=2024-13-45&regionCode=x' : ''}`,
                headers: {
                  ...(auth ? { cookie: auth } : {}),
                  ...(b.contentType ? { 'content-type': b.contentType } : {}),
                },
                payload: b.payload,
              });
              checked++;
              expect(res.statusCode, `${method} ${url} ${b.payload} → ${res.body}`).toBeLessThan(
                500,
              );
              if (res.statusCode >= 400) {
                const body = res.json();
                expect(typeof body.error?.code, `${method} ${url}`).toBe('string');
                expect(typeof body.error?.message).toBe('string');
                expect(Array.isArray(body.error?.details)).toBe(true);
              }
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    // Every documented route × 3 parameters × 6 bodies × 2 callers: the time grows with the API.
  }, 300_000);

  it('names every failing field in a validation error', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/organizations',
      headers: { cookie },
      payload: { kind: 'bank', name: '', creditCode: 'short', regionCode: 'x' },
    });
    expect(res.statusCode).toBe(400);
    const paths = (res.json().error.details as { path: string }[]).map((d) => d.path);
    for (const field of ['kind', 'name', 'creditCode', 'regionCode'])
      expect(paths).toContain(`body.${field}`);
  });
});
