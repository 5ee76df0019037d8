import { createHash, createPublicKey, verify } from 'node:crypto';

/**
 * A certificate QR verifier written from docs/certificates.md ("The QR payload, byte for byte") and
 * nothing else: node:crypto and the keys a server publishes at GET /api/public/keys. It deliberately
 * imports nothing from src/ — it stands for the verifier anyone outside this codebase would write, so
 * the documentation is what it tests (issue 12 point 9).
 */

export interface PublishedKey {
  kid: string;
  authority: { id: string; name: string; regionCode: string };
  publicKey: string;
  createdAt: string;
  retiredAt: string | null;
}

export interface CardClaims {
  /** The certificate's UUID, as the registry writes it. */
  certificateId: string;
  /** The `id` field as carried (22 base64url characters): the salt of the holder hash. */
  idField: string;
  kind: 'T' | 'C';
  item: string;
  issued: string;
  validUntil: string;
  edition: number;
  holder: string;
  kid: string;
}

export type OfflineResult =
  | { ok: true; claims: CardClaims; authority: string; holderMatches: boolean | null }
  | { ok: false; reason: 'malformed' | 'unknown_key' | 'bad_signature' | 'key_retired' };

const B64URL = /^[A-Za-z0-9_-]+$/;

function isoDate(yyyymmdd: string): string | null {
  return /^\d{8}$/.test(yyyymmdd)
    ? `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6)}`
    : null;
}

/** Step 1: split at the first and last '.', eight '~' fields. */
export function parseCard(
  text: string,
): { signed: string; signature: string; claims: CardClaims } | null {
  const payload = text.trim();
  const first = payload.indexOf('.');
  const last = payload.lastIndexOf('.');
  if (first < 0 || last <= first || payload.slice(0, first) !== 'ZX1') return null;
  const signature = payload.slice(last + 1);
  if (signature.length !== 86 || !B64URL.test(signature)) return null;
  const fields = payload.slice(first + 1, last).split('~');
  if (fields.length !== 8) return null;
  const [idField, kind, item, issued, validUntil, edition, holder, kid] = fields;
  if (idField.length !== 22 || !B64URL.test(idField)) return null;
  const idBytes = Buffer.from(idField, 'base64url');
  if (idBytes.length !== 16) return null;
  const hex = idBytes.toString('hex');
  if (kind !== 'T' && kind !== 'C') return null;
  if (!item || !/^[1-9]\d{0,3}$/.test(edition)) return null;
  if (!isoDate(issued) || !isoDate(validUntil)) return null;
  if (holder.length !== 16 || !B64URL.test(holder)) return null;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(kid)) return null;
  return {
    signed: payload.slice(0, last),
    signature,
    claims: {
      certificateId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
      idField,
      kind,
      item,
      issued,
      validUntil,
      edition: Number(edition),
      holder,
      kid,
    },
  };
}

/** Step 4: the first 12 bytes of SHA-256("ZX1|<id field>|<name>|<ID number>"), base64url. */
export function holderHashOf(idField: string, name: string, idNumber: string): string {
  return createHash('sha256')
    .update(`ZX1|${idField}|${name.trim()}|${idNumber.trim().toUpperCase()}`, 'utf8')
    .digest()
    .subarray(0, 12)
    .toString('base64url');
}

/** The Beijing (UTC+8) calendar date of an ISO time, as YYYYMMDD. */
function beijingDate(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
}

/** Steps 1–4 of the page, offline: the published keys and, if at hand, the holder's name and ID number. */
export function verifyCardOffline(
  text: string,
  keys: readonly PublishedKey[],
  holder?: { name: string; idNumber: string },
): OfflineResult {
  const card = parseCard(text);
  if (!card) return { ok: false, reason: 'malformed' };
  const key = keys.find((k) => k.kid === card.claims.kid);
  if (!key) return { ok: false, reason: 'unknown_key' };
  let valid = false;
  try {
    valid = verify(
      null,
      Buffer.from(card.signed, 'utf8'),
      createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey }, format: 'jwk' }),
      Buffer.from(card.signature, 'base64url'),
    );
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: 'bad_signature' };
  if (key.retiredAt && card.claims.issued > beijingDate(key.retiredAt))
    return { ok: false, reason: 'key_retired' };
  return {
    ok: true,
    claims: card.claims,
    authority: key.authority.name,
    holderMatches: holder
      ? holderHashOf(card.claims.idField, holder.name, holder.idNumber) === card.claims.holder
      : null,
  };
}

/** What no offline check can know (revocation, cancellation, a newer card): the registry's answer. */
export async function registryState(
  baseUrl: string,
  text: string,
): Promise<{ signatureValid: boolean; cardCurrent: boolean | null; state: string | null }> {
  const res = await fetch(`${baseUrl}/api/public/verify-qr`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ payload: text }),
  });
  if (!res.ok) throw new Error(`verify-qr answered ${res.status}`);
  const body = (await res.json()) as {
    signatureValid: boolean;
    cardCurrent: boolean | null;
    certificate: { state: string } | null;
  };
  return {
    signatureValid: body.signatureValid,
    cardCurrent: body.cardCurrent,
    state: body.certificate?.state ?? null,
  };
}

export async function publishedKeys(baseUrl: string): Promise<PublishedKey[]> {
  const res = await fetch(`${baseUrl}/api/public/keys`);
  if (!res.ok) throw new Error(`keys answered ${res.status}`);
  return ((await res.json()) as { keys: PublishedKey[] }).keys;
}
