import { createCipheriv, createDecipheriv, createHash, createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, scryptSync, sign } from 'node:crypto';
import { findOperationItem, competencyCategories } from '../../catalog/operations.js';
import { type Actor, hasRole, regionInScope } from '../../platform/auth/actor.js';
import { regionPrefix } from '../../platform/auth/scope-sql.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import { maskIdNumber, maskName } from '../registry/identifiers.rules.js';
import { findVisiblePerson } from '../registry/registry.service.js';
import { banUntil, type CertificateKind, certificateState, issueTerms } from './certificates.rules.js';
import { compactId, encodeClaims, expandId, holderHash, type PublishedKey, type QrClaims, verifyQrPayload } from './qr.js';

/**
 * Private signing keys are encrypted at rest with a key derived from CERT_KEY_SECRET. The development
 * default keeps `npm start` working; a deployment sets its own secret (README "Environment").
 */
const DEV_SECRET = 'zhenxun-development-only-certificate-key-secret';
function wrappingKey(): Buffer {
  return scryptSync(process.env.CERT_KEY_SECRET ?? DEV_SECRET, 'zhenxun.authority_key', 32);
}
function encryptPrivateKey(pem: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', wrappingKey(), iv);
  const body = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}
function decryptPrivateKey(enc: string): string {
  const [iv, tag, body] = enc.split('.').map((p) => Buffer.from(p, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', wrappingKey(), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

function requireAuthority(actor: Actor): string {
  if (!hasRole(actor, 'exam_authority') || !actor.organizationId) throw forbidden('只有考试机构可以签发证书');
  return actor.organizationId;
}

/** A new signing key for the authority; the old one is retired but stays published (old QR codes must verify). */
export async function rotateAuthorityKey(db: Executor, actor: Actor, now = new Date(), requestId?: string) {
  const organizationId = requireAuthority(actor);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64url');
  const kid = `${organizationId.slice(0, 8)}-${createHash('sha256').update(raw).digest('hex').slice(0, 8)}`;
  return transaction(db, async (trx) => {
    await trx.updateTable('authorityKey').set({ retiredAt: now }).where('organizationId', '=', organizationId).where('retiredAt', 'is', null).execute();
    await trx.insertInto('authorityKey').values({ kid, organizationId, publicKey: raw, privateKeyEnc: encryptPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()), createdAt: now }).execute();
    await recordAudit(trx, { actor, action: 'authority_key.rotate', entityType: 'authority_key', entityId: kid, regionCode: actor.regionCode, after: { kid, publicKey: raw }, requestId, at: now });
    return { kid, publicKey: raw };
  });
}

/** Every authority key, current and retired: what an offline verifier needs. */
export async function publishedKeys(db: Executor): Promise<PublishedKey[]> {
  const rows = await db
    .selectFrom('authorityKey as k')
    .innerJoin('organization as o', 'o.id', 'k.organizationId')
    .select(['k.kid', 'k.publicKey', 'k.createdAt', 'k.retiredAt', 'o.id', 'o.name', 'o.regionCode'])
    .orderBy('k.createdAt')
    .execute();
  return rows.map((r) => ({ kid: r.kid, publicKey: r.publicKey, authority: { id: r.id, name: r.name, regionCode: r.regionCode }, createdAt: r.createdAt.toISOString(), retiredAt: r.retiredAt?.toISOString() ?? null }));
}

export interface IssueInput {
  personId: string;
  kind: CertificateKind;
  operationItemCode: string;
  issuedOn: string;
}

/**
 * Issues a certificate and its signed QR. The exam module will call this from a passed result; until
 * then the exam authority calls it directly. Refused for a person under a re-application ban.
 */
export async function issueCertificate(db: Executor, actor: Actor, input: IssueInput, requestId?: string) {
  const authorityId = requireAuthority(actor);
  const person = await findVisiblePerson(db, actor, input.personId);
  const known = input.kind === 'special_operation' ? findOperationItem(input.operationItemCode)?.status === 'active' : competencyCategories.some((c) => c.code === input.operationItemCode);
  if (!known) throw new DomainError('validation_failed', `作业类别 ${input.operationItemCode} 不适用于该证书`, [{ path: 'body.operationItemCode', message: 'unknown for this kind' }]);
  return transaction(db, async (trx) => {
    const full = await trx.selectFrom('person').select(['idNumber', 'name']).where('id', '=', person.id).executeTakeFirstOrThrow();
    const ban = await trx.selectFrom('certificate').select(['banUntil', 'number']).where('personId', '=', person.id).where('banUntil', '>=', input.issuedOn).executeTakeFirst();
    if (ban) throw new DomainError('rule_violation', `持证人因证书 ${ban.number} 被撤销，${ban.banUntil} 前不得重新申请`, [{ path: 'body.personId', message: 'banned', code: 'revocation_ban' }]);
    const key = await trx.selectFrom('authorityKey').selectAll().where('organizationId', '=', authorityId).where('retiredAt', 'is', null).executeTakeFirst();
    if (!key) throw new DomainError('rule_violation', '本考试机构尚未生成签名密钥', [{ path: 'body', message: 'no signing key', code: 'no_signing_key' }]);
    const serial = Number((await trx.selectFrom('certificate').select((eb) => eb.fn.countAll<number>().as('n')).where('authorityId', '=', authorityId).executeTakeFirstOrThrow()).n) + 1;
    const terms = issueTerms(input.kind, full.idNumber, input.issuedOn, serial, actor.regionCode ?? '');
    const existing = await trx.selectFrom('certificate').select('id').where('number', '=', terms.number).executeTakeFirst();
    if (existing) throw new DomainError('duplicate', `证书编号 ${terms.number} 已存在（补证沿用原编号，不重新签发）`, [{ path: 'body', message: 'exists' }]);
    const id = randomUUID();
    const claims: QrClaims = { c: compactId(id), k: input.kind === 'special_operation' ? 'T' : 'C', i: input.operationItemCode, d: input.issuedOn, v: terms.validUntil, h: holderHash(full.name, full.idNumber), kid: key.kid };
    const body = encodeClaims(claims);
    const signature = sign(null, Buffer.from(body), createPrivateKey(decryptPrivateKey(key.privateKeyEnc))).toString('base64url');
    const row = await trx
      .insertInto('certificate')
      .values({ id, number: terms.number, kind: input.kind, personId: person.id, operationItemCode: input.operationItemCode, authorityId, regionCode: actor.regionCode ?? '', issuedOn: input.issuedOn, validUntil: terms.validUntil, reviewDue: terms.reviewDue, kid: key.kid, qrPayload: `${body}.${signature}` })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: 'certificate.issue', entityType: 'certificate', entityId: row.id, regionCode: row.regionCode, after: { ...row, qrPayload: undefined }, requestId });
    return row;
  });
}

/** Revocation (撤销) with its reason; for false information or fraud a 3-year ban follows. Audited. */
export async function revokeCertificate(db: Executor, actor: Actor, id: string, input: { reason: string; fraud: boolean; on: string }, requestId?: string) {
  requireAuthority(actor);
  return transaction(db, async (trx) => {
    const cert = await trx.selectFrom('certificate').selectAll().where('id', '=', id).executeTakeFirst();
    if (!cert || !regionInScope(actor.scope, cert.regionCode)) throw notFound('证书');
    const update = { revokedOn: input.on, revokeReason: input.reason, banUntil: banUntil(input.on, input.fraud) };
    await trx.updateTable('certificate').set(update).where('id', '=', id).execute();
    await recordAudit(trx, { actor, action: 'certificate.revoke', entityType: 'certificate', entityId: id, regionCode: cert.regionCode, before: cert, after: update, summary: input.reason, requestId });
    return update;
  });
}

async function logQuery(db: Executor, q: { ip: string; source: 'number' | 'qr'; number: string | null; found: boolean; at: Date }) {
  await db.insertInto('verificationQuery').values(q).execute();
}

/** A "T" number is the holder's ID number: the public sees it masked like the ID number. */
export function maskNumber(number: string): string {
  return number.startsWith('T') ? `T${maskIdNumber(number.slice(1))}` : number;
}

/** What the public sees of a certificate: masked holder, nothing else about the person. */
async function publicView(db: Executor, by: { number: string } | { id: string }, today: string) {
  const row = await db
    .selectFrom('certificate as c')
    .innerJoin('person as p', 'p.id', 'c.personId')
    .innerJoin('organization as a', 'a.id', 'c.authorityId')
    .select(['c.number', 'c.kind', 'c.operationItemCode', 'c.issuedOn', 'c.validUntil', 'c.reviewDue', 'c.revokedOn', 'c.cancelledOn', 'p.name', 'p.idNumber', 'a.name as authorityName'])
    .where('number' in by ? 'c.number' : 'c.id', '=', 'number' in by ? by.number : by.id)
    .executeTakeFirst();
  if (!row) return null;
  const item = findOperationItem(row.operationItemCode)?.name ?? competencyCategories.find((c) => c.code === row.operationItemCode)?.name ?? row.operationItemCode;
  return {
    holder: { name: row.name, idNumber: row.idNumber },
    certificate: {
      number: maskNumber(row.number),
      kind: row.kind,
      operationItem: { code: row.operationItemCode, name: item },
      issuingAuthority: row.authorityName,
      issuedOn: row.issuedOn,
      validUntil: row.validUntil,
      reviewDue: row.reviewDue,
      state: certificateState(row, today),
      holderNameMasked: maskName(row.name),
      idNumberMasked: maskIdNumber(row.idNumber),
    },
  };
}

const beijingToday = (now: Date) => new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** Public check by number + name (CONTRACTS.md "Public"): a wrong name answers exactly like an unknown number. */
export async function verifyByNumber(db: Executor, q: { number: string; name: string; ip: string }, now: Date) {
  const number = q.number.trim().toUpperCase();
  const view = await publicView(db, { number }, beijingToday(now));
  const found = view !== null && view.holder.name === q.name.trim();
  await logQuery(db, { ip: q.ip, source: 'number', number, found, at: now });
  return { found, certificate: found ? view!.certificate : null, checkedAt: now.toISOString() };
}

/** Public check of a scanned QR: the signature against the published keys, then the registry (revocation shows). */
export async function verifyQr(db: Executor, q: { payload: string; ip: string }, now: Date) {
  const check = verifyQrPayload(q.payload, await publishedKeys(db));
  const id = check.valid ? expandId(check.claims.c) : null;
  const view = id ? await publicView(db, { id }, beijingToday(now)) : null;
  const found = check.valid && view !== null;
  const number = view ? view.certificate.number : null;
  await logQuery(db, { ip: q.ip, source: 'qr', number, found, at: now });
  return { found, signatureValid: check.valid, reason: check.valid ? null : check.reason, certificate: found ? view!.certificate : null, checkedAt: now.toISOString() };
}

/**
 * The fake-certificate signal: sources asking for numbers that do not exist. A regulator sees the
 * queries for numbers of its jurisdiction (a "T" number carries the holder's birthplace code), a
 * provincial or national one all of them.
 */
export async function fakeCertificateSignals(db: Executor, actor: Actor, since: Date) {
  if (!hasRole(actor, 'regulator') || actor.scope.kind !== 'region') throw forbidden('只有监管部门可以查看假证信号');
  const prefix = regionPrefix(actor.scope);
  const rows = await db
    .selectFrom('verificationQuery')
    .select((eb) => ['ip', eb.fn.countAll<number>().as('queries'), eb.fn.count<number>('number').distinct().as('numbers'), eb.fn.max('at').as('lastAt')])
    .where('found', '=', false)
    .where('at', '>=', since)
    .where((eb) => (actor.scope.kind === 'region' && actor.scope.regionCode.length > 2 ? eb('number', 'like', `T${prefix}`) : eb.lit(true)))
    .groupBy('ip')
    .orderBy('queries', 'desc')
    .limit(100)
    .execute();
  return rows.map((r) => ({ ip: r.ip, queries: Number(r.queries), numbers: Number(r.numbers), lastAt: new Date(r.lastAt as unknown as string).toISOString() }));
}
