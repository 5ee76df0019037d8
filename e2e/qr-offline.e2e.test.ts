import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/platform/http/routing.js';
import { buildTestApp } from '../src/test-support/app.js';
import { createTestDatabase, type TestDatabase } from '../src/test-support/db.js';
import {
  cookieOf,
  seedTrustCity,
  type TrustCity,
  trustPerson,
  trustRefs,
} from '../src/test-support/trust-city.js';
import {
  type PublishedKey,
  publishedKeys,
  registryState,
  verifyCardOffline,
} from './qr-verifier.js';

/**
 * Issue 12 point 9: the offline check promised to anyone exists for anyone. A verifier written from
 * docs/certificates.md alone (e2e/qr-verifier.ts: node:crypto and the published keys, nothing from
 * src/) accepts a genuine card the server issued, binds it to its holder, refuses every tampered card,
 * and learns a revocation from the registry — the one thing no offline check can know.
 */
describe('an independent verifier written from docs/certificates.md', () => {
  let t: TestDatabase;
  let app: App;
  let city: TrustCity;
  let base: string;
  let keys: PublishedKey[];
  const holder = trustPerson(trustRefs.electrician);
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    city = await seedTrustCity(t.db);
    app = await buildTestApp(t);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    keys = await publishedKeys(base);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  /** The genuine card's payload with field `i` of the eight replaced. */
  const withField = (i: number, value: string) => {
    const text = city.certificate.qrPayload;
    const first = text.indexOf('.');
    const last = text.lastIndexOf('.');
    const fields = text.slice(first + 1, last).split('~');
    fields[i] = value;
    return `${text.slice(0, first + 1)}${fields.join('~')}${text.slice(last)}`;
  };

  it('imports nothing but node:crypto', () => {
    const source = readFileSync(new URL('./qr-verifier.ts', import.meta.url), 'utf8');
    expect([...source.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1])).toEqual(['node:crypto']);
    expect(source).not.toMatch(/\bimport\s*\(/);
  });

  it('accepts the genuine card, names its authority and binds its holder', () => {
    const r = verifyCardOffline(city.certificate.qrPayload, keys, holder);
    expect(r).toMatchObject({
      ok: true,
      authority: '信任测试city-exam-center单位',
      holderMatches: true,
      claims: {
        certificateId: city.certificate.id,
        kind: 'T',
        item: '1.2',
        issued: '20261030',
        edition: 1,
        kid: city.certificate.kid,
      },
    });
    // Someone else showing the card, or the right name with another ID number, is not its holder.
    const other = trustPerson(trustRefs.trainees[0]);
    expect(verifyCardOffline(city.certificate.qrPayload, keys, other)).toMatchObject({
      ok: true,
      holderMatches: false,
    });
    expect(
      verifyCardOffline(city.certificate.qrPayload, keys, {
        name: holder.name,
        idNumber: other.idNumber,
      }),
    ).toMatchObject({ holderMatches: false });
    // The documented normalisation: surrounding spaces (an ideographic one too) and a lower-case x.
    expect(
      verifyCardOffline(city.certificate.qrPayload, keys, {
        name: `\u3000${holder.name} `,
        idNumber: ` ${holder.idNumber.toLowerCase()}`,
      }),
    ).toMatchObject({ holderMatches: true });
  });

  it('refuses every tampered card', () => {
    const genuine = city.certificate.qrPayload;
    const tampered: [string, string, string][] = [
      ['validity extended', withField(4, '20991231'), 'bad_signature'],
      ['another item', withField(2, '1.1'), 'bad_signature'],
      ['a later card edition', withField(5, '2'), 'bad_signature'],
      ['another holder hash', withField(6, 'AAAAAAAAAAAAAAAA'), 'bad_signature'],
      ['special operation ↔ competency', withField(1, 'C'), 'bad_signature'],
      ['a key nobody published', withField(7, 'nokey123'), 'unknown_key'],
      [
        'one signature character changed',
        `${genuine.slice(0, -2)}${genuine.at(-2) === 'A' ? 'B' : 'A'}${genuine.at(-1)}`,
        'bad_signature',
      ],
      ['seven fields', withField(6, 'a~b').replace('~a~b', ''), 'malformed'],
      ['another format version', genuine.replace(/^ZX1\./, 'ZX2.'), 'malformed'],
    ];
    for (const [what, payload, reason] of tampered)
      expect(verifyCardOffline(payload, keys), what).toEqual({ ok: false, reason });

    // The claims signed with a key of the forger's own under the authority's kid: the published key says no.
    const { privateKey } = generateKeyPairSync('ed25519');
    const signed = genuine.slice(0, genuine.lastIndexOf('.'));
    const forged = `${signed}.${sign(null, Buffer.from(signed), privateKey).toString('base64url')}`;
    expect(verifyCardOffline(forged, keys)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('still verifies a revoked card offline, and learns the revocation from the registry', async () => {
    expect(await registryState(base, city.certificate.qrPayload)).toEqual({
      signatureValid: true,
      cardCurrent: true,
      state: 'valid',
    });
    const revoked = await app.inject({
      method: 'POST',
      url: `/api/certificates/${city.certificate.id}/events`,
      headers: { cookie: await cookieOf(app, city, 'authority') },
      payload: {
        kind: 'revoke',
        occurredOn: '2026-11-20',
        reason: '考试舞弊，经查属实',
        fraud: true,
      },
    });
    expect(revoked.statusCode, revoked.body).toBeLessThan(300);
    // The card's bytes did not change, so no offline check can tell…
    expect(verifyCardOffline(city.certificate.qrPayload, keys, holder)).toMatchObject({
      ok: true,
      holderMatches: true,
    });
    // …which is why the page sends the verifier to the registry for events after issue.
    expect(await registryState(base, city.certificate.qrPayload)).toMatchObject({
      signatureValid: true,
      state: 'revoked',
    });
  });
});
