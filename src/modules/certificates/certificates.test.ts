import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addYears } from '../../catalog/calendar.js';
import { exams, specialOperation } from '../../catalog/figures.js';
import { migrations } from '../../platform/db/migrations/index.js';
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
  buildUser,
  TEST_PASSWORD,
} from '../../test-support/factories.js';
import { makeIdNumber, maskIdNumber, maskName } from '../registry/identifiers.rules.js';
import { PublicCertificateSchema } from './certificates.contract.js';
import { publicVerifyLimit } from './certificates.routes.js';
import { encodeClaims, parsePayload } from './qr.js';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../../..');
const lastDayOf = (issuedOn: string, years: number) => addDays(addYears(issuedOn, years), -1);
/** Noon in Beijing on a date: the service's "today" is the Beijing date. */
const at = (date: string) => new Date(`${date}T04:00:00Z`);
let ipSerial = 0;
const freshIp = () => `198.18.${Math.floor(++ipSerial / 250)}.${ipSerial % 250}`;

/**
 * Issuing with the authority's Ed25519 key, the computed state through reviews, replacement and
 * revocation as the clock moves, scoped reads, public verification by number + name and by QR with
 * masked answers, offline verification in a fresh process with only the published keys, key rotation,
 * reminders, the fake-number signal and the rate limit — on PGlite and on PostgreSQL.
 */
describe.each(testDatabaseModes)('certificates and public verification on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let clock = at('2026-11-20');
  /** Username per role; sessions are opened lazily for the current clock (moving it years on ends them). */
  const users: Record<string, string> = {};
  const sessions = new Map<string, string>();
  let holder: { id: string; name: string; idNumber: string };
  let stranger: { id: string; name: string; idNumber: string };
  let issued: { id: string; number: string; qrPayload: string; kid: string };

  async function cookieOf(who: string | undefined): Promise<Record<string, string>> {
    if (!who) return {};
    const key = `${who}@${clock.toISOString()}`;
    if (!sessions.has(key)) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: users[who], password: TEST_PASSWORD },
        remoteAddress: freshIp(),
      });
      const c = res.cookies.find((x) => x.name === 'zx_session');
      if (!c) throw new Error(`login failed for ${who}: ${res.body}`);
      sessions.set(key, `zx_session=${c.value}`);
    }
    return { cookie: sessions.get(key)! };
  }
  const post = async (url: string, payload: unknown, who?: string, ip?: string) =>
    app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: await cookieOf(who),
      remoteAddress: ip ?? freshIp(),
    });
  const get = async (url: string, who?: string, ip?: string) =>
    app.inject({
      method: 'GET',
      url,
      headers: await cookieOf(who),
      remoteAddress: ip ?? freshIp(),
    });
  const publicCheck = (number: string, name: string, ip?: string) =>
    get(
      `/api/public/verify?number=${encodeURIComponent(number)}&name=${encodeURIComponent(name)}`,
      undefined,
      ip,
    );
  const auditActions = async (prefix: string) =>
    (
      await t.db
        .selectFrom('auditLog')
        .select('action')
        .where('action', 'like', `${prefix}%`)
        .orderBy('seq')
        .execute()
    ).map((a) => a.action);

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    app = await buildTestApp(t, { now: () => clock });
    const authority = await buildOrganization(t.db, {
      kind: 'exam_authority',
      regionCode: '3709',
      name: '泰安市应急管理局（考核发证）',
    });
    const otherAuthority = await buildOrganization(t.db, {
      kind: 'exam_authority',
      regionCode: '3701',
    });
    const cityRegulator = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const otherRegulator = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3701' });
    const province = await buildOrganization(t.db, { kind: 'regulator', regionCode: '37' });
    const enterprise = await buildOrganization(t.db, { kind: 'enterprise', regionCode: '370902' });
    const otherEnterprise = await buildOrganization(t.db, {
      kind: 'enterprise',
      regionCode: '370102',
    });
    holder = await buildPerson(t.db, { name: '张三林', birthDate: '1985-06-15' });
    stranger = await buildPerson(t.db, { name: '李四', birthDate: '1990-02-01' });
    await buildEmployment(t.db, {
      personId: holder.id,
      organizationId: enterprise.id,
      regionCode: '370902',
      post: 'special_operator',
      operationItemCode: '1.2',
    });
    await buildEmployment(t.db, {
      personId: stranger.id,
      organizationId: otherEnterprise.id,
      regionCode: '370102',
      post: 'special_operator',
    });
    const login = async (
      roles: Parameters<typeof buildUser>[1]['roles'],
      organizationId: string | null,
      personId: string | null = null,
    ) => (await buildUser(t.db, { roles, organizationId, personId })).username;
    users.authority = await login(['exam_authority'], authority.id);
    users.otherAuthority = await login(['exam_authority'], otherAuthority.id);
    users.regulator = await login(['regulator'], cityRegulator.id);
    users.otherRegulator = await login(['regulator'], otherRegulator.id);
    users.province = await login(['regulator'], province.id);
    users.enterprise = await login(['enterprise'], enterprise.id);
    users.otherEnterprise = await login(['enterprise'], otherEnterprise.id);
    users.worker = await login(['worker'], null, holder.id);
    users.otherWorker = await login(['worker'], null, stranger.id);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('issues with the authority key (created on first use) and answers number + name with masked data only', async () => {
    const res = await post(
      '/api/certificates',
      {
        personId: holder.id,
        kind: 'special_operation',
        operationItemCode: '1.2',
        issuedOn: '2026-11-01',
      },
      'authority',
    );
    expect(res.statusCode, res.body).toBe(201);
    issued = res.json();
    expect(issued.number).toBe(`T${holder.idNumber}`);
    expect(res.json().validUntil).toBe(
      lastDayOf('2026-11-01', specialOperation.certificateValidityYears.value),
    );
    // Compact enough for a QR on a card; the ID number (= the "T" number) and the name are not in it.
    expect(issued.qrPayload.length).toBeLessThan(200);
    expect(issued.qrPayload).not.toContain(holder.idNumber);
    expect(issued.qrPayload).not.toContain(holder.idNumber.slice(6, 14));

    const found = await publicCheck(issued.number, holder.name);
    expect(found.statusCode, found.body).toBe(200);
    const answer = found.json();
    expect(answer).toMatchObject({
      found: true,
      certificate: {
        kind: 'special_operation',
        operationItem: { code: '1.2', name: '低压电工作业' },
        issuingAuthority: '泰安市应急管理局（考核发证）',
        issuedOn: '2026-11-01',
        state: 'valid',
        holderNameMasked: maskName(holder.name),
        idNumberMasked: maskIdNumber(holder.idNumber),
      },
    });
    expect(maskName(holder.name)).toBe('张*林');
    // Nothing else about the person: exactly the public fields, and neither the full name nor the ID number anywhere.
    expect(Object.keys(answer.certificate).sort()).toEqual(
      Object.keys(PublicCertificateSchema.shape).sort(),
    );
    expect(found.body).not.toContain(holder.idNumber);
    expect(found.body).not.toContain(holder.name);
    expect(found.body).not.toContain(holder.id);

    // A wrong name answers exactly like a number that does not exist.
    const wrong = (await publicCheck(issued.number, '张三')).json();
    const none = (
      await publicCheck(
        `T${makeIdNumber({ regionCode6: '370902', birthDate: '1970-01-01', sequence: 1 })}`,
        holder.name,
      )
    ).json();
    expect({ ...wrong, checkedAt: 0 }).toEqual({ ...none, checkedAt: 0 });
    expect(wrong).toMatchObject({ found: false, certificate: null, certificates: [] });

    expect(await auditActions('authority_key.')).toEqual(['authority_key.create']);
    expect(await auditActions('certificate.')).toEqual(['certificate.issue']);
    const keys = (await get('/api/public/keys')).json().keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toEqual({
      kid: issued.kid,
      authority: expect.objectContaining({
        name: '泰安市应急管理局（考核发证）',
        regionCode: '3709',
      }),
      publicKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      createdAt: expect.any(String),
      retiredAt: null,
    });
    // The private key never leaves the service and is not stored in clear.
    const stored = await t.db
      .selectFrom('authorityKey')
      .select('privateKeyEnc')
      .executeTakeFirstOrThrow();
    expect(stored.privateKeyEnc).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(keys)).not.toContain(stored.privateKeyEnc);
  });

  it('refuses another region, a second certificate of the item in force, a future date and non-authorities; one "T" number covers every item', async () => {
    const body = {
      personId: holder.id,
      kind: 'special_operation',
      operationItemCode: '1.2',
      issuedOn: '2026-11-10',
    };
    expect((await post('/api/certificates', body, 'otherAuthority')).statusCode).toBe(404);
    const again = await post('/api/certificates', body, 'authority');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details[0].code).toBe('already_certified');
    expect(
      (
        await post(
          '/api/certificates',
          { ...body, operationItemCode: '2.1', issuedOn: '2026-12-01' },
          'authority',
        )
      ).statusCode,
    ).toBe(400);
    expect((await post('/api/certificates', body, 'regulator')).statusCode).toBe(403);
    expect((await post('/api/certificates', body, 'enterprise')).statusCode).toBe(403);
    expect(
      (await post('/api/certificates', { ...body, operationItemCode: '99.9' }, 'authority'))
        .statusCode,
    ).toBe(400);

    const second = await post(
      '/api/certificates',
      { ...body, operationItemCode: '2.1' },
      'authority',
    );
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().number).toBe(issued.number);
    const both = (await publicCheck(issued.number, holder.name)).json();
    expect(
      both.certificates
        .map((c: { operationItem: { code: string } }) => c.operationItem.code)
        .sort(),
    ).toEqual(['1.2', '2.1']);

    const comp = await post(
      '/api/certificates',
      {
        personId: holder.id,
        kind: 'competency',
        operationItemCode: 'C.safety_manager.general',
        issuedOn: '2026-11-12',
      },
      'authority',
    );
    expect(comp.statusCode, comp.body).toBe(201);
    expect(comp.json().number).toBe('C370900202600001');
    expect(comp.json().validUntil).toBe(
      lastDayOf('2026-11-12', exams.competencyCertificateYears.value),
    );
  });

  it('scopes every read: jurisdiction, employer, the holder — and nobody else', async () => {
    const detail = (who: string) => get(`/api/certificates/${issued.id}`, who);
    for (const who of ['authority', 'regulator', 'province', 'enterprise', 'worker'])
      expect((await detail(who)).statusCode, who).toBe(200);
    for (const who of ['otherAuthority', 'otherRegulator', 'otherEnterprise', 'otherWorker'])
      expect((await detail(who)).statusCode, who).toBe(404);
    expect((await get(`/api/certificates/${issued.id}/qr`, 'otherAuthority')).statusCode).toBe(404);
    const count = async (who: string, q = '') =>
      (await get(`/api/certificates${q}`, who)).json().total;
    expect(await count('worker')).toBe(3);
    expect(await count('otherWorker')).toBe(0);
    expect(await count('otherAuthority')).toBe(0);
    expect(await count('enterprise')).toBe(3);
    expect(await count('regulator', `?q=${issued.number}`)).toBe(2);
    expect(await count('regulator', `?q=${encodeURIComponent('张三')}`)).toBe(3);
    expect(await count('regulator', `?personId=${holder.id}&kind=competency`)).toBe(1);
    expect((await get('/api/certificates')).statusCode).toBe(401);
    const d = (await detail('worker')).json();
    expect(d).toMatchObject({
      number: issued.number,
      holder: { name: holder.name, idNumber: holder.idNumber },
      state: 'valid',
      reviewDue: lastDayOf('2026-11-01', specialOperation.reviewEveryYears.value),
      allowedEvents: [],
    });
    expect((await detail('authority')).json().allowedEvents).toEqual([
      'revoke',
      'cancel',
      'replace',
    ]);
  });

  it('verifies the QR online, and offline in a fresh process with nothing but the published keys', async () => {
    const qr = (await get(`/api/certificates/${issued.id}/qr`, 'worker')).json();
    expect(qr.payload).toBe(issued.qrPayload);
    expect(qr.svg).toMatch(/^<svg[^>]*>/);
    const online = (await post('/api/public/verify-qr', { payload: issued.qrPayload })).json();
    expect(online).toMatchObject({
      found: true,
      signatureValid: true,
      cardCurrent: true,
      certificate: {
        number: `T${maskIdNumber(holder.idNumber)}`,
        state: 'valid',
        holderNameMasked: '张*林',
      },
    });
    expect(JSON.stringify(online)).not.toContain(holder.idNumber);

    const dir = mkdtempSync(join(tmpdir(), 'zx-keys-'));
    writeFileSync(join(dir, 'keys.json'), (await get('/api/public/keys')).body);
    const parsed = parsePayload(issued.qrPayload)!;
    // One character changed: the issue date 2026-11-01 → 2026-11-02.
    const tampered = issued.qrPayload.replace('~20261101~', '~20261102~');
    expect(tampered).not.toBe(issued.qrPayload);
    // Signed by a key that is not published: once under its own kid, once claiming the authority's.
    const { privateKey } = generateKeyPairSync('ed25519');
    const forge = (kid: string) => {
      const body = encodeClaims({ ...parsed.claims, kid });
      return `${body}.${sign(null, Buffer.from(body), privateKey).toString('base64url')}`;
    };
    // A clean environment: no DATABASE_URL, no DATA_DIR, run from an empty directory.
    const env = { PATH: process.env.PATH ?? '', ZHENXUN_FROM_SOURCE: '1' };
    const cli = (...args: string[]) =>
      run(
        'node',
        [join(repoRoot, 'bin/zhenxun.js'), 'verify-qr', ...args, '--keys', join(dir, 'keys.json')],
        { env, cwd: dir },
      ).then(
        (r) => ({ code: 0, out: JSON.parse(r.stdout) }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: JSON.parse(e.stdout) }),
      );
    const [ok, holderOk, tamperedRun, unknownKey, wrongKey] = await Promise.all([
      cli(issued.qrPayload),
      cli(issued.qrPayload, '--name', holder.name, '--id', holder.idNumber),
      cli(tampered),
      cli(forge('kidNope1')),
      cli(forge(issued.kid)),
    ]);
    expect(ok).toMatchObject({
      code: 0,
      out: {
        valid: true,
        certificate: { id: issued.id, operationItemCode: '1.2', issuedOn: '2026-11-01' },
        authority: { name: '泰安市应急管理局（考核发证）' },
      },
    });
    expect(holderOk).toMatchObject({ code: 0, out: { valid: true, holderMatches: true } });
    expect(tamperedRun).toEqual({ code: 1, out: { valid: false, reason: 'bad_signature' } });
    expect(unknownKey).toEqual({ code: 1, out: { valid: false, reason: 'unknown_key' } });
    expect(wrongKey).toEqual({ code: 1, out: { valid: false, reason: 'bad_signature' } });
    expect(existsSync(join(dir, 'data'))).toBe(false);
    // Online the forged ones are refused too.
    expect((await post('/api/public/verify-qr', { payload: tampered })).json()).toMatchObject({
      found: false,
      signatureValid: false,
      reason: 'bad_signature',
      certificate: null,
    });
  }, 120_000);

  it('rotates keys: old certificates still verify, new ones carry the new kid', async () => {
    const rotated = await post('/api/certificates/keys/rotate', {}, 'authority');
    expect(rotated.statusCode, rotated.body).toBe(201);
    const keys = (await get('/api/public/keys')).json().keys;
    expect(keys).toHaveLength(2);
    expect(keys.find((k: { kid: string }) => k.kid === issued.kid).retiredAt).not.toBeNull();
    expect(
      keys
        .filter((k: { retiredAt: string | null }) => k.retiredAt === null)
        .map((k: { kid: string }) => k.kid),
    ).toEqual([rotated.json().kid]);
    expect(
      (await post('/api/public/verify-qr', { payload: issued.qrPayload })).json(),
    ).toMatchObject({ found: true, signatureValid: true });
    const fresh = await post(
      '/api/certificates',
      {
        personId: stranger.id,
        kind: 'special_operation',
        operationItemCode: '1.2',
        issuedOn: '2026-11-15',
      },
      'otherAuthority',
    );
    expect(fresh.statusCode, fresh.body).toBe(201);
    const mine = await post(
      '/api/certificates',
      {
        personId: holder.id,
        kind: 'special_operation',
        operationItemCode: '3.1',
        issuedOn: '2026-11-15',
      },
      'authority',
    );
    expect(mine.json().kid).toBe(rotated.json().kid);
    expect(mine.json().kid).not.toBe(fresh.json().kid);
    expect(await auditActions('authority_key.')).toEqual([
      'authority_key.create',
      'authority_key.rotate',
      'authority_key.create',
    ]);
    const etag = (await get('/api/public/keys')).headers.etag as string;
    const cached = await app.inject({
      method: 'GET',
      url: '/api/public/keys',
      headers: { 'if-none-match': etag },
    });
    expect(cached.statusCode).toBe(304);
    expect((await get('/api/public/keys')).headers['cache-control']).toContain('max-age');
  });

  it('computes the state from dates: review window, review, replacement, expiry — as the public sees it', async () => {
    const review = (occurredOn: string, who = 'authority') =>
      post(`/api/certificates/${issued.id}/events`, { kind: 'review', occurredOn }, who);
    const due = lastDayOf('2026-11-01', specialOperation.reviewEveryYears.value);
    const windowFrom = addDays(due, -specialOperation.reviewWindowDays.value);
    expect((await review('2026-11-20', 'worker')).statusCode).toBe(403);
    expect((await review('2026-11-20', 'regulator')).statusCode).toBe(403);
    expect((await review('2026-11-20', 'otherAuthority')).statusCode).toBe(404);
    const early = await review('2026-11-20');
    expect(early.statusCode).toBe(422);
    expect(early.json().error.details[0].code).toBe('review_not_due');

    clock = at(addDays(windowFrom, -1));
    expect((await publicCheck(issued.number, holder.name)).json().certificate.state).toBe('valid');
    clock = at(windowFrom);
    expect(
      (await publicCheck(issued.number, holder.name))
        .json()
        .certificates.find(
          (c: { operationItem: { code: string } }) => c.operationItem.code === '1.2',
        ).state,
    ).toBe('review_due');
    const reminders = (await get('/api/certificates/reminders?withinDays=60', 'authority')).json()
      .items;
    expect(reminders).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'review',
          due,
          certificate: expect.objectContaining({ id: issued.id }),
        }),
      ]),
    );
    expect(
      (await get('/api/certificates/reminders?withinDays=60', 'otherAuthority'))
        .json()
        .items.map((r: { certificate: { id: string } }) => r.certificate.id),
    ).not.toContain(issued.id);
    expect(
      (await get('/api/certificates/reminders?withinDays=60', 'worker')).json().items.length,
    ).toBeGreaterThan(0);
    expect(
      (await get('/api/certificates/reminders?withinDays=60', 'otherWorker')).json().items,
    ).toEqual([]);

    const passed = await review(windowFrom);
    expect(passed.statusCode, passed.body).toBe(201);
    expect(passed.json()).toMatchObject({
      state: 'valid',
      reviewDue: lastDayOf('2026-11-01', 2 * specialOperation.reviewEveryYears.value),
      cardEdition: 1,
    });

    // 补证: a new card (edition 2, signed with the current key), the same number; the old card is flagged.
    const replaced = await post(
      `/api/certificates/${issued.id}/events`,
      { kind: 'replace', occurredOn: windowFrom, reason: '原证遗失' },
      'authority',
    );
    expect(replaced.statusCode, replaced.body).toBe(201);
    expect(replaced.json().cardEdition).toBe(2);
    const card = (await get(`/api/certificates/${issued.id}/qr`, 'authority')).json();
    expect(card.payload).not.toBe(issued.qrPayload);
    expect((await post('/api/public/verify-qr', { payload: card.payload })).json()).toMatchObject({
      found: true,
      signatureValid: true,
      cardCurrent: true,
    });
    expect(
      (await post('/api/public/verify-qr', { payload: issued.qrPayload })).json(),
    ).toMatchObject({ found: true, signatureValid: true, cardCurrent: false });
    expect((await get(`/api/certificates/${issued.id}`, 'authority')).json()).toMatchObject({
      number: issued.number,
      cardEdition: 2,
    });

    // The next review is missed: 失效 the day after its due date.
    const nextDue = lastDayOf('2026-11-01', 2 * specialOperation.reviewEveryYears.value);
    clock = at(nextDue);
    expect(
      (await publicCheck(issued.number, holder.name))
        .json()
        .certificates.find(
          (c: { operationItem: { code: string } }) => c.operationItem.code === '1.2',
        ).state,
    ).toBe('review_due');
    clock = at(addDays(nextDue, 1));
    const lapsed = (await publicCheck(issued.number, holder.name))
      .json()
      .certificates.find(
        (c: { operationItem: { code: string } }) => c.operationItem.code === '1.2',
      );
    expect(lapsed).toMatchObject({ state: 'expired', stateSince: addDays(nextDue, 1) });
    expect((await review(addDays(nextDue, 1))).json().error.details[0].code).toBe('review_overdue');
    clock = at('2026-11-20');
  });

  it('revokes (visible publicly, with the re-application ban) and cancels; every event is audited', async () => {
    const certs = (await get(`/api/certificates?personId=${holder.id}`, 'authority')).json()
      .items as { id: string; operationItem: { code: string } }[];
    const welding = certs.find((c) => c.operationItem.code === '2.1')!;
    const heights = certs.find((c) => c.operationItem.code === '3.1')!;
    const revoked = await post(
      `/api/certificates/${welding.id}/events`,
      { kind: 'revoke', occurredOn: '2026-11-18', reason: '以欺骗手段取得证书', fraud: true },
      'authority',
    );
    expect(revoked.statusCode, revoked.body).toBe(201);
    expect(revoked.json()).toMatchObject({
      state: 'revoked',
      banUntil: addYears('2026-11-18', specialOperation.banAfterRevocationYears.value),
    });
    const pub = (await publicCheck(issued.number, holder.name)).json();
    expect(
      pub.certificates.find(
        (c: { operationItem: { code: string } }) => c.operationItem.code === '2.1',
      ),
    ).toMatchObject({ state: 'revoked', stateSince: '2026-11-18' });
    expect(JSON.stringify(pub)).not.toContain('欺骗');
    // Under the ban the person cannot be certified again, in any item.
    const banned = await post(
      '/api/certificates',
      {
        personId: holder.id,
        kind: 'special_operation',
        operationItemCode: '4.1',
        issuedOn: '2026-11-19',
      },
      'authority',
    );
    expect(banned.statusCode).toBe(422);
    expect(banned.json().error.details[0].code).toBe('revocation_ban');
    expect(
      (
        await post(
          `/api/certificates/${welding.id}/events`,
          { kind: 'replace', occurredOn: '2026-11-19', reason: '补证' },
          'authority',
        )
      ).json().error.details[0].code,
    ).toBe('revoked');

    const cancelled = await post(
      `/api/certificates/${heights.id}/events`,
      { kind: 'cancel', occurredOn: '2026-11-19', reason: '本人申请注销' },
      'authority',
    );
    expect(cancelled.json()).toMatchObject({ state: 'cancelled' });
    expect((await get(`/api/certificates/${heights.id}`, 'worker')).json()).toMatchObject({
      state: 'cancelled',
      stateSince: '2026-11-19',
      events: [expect.objectContaining({ kind: 'cancel', reason: '本人申请注销' })],
    });
    const detail = (await get(`/api/certificates/${welding.id}`, 'regulator')).json();
    expect(detail.revoked).toEqual({
      on: '2026-11-18',
      reason: '以欺骗手段取得证书',
      fraud: true,
      banUntil: addYears('2026-11-18', specialOperation.banAfterRevocationYears.value),
    });
    expect(await auditActions('certificate.')).toEqual([
      'certificate.issue',
      'certificate.issue',
      'certificate.issue',
      'certificate.issue',
      'certificate.issue',
      'certificate.review',
      'certificate.replace',
      'certificate.revoke',
      'certificate.cancel',
    ]);
  });

  it('reminds of the 合格证 annual re-training and extension within N days', async () => {
    const certs = (
      await get(`/api/certificates?personId=${holder.id}&kind=competency`, 'authority')
    ).json().items;
    const yearEnd = lastDayOf('2026-11-12', 1);
    clock = at(addDays(yearEnd, -30));
    const items = (await get('/api/certificates/reminders?withinDays=45', 'enterprise')).json()
      .items;
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'retraining',
          due: yearEnd,
          daysLeft: 30,
          certificate: expect.objectContaining({ id: certs[0].id }),
        }),
      ]),
    );
    expect(
      (await get('/api/certificates/reminders?withinDays=10', 'enterprise'))
        .json()
        .items.map((r: { kind: string }) => r.kind),
    ).not.toContain('retraining');
    const done = await post(
      `/api/certificates/${certs[0].id}/events`,
      { kind: 'retraining', occurredOn: addDays(yearEnd, -30) },
      'authority',
    );
    expect(done.statusCode, done.body).toBe(201);
    expect(
      (await get('/api/certificates/reminders?withinDays=45', 'enterprise'))
        .json()
        .items.map((r: { kind: string }) => r.kind),
    ).not.toContain('retraining');
    clock = at('2026-11-20');
  });

  it('counts queries for numbers that do not exist and shows them to the regulators of the number’s region', async () => {
    const fakeT = (n: number) =>
      `T${makeIdNumber({ regionCode6: '370902', birthDate: '1971-03-04', sequence: 100 + n })}`;
    for (let i = 0; i < 3; i++) await publicCheck(fakeT(i), '王五', '203.0.113.9');
    for (let i = 0; i < 2; i++) await publicCheck(`C37010020260009${i}`, '赵六', '203.0.113.10');
    for (let i = 0; i < 2; i++)
      await post(
        '/api/public/verify-qr',
        { payload: `ZX1.forged${i}~T~1.2.${'A'.repeat(86)}` },
        undefined,
        '203.0.113.11',
      );
    await publicCheck(fakeT(9), '王五', '203.0.113.12');
    const signals = async (who: string) => {
      const res = await get('/api/certificates/fake-signals', who);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items as {
        ip: string;
        queries: number;
        numbers: number;
        examples: string[];
        bySource: { number: number; qr: number };
      }[];
    };
    const city = await signals('regulator');
    expect(city.find((x) => x.ip === '203.0.113.9')).toMatchObject({
      queries: 3,
      numbers: 3,
      bySource: { number: 3, qr: 0 },
    });
    expect(
      city.find((x) => x.ip === '203.0.113.9')!.examples.every((e) => e.includes('**********')),
    ).toBe(true);
    expect(city.map((x) => x.ip)).not.toContain('203.0.113.10');
    expect(city.map((x) => x.ip)).not.toContain('203.0.113.11');
    expect(city.map((x) => x.ip)).not.toContain('203.0.113.12');
    expect(
      (await signals('otherRegulator')).map((x) => x.ip).filter((ip) => ip.startsWith('203.')),
    ).toEqual(['203.0.113.10']);
    const province = (await signals('province')).map((x) => x.ip);
    expect(province).toEqual(
      expect.arrayContaining(['203.0.113.9', '203.0.113.10', '203.0.113.11']),
    );
    expect((await get('/api/certificates/fake-signals', 'authority')).statusCode).toBe(403);
    expect((await get('/api/certificates/fake-signals')).statusCode).toBe(401);
    const logged = await t.db
      .selectFrom('verificationQuery')
      .select(['source', 'found', 'outcome', 'number'])
      .where('ip', 'like', '203.0.113.%')
      .execute();
    expect(logged).toHaveLength(8);
    expect(
      logged
        .filter((l) => l.source === 'qr')
        .every((l) => !l.found && l.outcome === 'malformed' && l.number === null),
    ).toBe(true);
  });

  it('matches a minority name however its middle dot and spaces are typed', async () => {
    const person = await buildPerson(t.db, { name: '阿依古丽·买买提', birthDate: '1992-03-04' });
    await t.db
      .insertInto('employment')
      .values({
        personId: person.id,
        organizationId: (
          await t.db
            .selectFrom('employment')
            .select('organizationId')
            .where('personId', '=', holder.id)
            .executeTakeFirstOrThrow()
        ).organizationId,
        regionCode: '370902',
        post: 'special_operator',
        operationItemCode: '2.1',
        startDate: '2024-01-01',
      })
      .execute();
    const res = await post(
      '/api/certificates',
      {
        personId: person.id,
        kind: 'special_operation',
        operationItemCode: '2.1',
        issuedOn: '2026-11-01',
      },
      'authority',
    );
    expect(res.statusCode, res.body).toBe(201);
    for (const typed of [
      '阿依古丽·买买提',
      '阿依古丽.买买提',
      '阿依古丽•买买提',
      ' 阿依古丽 ・ 买买提 ',
      '阿依古丽\u3000·买买提',
    ])
      expect((await publicCheck(res.json().number, typed)).json().found, typed).toBe(true);
    expect((await publicCheck(res.json().number, '阿依古丽买买提')).json().found).toBe(false);
  });

  it('rate-limits the public checks per address', async () => {
    const ip = '192.0.2.77';
    const codes: number[] = [];
    for (let i = 0; i <= publicVerifyLimit.max; i++)
      codes.push((await publicCheck('T000', '某', ip)).statusCode);
    expect(codes.slice(0, publicVerifyLimit.max).every((c) => c === 200)).toBe(true);
    expect(codes.at(-1)).toBe(429);
    expect((await publicCheck('T000', '某', '192.0.2.78')).statusCode).toBe(200);
    for (let i = 0; i <= publicVerifyLimit.max; i++)
      codes.push(
        (await post('/api/public/verify-qr', { payload: 'ZX1.not-a-real-payload' }, undefined, ip))
          .statusCode,
      );
    expect(codes.at(-1)).toBe(429);
  });
});

describe('migration 0009 keeps the revocations and cancellations written under 0008', () => {
  it('moves them into events and back', async () => {
    const t = await createTestDatabase('pglite', { migrate: false });
    try {
      const migrator = new Migrator({
        db: t.db,
        provider: { getMigrations: async () => migrations },
      });
      expect((await migrator.migrateTo('0008_certificates')).error).toBeUndefined();
      await loadRegions(t.db, '3709');
      const authority = await buildOrganization(t.db, {
        kind: 'exam_authority',
        regionCode: '3709',
      });
      const person = await buildPerson(t.db);
      await sql`insert into authority_key (kid, organization_id, public_key, private_key_enc) values ('k1', ${authority.id}, 'x', 'y')`.execute(
        t.db,
      );
      await sql`insert into certificate (number, kind, person_id, operation_item_code, authority_id, region_code, issued_on, valid_until, review_due, kid, qr_payload, revoked_on, revoke_reason, ban_until)
        values ('T1', 'special_operation', ${person.id}, '1.2', ${authority.id}, '3709', '2024-01-01', '2029-12-31', '2027-01-01', 'k1', 'p', '2025-01-01', '伪造', '2028-01-01')`.execute(
        t.db,
      );
      await sql`insert into certificate (number, kind, person_id, operation_item_code, authority_id, region_code, issued_on, valid_until, kid, qr_payload, cancelled_on)
        values ('T2', 'special_operation', ${person.id}, '2.1', ${authority.id}, '3709', '2024-01-01', '2029-12-31', 'k1', 'p', '2025-02-01')`.execute(
        t.db,
      );
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const events = await t.db
        .selectFrom('certificateEvent')
        .select(['kind', 'occurredOn', 'fraud', 'banUntil', 'reason'])
        .orderBy('occurredOn')
        .execute();
      expect(events).toEqual([
        {
          kind: 'revoke',
          occurredOn: '2025-01-01',
          fraud: true,
          banUntil: '2028-01-01',
          reason: '伪造',
        },
        { kind: 'cancel', occurredOn: '2025-02-01', fraud: false, banUntil: null, reason: null },
      ]);
      expect((await migrator.migrateTo('0008_certificates')).error).toBeUndefined();
      const back = await sql<{
        number: string;
        revokedOn: string | null;
        cancelledOn: string | null;
      }>`select number, revoked_on, cancelled_on from certificate order by number`.execute(t.db);
      expect(back.rows).toEqual([
        { number: 'T1', revokedOn: '2025-01-01', cancelledOn: null },
        { number: 'T2', revokedOn: null, cancelledOn: '2025-02-01' },
      ]);
    } finally {
      await t.close();
    }
  });
});
