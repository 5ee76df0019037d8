import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { beijingDay } from '../../catalog/calendar.js';

/**
 * The certificate QR payload and its offline check. This file imports nothing but node:crypto: a
 * verifier holding only the published keys (GET /api/public/keys) can run it, without the database
 * (`zhenxun verify-qr PAYLOAD --keys keys.json`). docs/certificates.md explains the design.
 *
 *   ZX1.<id>~<kind>~<item>~<issued>~<validUntil>~<edition>~<holder>~<kid>.<signature>
 *
 * id          the certificate's registry id, 16 bytes base64url (the online look-up key)
 * kind        T 特种作业操作证 | C 合格证
 * item        operation item or 合格证 category code (may contain '.')
 * issued, validUntil   YYYYMMDD
 * edition     the card's edition (a replacement or renewal prints a new card)
 * holder      base64url of the first 12 bytes of SHA-256("ZX1|" + id + "|" + name + "|" + ID number)
 * kid         the signing key's id in the published key list
 * signature   Ed25519 over the UTF-8 bytes before the last '.', base64url (86 characters)
 *
 * No personal data in clear: the "T" number is the ID number, so it is not in the QR; the holder is
 * bound by a hash salted with the certificate id, which someone with the card and the person in front
 * of them can check, but which is no lookup table of names for whoever collects QR codes.
 */
export const QR_PREFIX = 'ZX1';

export interface QrClaims {
  certificateId: string;
  kind: 'special_operation' | 'competency';
  operationItemCode: string;
  issuedOn: string;
  validUntil: string;
  cardEdition: number;
  holderHash: string;
  kid: string;
}

export interface PublishedKey {
  kid: string;
  publicKey: string;
  authority: { id: string; name: string; regionCode: string };
  createdAt: string;
  retiredAt: string | null;
}

export type QrFailure = 'malformed' | 'unknown_key' | 'bad_signature' | 'key_retired';
export type QrCheck =
  | { valid: true; claims: QrClaims; key: PublishedKey }
  | { valid: false; reason: QrFailure; claims?: QrClaims };

const compactId = (uuid: string) =>
  Buffer.from(uuid.replaceAll('-', ''), 'hex').toString('base64url');
function expandId(c: string): string | null {
  if (!/^[A-Za-z0-9_-]{22}$/.test(c)) return null;
  const hex = Buffer.from(c, 'base64url').toString('hex');
  return hex.length === 32
    ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    : null;
}
const compactDate = (iso: string) => iso.replaceAll('-', '');
const expandDate = (d: string) =>
  /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : null;

/** The holder binding: the name and ID number as printed on the card, salted with the certificate id. */
export function holderHash(certificateId: string, name: string, idNumber: string): string {
  return createHash('sha256')
    .update(
      `${QR_PREFIX}|${compactId(certificateId)}|${name.trim()}|${idNumber.trim().toUpperCase()}`,
    )
    .digest()
    .subarray(0, 12)
    .toString('base64url');
}

/** The signed part ("ZX1.<claims>"); the service appends "." + the signature. */
export function encodeClaims(c: QrClaims): string {
  const kind = c.kind === 'special_operation' ? 'T' : 'C';
  const fields = [
    compactId(c.certificateId),
    kind,
    c.operationItemCode,
    compactDate(c.issuedOn),
    compactDate(c.validUntil),
    String(c.cardEdition),
    c.holderHash,
    c.kid,
  ];
  if (fields.some((f, i) => f.includes('~') || (i !== 2 && f.includes('.'))))
    throw new Error('QR field contains a separator');
  return `${QR_PREFIX}.${fields.join('~')}`;
}

/** Splits and parses a payload (no signature check). */
export function parsePayload(
  payload: string,
): { signed: string; signature: string; claims: QrClaims } | null {
  const text = payload.trim();
  const first = text.indexOf('.');
  const last = text.lastIndexOf('.');
  if (first <= 0 || last <= first || text.slice(0, first) !== QR_PREFIX) return null;
  const signature = text.slice(last + 1);
  if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return null;
  const f = text.slice(first + 1, last).split('~');
  if (f.length !== 8) return null;
  const [id, kind, item, issued, valid, edition, holder, kid] = f;
  const certificateId = expandId(id);
  const issuedOn = expandDate(issued);
  const validUntil = expandDate(valid);
  if (
    !certificateId ||
    !issuedOn ||
    !validUntil ||
    (kind !== 'T' && kind !== 'C') ||
    !/^[1-9]\d{0,3}$/.test(edition) ||
    !item ||
    !holder ||
    !kid
  )
    return null;
  return {
    signed: text.slice(0, last),
    signature,
    claims: {
      certificateId,
      kind: kind === 'T' ? 'special_operation' : 'competency',
      operationItemCode: item,
      issuedOn,
      validUntil,
      cardEdition: Number(edition),
      holderHash: holder,
      kid,
    },
  };
}

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function rawPublicKey(key: KeyObject): string {
  return key
    .export({ format: 'der', type: 'spki' })
    .subarray(ED25519_SPKI_PREFIX.length)
    .toString('base64url');
}
export function publicKeyFromRaw(rawBase64url: string): KeyObject {
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(rawBase64url, 'base64url')]),
    format: 'der',
    type: 'spki',
  });
}

/**
 * Checks a payload against published keys, offline. A key retired before the certificate's issue
 * date cannot have signed it (a leaked old key cannot mint new certificates).
 */
export function verifyQrPayload(payload: string, keys: readonly PublishedKey[]): QrCheck {
  const parsed = parsePayload(payload);
  if (!parsed) return { valid: false, reason: 'malformed' };
  const { claims } = parsed;
  const key = keys.find((k) => k.kid === claims.kid);
  if (!key) return { valid: false, reason: 'unknown_key', claims };
  let ok = false;
  try {
    ok = verify(
      null,
      Buffer.from(parsed.signed, 'utf8'),
      publicKeyFromRaw(key.publicKey),
      Buffer.from(parsed.signature, 'base64url'),
    );
  } catch {
    ok = false;
  }
  if (!ok) return { valid: false, reason: 'bad_signature', claims };
  if (key.retiredAt && claims.issuedOn > beijingDay(key.retiredAt))
    return { valid: false, reason: 'key_retired', claims };
  return { valid: true, claims, key };
}

/** Whether the person in front of the verifier is the holder the QR was signed for. */
export function holderMatches(claims: QrClaims, name: string, idNumber: string): boolean {
  return holderHash(claims.certificateId, name, idNumber) === claims.holderHash;
}
