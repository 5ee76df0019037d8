import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specialOperation } from '../../catalog/figures.js';
import type { App } from '../../platform/http/routing.js';
import { buildTestApp } from '../../test-support/app.js';
import { createTestDatabase, loadRegions, type TestDatabase, testDatabaseModes } from '../../test-support/db.js';
import { buildEmployment, buildOrganization, buildPerson, buildUser, loginCookie } from '../../test-support/factories.js';
import { maskIdNumber, maskName } from '../registry/identifiers.rules.js';
import { certificateState, issueTerms } from './certificates.rules.js';

const NOW = new Date('2026-11-20T02:00:00Z');

describe('certificate states from dates and events', () => {
  it('follows validity, the review window and revocation, with the catalog figures', () => {
    const t = issueTerms('special_operation', '370902198506151234', '2024-03-01', 1, '3709');
    expect(t.number).toBe('T370902198506151234');
    expect(t.reviewDue).toBe(`${2024 + specialOperation.reviewEveryYears.value}-03-01`);
    const c = { kind: 'special_operation' as const, validUntil: t.validUntil, reviewDue: t.reviewDue, revokedOn: null, cancelledOn: null };
    const windowStart = new Date(Date.parse(`${t.reviewDue}T00:00:00Z`) - specialOperation.reviewWindowDays.value * 86_400_000).toISOString().slice(0, 10);
    const dayBefore = new Date(Date.parse(`${windowStart}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect(certificateState(c, dayBefore)).toBe('valid');
    expect(certificateState(c, windowStart)).toBe('review_due');
    expect(certificateState(c, '2027-03-02')).toBe('expired');
    expect(certificateState({ ...c, revokedOn: '2025-01-01' }, '2025-06-01')).toBe('revoked');
  });
});

/**
 * Issuing with the authority's Ed25519 key, public verification with masked data by number + name and
 * by QR, offline verification in a fresh process with only the published keys, rotation, revocation,
 * the fake-number signal and the rate limit.
 */
describe.each(testDatabaseModes)('certificates and public verification on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let authority: string;
  let regulator: string;
  let holder: { id: string; idNumber: string; name: string };
  let issued: { id: string; number: string; qrPayload: string };

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    app = await buildTestApp(t, { now: () => NOW });
    const exam = await buildOrganization(t.db, { kind: 'exam_authority', regionCode: '3709' });
    const city = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const company = await buildOrganization(t.db, { kind: 'enterprise', regionCode: '370902' });
    holder = await buildPerson(t.db, { name: '张桂林' });
    await buildEmployment(t.db, { personId: holder.id, organizationId: company.id, regionCode: '370902', post: 'special_operator', operationItemCode: '1.2' });
    authority = await loginCookie(app, (await buildUser(t.db, { roles: ['exam_authority'], organizationId: exam.id })).username);
    regulator = await loginCookie(app, (await buildUser(t.db, { roles: ['regulator'], organizationId: city.id })).username);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const post = (url: string, payload: object, cookie?: string) => app.inject({ method: 'POST', url, headers: cookie ? { cookie } : {}, payload });
  const publicCheck = (number: string, name: string, ip = '203.0.113.7') => app.inject({ method: 'GET', url: `/api/public/verify?number=${encodeURIComponent(number)}&name=${encodeURIComponent(name)}`, remoteAddress: ip });

  it('issues a signed certificate; the public sees masked data only', async () => {
    expect((await post('/api/certificates', { personId: holder.id, kind: 'special_operation', operationItemCode: '1.2', issuedOn: '2026-11-01' }, authority)).json().error.details[0].code).toBe('no_signing_key');
    expect((await post('/api/certificates/keys/rotate', {}, authority)).statusCode).toBe(201);
    const res = await post('/api/certificates', { personId: holder.id, kind: 'special_operation', operationItemCode: '1.2', issuedOn: '2026-11-01' }, authority);
    expect(res.statusCode, res.body).toBe(201);
    issued = res.json();
    expect(issued.number).toBe(`T${holder.idNumber}`);
    // Compact enough for a QR code printed on a card and scanned by a phone.
    expect(issued.qrPayload.length).toBeLessThan(300);
    const [, claims] = issued.qrPayload.split('.');
    expect(Buffer.from(claims, 'base64url').toString()).not.toContain(holder.idNumber);

    const found = await publicCheck(issued.number, holder.name);
    expect(found.json()).toMatchObject({ found: true, certificate: { state: 'valid', holderNameMasked: maskName(holder.name), idNumberMasked: maskIdNumber(holder.idNumber) } });
    expect(found.body).not.toContain(holder.idNumber);
    expect(found.body).not.toContain(holder.name);
    // A wrong name answers exactly like a number that does not exist.
    expect((await publicCheck(issued.number, '李四')).json()).toMatchObject({ found: false, certificate: null });
    const audits = await t.db.selectFrom('auditLog').select('action').where('action', 'like', 'certificate.%').execute();
    expect(audits.map((a) => a.action)).toEqual(['certificate.issue']);
  });

  it('verifies the QR online, and offline in a fresh process with only the published keys', async () => {
    const online = await post('/api/public/verify-qr', { payload: issued.qrPayload });
    expect(online.json()).toMatchObject({ found: true, signatureValid: true, certificate: { number: `T${maskIdNumber(holder.idNumber)}` } });
    const keys = (await app.inject({ method: 'GET', url: '/api/public/keys' })).json();
    const dir = mkdtempSync(join(tmpdir(), 'zx-keys-'));
    writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys));
    const run = promisify(execFile);
    // No DATABASE_URL, an empty DATA_DIR: the check needs nothing but the keys.
    const env = { PATH: process.env.PATH ?? '', ZHENXUN_FROM_SOURCE: '1', DATA_DIR: join(dir, 'nothing-here') };
    const ok = await run('node', ['bin/zhenxun.js', 'verify-qr', issued.qrPayload, '--keys', join(dir, 'keys.json')], { env });
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, certificate: { i: '1.2', d: '2026-11-01' } });
    const [head, body, sig] = issued.qrPayload.split('.');
    const flipped = `${head}.${body}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    const bad = await run('node', ['bin/zhenxun.js', 'verify-qr', flipped, '--keys', join(dir, 'keys.json')], { env }).catch((e: { code: number; stdout: string }) => e);
    expect((bad as { code: number }).code).toBe(1);
    expect(JSON.parse((bad as { stdout: string }).stdout)).toMatchObject({ valid: false, reason: 'bad_signature' });
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ keys: [] }));
    const unknown = await run('node', ['bin/zhenxun.js', 'verify-qr', issued.qrPayload, '--keys', join(dir, 'other.json')], { env }).catch((e: { stdout: string }) => e);
    expect(JSON.parse((unknown as { stdout: string }).stdout)).toMatchObject({ valid: false, reason: 'unknown_key' });
  }, 60_000);

  it('keeps old QR codes valid after key rotation, and shows revocation publicly', async () => {
    expect((await post('/api/certificates/keys/rotate', {}, authority)).statusCode).toBe(201);
    const keys = (await app.inject({ method: 'GET', url: '/api/public/keys' })).json().keys;
    expect(keys).toHaveLength(2);
    expect(keys.filter((k: { retiredAt: string | null }) => k.retiredAt === null)).toHaveLength(1);
    expect((await post('/api/public/verify-qr', { payload: issued.qrPayload })).json().signatureValid).toBe(true);
    const revoked = await post(`/api/certificates/${issued.id}/revoke`, { reason: '以欺骗手段取得证书', fraud: true, on: '2026-11-10' }, authority);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().banUntil).toBe(`${2026 + specialOperation.banAfterRevocationYears.value}-11-10`);
    expect((await publicCheck(issued.number, holder.name)).json().certificate.state).toBe('revoked');
    // Under the ban the person cannot be certified again.
    const again = await post('/api/certificates', { personId: holder.id, kind: 'competency', operationItemCode: 'C.safety_manager.general', issuedOn: '2026-11-15' }, authority);
    expect(again.json().error.details[0].code).toBe('revocation_ban');
  });

  it('surfaces repeated queries for numbers that do not exist to the regulator', async () => {
    for (let i = 0; i < 3; i++) await publicCheck(`T37090219900101${String(1000 + i)}`, '王五', '198.51.100.9');
    const res = await app.inject({ method: 'GET', url: '/api/certificates/fake-signals', headers: { cookie: regulator } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual(expect.arrayContaining([expect.objectContaining({ ip: '198.51.100.9', queries: 3, numbers: 3 })]));
    expect((await app.inject({ method: 'GET', url: '/api/certificates/fake-signals', headers: { cookie: authority } })).statusCode).toBe(403);
    const logged = await t.db.selectFrom('verificationQuery').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(logged.n)).toBeGreaterThanOrEqual(7);
  });

  it('rate-limits the public check per address', async () => {
    let last = 0;
    for (let i = 0; i < 40 && last !== 429; i++) last = (await publicCheck('T000', '某', '192.0.2.77')).statusCode;
    expect(last).toBe(429);
  });
});
