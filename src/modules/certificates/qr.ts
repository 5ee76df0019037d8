import { createHash, createPublicKey, verify } from 'node:crypto';

/**
 * The certificate QR payload and its offline check. Imports nothing from the database: a verifier
 * with only the published keys (GET /api/public/keys) can run it.
 *
 *   ZX1.<base64url(JSON claims)>.<base64url(Ed25519 signature over "ZX1." + the claims part)>
 *
 * The claims carry no personal data in clear: the holder is bound by `h`, the first 16 hex digits of
 * SHA-256("name|ID number"), so someone holding the card (or the person in front of them) can check it
 * matches, while a scanned QR alone reveals nobody's identity.
 */
export interface QrClaims {
  /** the certificate's registry id, 16 bytes base64url (for the online lookup; the number itself, "T" + ID number, stays out) */
  c: string;
  /** 'T' 特种作业操作证 | 'C' 合格证 */
  k: 'T' | 'C';
  /** operation item or competency category code */
  i: string;
  /** issued on, valid until (YYYY-MM-DD) */
  d: string;
  v: string;
  /** holder binding */
  h: string;
  /** signing key id */
  kid: string;
}

export interface PublishedKey {
  kid: string;
  publicKey: string;
  authority: { id: string; name: string; regionCode: string };
  createdAt: string;
  retiredAt: string | null;
}

export const QR_PREFIX = 'ZX1';

export function holderHash(name: string, idNumber: string): string {
  return createHash('sha256').update(`${name.trim()}|${idNumber.trim().toUpperCase()}`).digest('hex').slice(0, 16);
}

const b64url = (b: Buffer) => b.toString('base64url');

export function encodeClaims(claims: QrClaims): string {
  return `${QR_PREFIX}.${b64url(Buffer.from(JSON.stringify(claims)))}`;
}

export const compactId = (uuid: string) => Buffer.from(uuid.replaceAll('-', ''), 'hex').toString('base64url');
export function expandId(c: string): string | null {
  const hex = Buffer.from(c, 'base64url').toString('hex');
  return hex.length === 32 ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : null;
}

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function publicKeyFromRaw(rawBase64url: string) {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(rawBase64url, 'base64url')]), format: 'der', type: 'spki' });
}

export type QrCheck = { valid: true; claims: QrClaims; key: PublishedKey } | { valid: false; reason: 'malformed' | 'unknown_key' | 'bad_signature' };

export function verifyQrPayload(payload: string, keys: readonly PublishedKey[]): QrCheck {
  const parts = payload.trim().split('.');
  if (parts.length !== 3 || parts[0] !== QR_PREFIX) return { valid: false, reason: 'malformed' };
  let claims: QrClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { valid: false, reason: 'malformed' };
  }
  if (typeof claims?.kid !== 'string' || typeof claims.c !== 'string') return { valid: false, reason: 'malformed' };
  const key = keys.find((k) => k.kid === claims.kid);
  if (!key) return { valid: false, reason: 'unknown_key' };
  const ok = verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), publicKeyFromRaw(key.publicKey), Buffer.from(parts[2], 'base64url'));
  return ok ? { valid: true, claims, key } : { valid: false, reason: 'bad_signature' };
}
