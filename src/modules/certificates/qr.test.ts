import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import fc from 'fast-check';
import encodeQR from 'qr';
import decodeQR from 'qr/decode.js';
import { describe, expect, it } from 'vitest';
import { competencyCategories, operationItems } from '../../catalog/operations.js';
import {
  encodeClaims,
  holderHash,
  holderMatches,
  type PublishedKey,
  parsePayload,
  type QrClaims,
  rawPublicKey,
  verifyQrPayload,
} from './qr.js';

function keyPair(kid: string, retiredAt: string | null = null) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const published: PublishedKey = {
    kid,
    publicKey: rawPublicKey(publicKey),
    authority: { id: randomUUID(), name: '山东省应急管理厅', regionCode: '37' },
    createdAt: '2026-01-01T00:00:00.000Z',
    retiredAt,
  };
  const signPayload = (claims: QrClaims) => {
    const body = encodeClaims(claims);
    return `${body}.${sign(null, Buffer.from(body), privateKey).toString('base64url')}`;
  };
  return { published, signPayload };
}

const idNumber = '370902198506151237';
const claimsFor = (kid: string, over: Partial<QrClaims> = {}): QrClaims => {
  const certificateId = randomUUID();
  return {
    certificateId,
    kind: 'special_operation',
    operationItemCode: '1.2',
    issuedOn: '2026-11-01',
    validUntil: '2032-10-31',
    cardEdition: 1,
    holderHash: holderHash(certificateId, '张三林', idNumber),
    kid,
    ...over,
  };
};

describe('certificate QR payload', () => {
  const a = keyPair('kidA0001');

  it('stays under 200 characters for every item and 合格证 category, and carries no personal data in clear', () => {
    const codes = [
      ...operationItems.map((i) => ({ code: i.code, kind: 'special_operation' as const })),
      ...competencyCategories.map((c) => ({ code: c.code, kind: 'competency' as const })),
    ];
    for (const { code, kind } of codes) {
      const payload = a.signPayload(
        claimsFor('kidA0001', { operationItemCode: code, kind, cardEdition: 12 }),
      );
      expect(payload.length, code).toBeLessThan(200);
      expect(payload).not.toContain(idNumber);
      expect(payload).not.toContain(idNumber.slice(6, 14));
      expect(Buffer.from(payload, 'utf8').toString()).not.toContain('张');
    }
  });

  it('round-trips its fields and verifies; the holder binding checks name and ID number', () => {
    const claims = claimsFor('kidA0001');
    const payload = a.signPayload(claims);
    expect(parsePayload(payload)?.claims).toEqual(claims);
    const check = verifyQrPayload(payload, [a.published]);
    expect(check).toMatchObject({ valid: true, claims });
    expect(holderMatches(claims, '张三林', idNumber)).toBe(true);
    expect(holderMatches(claims, ' 张三林 ', idNumber.toLowerCase())).toBe(true);
    expect(holderMatches(claims, '张三', idNumber)).toBe(false);
    // Salted with the certificate id: the same holder gives a different hash on another certificate.
    expect(holderHash(randomUUID(), '张三林', idNumber)).not.toBe(claims.holderHash);
  });

  it('rejects any single changed character', () => {
    const payload = a.signPayload(claimsFor('kidA0001'));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~';
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: payload.length - 1 }),
        fc.constantFrom(...alphabet),
        (i, ch) => {
          if (payload[i] === ch) return;
          const tampered = `${payload.slice(0, i)}${ch}${payload.slice(i + 1)}`;
          // The last character of the signature carries 4 unused bits: changing only those decodes to the same bytes.
          if (
            i === payload.length - 1 &&
            Buffer.from(tampered.slice(-86), 'base64url').equals(
              Buffer.from(payload.slice(-86), 'base64url'),
            )
          )
            return;
          expect(verifyQrPayload(tampered, [a.published]).valid).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects a payload signed by a key not in the list, and one claiming a listed key it was not signed with', () => {
    const stranger = keyPair('kidZ9999');
    expect(
      verifyQrPayload(stranger.signPayload(claimsFor('kidZ9999')), [a.published]),
    ).toMatchObject({ valid: false, reason: 'unknown_key' });
    expect(
      verifyQrPayload(stranger.signPayload(claimsFor('kidA0001')), [a.published]),
    ).toMatchObject({ valid: false, reason: 'bad_signature' });
    expect(verifyQrPayload('ZX1.garbage.x', [a.published])).toMatchObject({
      valid: false,
      reason: 'malformed',
    });
  });

  it('a retired key still verifies what it signed before it was retired, but nothing issued after', () => {
    const old = keyPair('kidOld01', '2026-06-30T16:30:00.000Z');
    expect(
      verifyQrPayload(old.signPayload(claimsFor('kidOld01', { issuedOn: '2026-06-30' })), [
        old.published,
      ]).valid,
    ).toBe(true);
    // 16:30 UTC is already 1 July in Beijing: a certificate of 1 July may still carry it.
    expect(
      verifyQrPayload(old.signPayload(claimsFor('kidOld01', { issuedOn: '2026-07-01' })), [
        old.published,
      ]).valid,
    ).toBe(true);
    expect(
      verifyQrPayload(old.signPayload(claimsFor('kidOld01', { issuedOn: '2026-07-02' })), [
        old.published,
      ]),
    ).toMatchObject({ valid: false, reason: 'key_retired' });
  });

  it('the QR symbol decodes back to the payload', () => {
    const payload = a.signPayload(
      claimsFor('kidA0001', {
        operationItemCode: 'C.safety_manager.high_risk',
        kind: 'competency',
      }),
    );
    const matrix = encodeQR(payload, 'raw', { ecc: 'medium', border: 2 });
    const scale = 4;
    const size = matrix.length * scale;
    const data = new Uint8Array(size * size * 4);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const v = matrix[Math.floor(y / scale)][Math.floor(x / scale)] ? 0 : 255;
        data.set([v, v, v, 255], (y * size + x) * 4);
      }
    expect(decodeQR({ width: size, height: size, data })).toBe(payload);
    expect(encodeQR(payload, 'svg', { ecc: 'medium', border: 2 })).toMatch(/^<svg/);
  });
});
