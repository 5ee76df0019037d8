import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  scryptSync,
  sign,
} from 'node:crypto';
import encodeQR from 'qr';
import { addDays, beijingDay, daysBetween } from '../../catalog/calendar.js';
import {
  competencyCategories,
  examinableItem,
  findOperationItem,
} from '../../catalog/operations.js';
import { certificateKeySecret } from '../../config.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Actor, authorityOf, hasRole } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import { maskIdNumber, maskName } from '../registry/identifiers.rules.js';
import { findVisiblePerson } from '../registry/registry.service.js';
import {
  type CertificateDetail,
  type CertificateEventCreate,
  type CertificateEventKind,
  type CertificateIssue,
  type CertificateSummary,
  certificateEventKinds,
  type FakeSignal,
  type PublicCertificate,
  type PublicVerifyAnswer,
  type PublicVerifyQrAnswer,
  type QueryOutcome,
  type Reminder,
} from './certificates.contract.js';
import * as repo from './certificates.repository.js';
import {
  banUntil,
  type CertificateStatus,
  certificateStatus,
  checkEvent,
  competencyNumber,
  competencyNumberPrefix,
  dueBetween,
  type EventFacts,
  inForce,
  issuedValidUntil,
  maskNumber,
  numberRegion,
  reviewRenews,
  specialOperationNumber,
} from './certificates.rules.js';
import {
  encodeClaims,
  holderHash,
  type PublishedKey,
  rawPublicKey,
  verifyQrPayload,
} from './qr.js';
import { queryLogOf } from './query-log.js';

type Page = { page: number; pageSize: number };

// ——— signing keys ———

/**
 * Private keys are stored PKCS#8, AES-256-GCM encrypted under a key derived from CERT_KEY_SECRET
 * (config.ts). The derived key is cached per secret: scrypt is deliberately slow.
 */
const wrappingKeys = new Map<string, Buffer>();
function wrappingKey(): Buffer {
  const secret = certificateKeySecret();
  let key = wrappingKeys.get(secret);
  if (!key) {
    key = scryptSync(secret, 'zhenxun.authority_key', 32);
    wrappingKeys.set(secret, key);
  }
  return key;
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
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(
      'cannot decrypt an authority signing key: CERT_KEY_SECRET differs from the one it was stored under',
    );
  }
}

function requireAuthority(actor: Actor): string {
  const id = authorityOf(actor);
  if (!id) throw forbidden('只有考试机构（考核发证机关）可以办理证书');
  return id;
}

/**
 * Whether the caller acts for this exam authority (考核发证机关): only it holds its signing keys,
 * issues its certificates and records their events. The bundle import asks the same of every key,
 * certificate and certificate event it brings in.
 */
export function certifiesFor(actor: Actor, authorityId: string): boolean {
  return authorityOf(actor) === authorityId;
}

/** A new Ed25519 key for the authority; the one in use is retired but stays published (old QR codes must verify). */
async function createKey(
  trx: Executor,
  actor: Actor,
  organizationId: string,
  regionCode: string | null,
  now: Date,
  requestId: string | undefined,
  action: 'authority_key.create' | 'authority_key.rotate',
) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  let kid = createHash('sha256').update(raw).digest('base64url').slice(0, 8);
  while (await repo.kidExists(trx, kid)) kid = randomBytes(6).toString('base64url');
  await repo.retireKeys(trx, organizationId, now);
  const row = await repo.insertKey(trx, {
    kid,
    organizationId,
    publicKey: raw,
    privateKeyEnc: encryptPrivateKey(
      privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    ),
    createdAt: now,
  });
  await recordAudit(trx, {
    actor,
    action,
    entityType: 'authority_key',
    entityId: kid,
    regionCode,
    after: { kid, organizationId, publicKey: raw },
    requestId,
    at: now,
  });
  return { kid: row.kid, publicKey: row.publicKey };
}

export async function rotateAuthorityKey(
  db: Executor,
  actor: Actor,
  now = new Date(),
  requestId?: string,
) {
  const organizationId = requireAuthority(actor);
  return transaction(db, async (trx) => {
    await repo.findActiveKey(trx, organizationId, { lock: true });
    const { kid, publicKey } = await createKey(
      trx,
      actor,
      organizationId,
      actor.regionCode,
      now,
      requestId,
      'authority_key.rotate',
    );
    return { kid, publicKey };
  });
}

/** The key the authority signs with now, created on first use; locked, so issuing serializes per authority. */
async function signingKey(
  trx: Executor,
  actor: Actor,
  organizationId: string,
  regionCode: string,
  now: Date,
  requestId?: string,
) {
  const active = await repo.findActiveKey(trx, organizationId, { lock: true });
  if (active) return active;
  await createKey(trx, actor, organizationId, regionCode, now, requestId, 'authority_key.create');
  return (await repo.findActiveKey(trx, organizationId, { lock: true }))!;
}

function signPayload(
  key: { kid: string; privateKeyEnc: string },
  claims: Parameters<typeof encodeClaims>[0],
): string {
  const body = encodeClaims(claims);
  const signature = sign(
    null,
    Buffer.from(body, 'utf8'),
    createPrivateKey(decryptPrivateKey(key.privateKeyEnc)),
  ).toString('base64url');
  return `${body}.${signature}`;
}

/** Every authority key, current and retired: what an offline verifier needs. */
export async function publishedKeys(db: Executor): Promise<PublishedKey[]> {
  const rows = await repo.listPublishedKeys(db);
  return rows.map((r) => ({
    kid: r.kid,
    authority: { id: r.authorityId, name: r.authorityName, regionCode: r.regionCode },
    publicKey: r.publicKey,
    createdAt: r.createdAt.toISOString(),
    retiredAt: r.retiredAt?.toISOString() ?? null,
  }));
}

// ——— presenters ———

export function itemName(code: string): string {
  return (
    findOperationItem(code)?.name ?? competencyCategories.find((c) => c.code === code)?.name ?? code
  );
}

type Row = repo.CertificateRow;
type EventRow = Awaited<ReturnType<typeof repo.listEvents>>[number];

const eventFacts = (e: Omit<EventRow, 'createdAt'>): EventFacts => ({
  kind: e.kind,
  occurredOn: e.occurredOn,
  extended: e.extended,
  fraud: e.fraud,
  banUntil: e.banUntil,
  reason: e.reason,
});

function statusOf(row: Row, events: readonly EventRow[], today: string): CertificateStatus {
  return certificateStatus(row, events.map(eventFacts), today);
}

function summary(row: Row, s: CertificateStatus): CertificateSummary {
  return {
    id: row.id,
    number: row.number,
    kind: row.kind,
    operationItem: { code: row.operationItemCode, name: itemName(row.operationItemCode) },
    holder: {
      id: row.personId,
      name: row.holderName,
      idNumberMasked: maskIdNumber(row.holderIdNumber),
    },
    authority: { id: row.authorityId, name: row.authorityName },
    regionCode: row.regionCode,
    issuedOn: row.issuedOn,
    validUntil: s.validUntil,
    reviewDue: s.reviewDue,
    state: s.state,
    stateSince: s.stateSince,
  };
}

function publicView(row: Row, s: CertificateStatus): PublicCertificate {
  return {
    number: maskNumber(row.number),
    kind: row.kind,
    operationItem: { code: row.operationItemCode, name: itemName(row.operationItemCode) },
    issuingAuthority: row.authorityName,
    issuedOn: row.issuedOn,
    validUntil: s.validUntil,
    reviewDue: s.reviewDue,
    state: s.state,
    stateSince: s.stateSince,
    holderNameMasked: maskName(row.holderName),
    idNumberMasked: maskIdNumber(row.holderIdNumber),
  };
}

function groupEvents(events: readonly EventRow[]): Map<string, EventRow[]> {
  const m = new Map<string, EventRow[]>();
  for (const e of events) m.set(e.certificateId, [...(m.get(e.certificateId) ?? []), e]);
  return m;
}

// ——— issuing ———

export interface IssueInput extends Omit<CertificateIssue, 'authorityId'> {
  authorityId?: string;
  /** The exam result it is issued from (the exam module passes its result id). */
  resultRef?: string;
}

/**
 * Issues a certificate with its signed QR. The exam module calls this from a passed result inside its
 * own transaction; until then an exam authority calls it through POST /api/certificates. The caller is
 * the exam authority (考核发证机关) itself, for a person in its jurisdiction. Refused for a person under
 * a re-application ban, or who holds a certificate of the same item in force. Audited.
 */
export async function issueCertificate(
  db: Executor,
  actor: Actor,
  input: IssueInput,
  opts: { now?: Date; requestId?: string } = {},
) {
  const now = opts.now ?? new Date();
  const organizationId = requireAuthority(actor);
  const authorityId = input.authorityId ?? organizationId;
  if (!certifiesFor(actor, authorityId)) throw forbidden('只能以本考试机构的名义发证');
  const today = beijingDay(now);
  if (input.issuedOn > today)
    throw new DomainError('validation_failed', '发证日期不能晚于今天', [
      { path: 'body.issuedOn', message: 'in the future' },
    ]);
  if (!examinableItem(input.operationItemCode, input.kind))
    throw new DomainError(
      'validation_failed',
      `${input.operationItemCode} 不是该类证书的作业类别`,
      [{ path: 'body.operationItemCode', message: 'unknown for this kind' }],
    );
  return transaction(db, async (trx) => {
    const authority = await repo.findAuthorityOrganization(trx, authorityId);
    if (authority?.kind !== 'exam_authority' || authority.status !== 'active')
      throw forbidden('发证机构不是在册的考试机构');
    const person = await findVisiblePerson(trx, actor, input.personId);
    const key = await signingKey(
      trx,
      actor,
      authorityId,
      authority.regionCode,
      now,
      opts.requestId,
    );
    const { ban, inForce: live } = await certificateStanding(
      trx,
      person.id,
      input.operationItemCode,
      input.issuedOn,
    );
    if (ban)
      throw new DomainError(
        'rule_violation',
        `证书 ${ban.number} 因弄虚作假被撤销，${ban.until} 前不得再次申请`,
        [{ path: 'body.personId', message: 'banned', code: 'revocation_ban', banUntil: ban.until }],
      );
    if (live)
      throw new DomainError(
        'duplicate',
        `持证人已有该作业类别在有效期内的证书（${live.number}，${live.issuedOn} 发证）；补证请登记"补证"`,
        [
          {
            path: 'body.operationItemCode',
            message: 'certificate in force',
            code: 'already_certified',
            certificateId: live.id,
          },
        ],
      );

    const holder = await repo.findHolder(trx, person.id);
    let number: string;
    if (input.kind === 'special_operation') {
      number = specialOperationNumber(holder.idNumber);
    } else {
      const prefix = competencyNumberPrefix(authority.regionCode, input.issuedOn.slice(0, 4));
      await repo.lockNumberPrefix(trx, prefix);
      number = competencyNumber(
        authority.regionCode,
        input.issuedOn.slice(0, 4),
        (await repo.maxCompetencySerial(trx, prefix)) + 1,
      );
    }
    const id = randomUUID();
    const validUntil = issuedValidUntil(input.kind, input.issuedOn);
    const qrPayload = signPayload(key, {
      certificateId: id,
      kind: input.kind,
      operationItemCode: input.operationItemCode,
      issuedOn: input.issuedOn,
      validUntil,
      cardEdition: 1,
      holderHash: holderHash(id, holder.name, holder.idNumber),
      kid: key.kid,
    });
    const row = await repo.insertCertificate(trx, {
      id,
      number,
      kind: input.kind,
      personId: person.id,
      operationItemCode: input.operationItemCode,
      authorityId,
      regionCode: authority.regionCode,
      issuedOn: input.issuedOn,
      validUntil,
      kid: key.kid,
      qrPayload,
      resultRef: input.resultRef ?? null,
    });
    await recordAudit(trx, {
      actor,
      action: 'certificate.issue',
      entityType: 'certificate',
      entityId: id,
      regionCode: row.regionCode,
      after: row,
      summary: `${number} ${itemName(input.operationItemCode)}`,
      requestId: opts.requestId,
      at: now,
    });
    return { id, number, kind: row.kind, validUntil, kid: key.kid, qrPayload };
  });
}

/**
 * What other modules need to know of a person's certificates for one item on a date: a
 * re-application ban running, and a certificate in force (exam registration and examiner checks).
 */
export async function certificateStanding(
  db: Executor,
  personId: string,
  operationItemCode: string,
  on: string,
) {
  const ban = await repo.findActiveBan(db, personId, on);
  const same = await repo.listCertificatesOfPersonItem(db, personId, operationItemCode);
  const events = groupEvents(
    await repo.listEvents(
      db,
      same.map((c) => c.id),
    ),
  );
  const live = same.find((c) =>
    inForce(certificateStatus(c, (events.get(c.id) ?? []).map(eventFacts), on)),
  );
  return {
    ban: ban ? { number: maskNumber(ban.number), until: ban.banUntil! } : null,
    inForce: live
      ? { id: live.id, number: maskNumber(live.number), issuedOn: live.issuedOn }
      : null,
  };
}

// ——— reading ———

export async function listCertificates(
  db: Executor,
  actor: Actor,
  filter: repo.CertificateFilter,
  page: Page,
  now = new Date(),
) {
  const today = beijingDay(now);
  const { items, total } = await repo.listCertificates(db, actor.scope, filter, page);
  const events = groupEvents(
    await repo.listEvents(
      db,
      items.map((r) => r.id),
    ),
  );
  return {
    items: items.map((r) => summary(r, statusOf(r, events.get(r.id) ?? [], today))),
    total,
    ...page,
  };
}

async function allowedEvents(
  db: Executor,
  actor: Actor,
  row: Row,
  events: readonly EventRow[],
  today: string,
): Promise<CertificateEventKind[]> {
  if (!hasRole(actor, 'exam_authority')) return [];
  const since =
    (await repo.listCertificatesOfPersonItem(db, row.personId, row.operationItemCode))[0]
      ?.issuedOn ?? row.issuedOn;
  return certificateEventKinds.filter(
    (kind) =>
      checkEvent(row, events.map(eventFacts), { kind, occurredOn: today }, today, since) === null,
  );
}

export async function getCertificate(
  db: Executor,
  actor: Actor,
  id: string,
  now = new Date(),
): Promise<CertificateDetail> {
  const row = await repo.findCertificateById(db, actor.scope, id);
  if (!row) throw notFound('证书');
  const today = beijingDay(now);
  const events = await repo.listEvents(db, [id]);
  const s = statusOf(row, events, today);
  return {
    ...summary(row, s),
    holder: {
      id: row.personId,
      name: row.holderName,
      idNumber: row.holderIdNumber,
      idNumberMasked: maskIdNumber(row.holderIdNumber),
    },
    authority: {
      id: row.authorityId,
      name: row.authorityName,
      regionCode: row.authorityRegionCode,
    },
    kid: row.kid,
    cardEdition: row.cardEdition,
    resultRef: row.resultRef,
    dueWindow: s.dueWindow,
    retrainingMissing: s.retrainingMissing,
    retrainingDue: s.retrainingDue,
    revoked: s.revoked,
    events: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      occurredOn: e.occurredOn,
      extended: e.extended,
      fraud: e.fraud,
      banUntil: e.banUntil,
      reason: e.reason,
      cardEdition: e.cardEdition,
      createdAt: e.createdAt.toISOString(),
    })),
    allowedEvents: await allowedEvents(db, actor, row, events, today),
  };
}

/** The current card's signed payload and its QR as SVG (for the printed or electronic certificate). */
export async function getCertificateQr(db: Executor, actor: Actor, id: string) {
  const row = await repo.findCertificateById(db, actor.scope, id);
  if (!row) throw notFound('证书');
  const card = await repo.findCard(db, id);
  // Error correction M (15%): the payload (~170 bytes) fits version 8, 49 modules — small enough
  // for a card, robust enough for a worn one.
  const svg = encodeQR(card.qrPayload, 'svg', { ecc: 'medium', border: 2 });
  return { payload: card.qrPayload, svg, cardEdition: card.cardEdition, kid: card.kid };
}

// ——— events ———

/**
 * Records a review (复审; a 合格证's extension), a re-training, a revocation (fraud/false information
 * bans re-application for 3 years), a cancellation or a replacement card. Exam authorities only, for
 * certificates they can see; the rules decide whether the event fits the dates. A replacement, or a
 * review that renews the validity, prints a new card: the QR is signed again with the authority's
 * current key and the number stays. Audited.
 */
export async function recordCertificateEvent(
  db: Executor,
  actor: Actor,
  id: string,
  input: CertificateEventCreate,
  now = new Date(),
  requestId?: string,
) {
  const organizationId = requireAuthority(actor);
  const today = beijingDay(now);
  return transaction(db, async (trx) => {
    if (!(await repo.lockCertificateById(trx, actor.scope, id))) throw notFound('证书');
    const row = (await repo.findCertificateById(trx, actor.scope, id))!;
    const events = await repo.listEvents(trx, [id]);
    const facts = events.map(eventFacts);
    const since =
      (await repo.listCertificatesOfPersonItem(trx, row.personId, row.operationItemCode))[0]
        ?.issuedOn ?? row.issuedOn;
    const extended = input.kind === 'review' ? input.extended : false;
    const violation = checkEvent(
      row,
      facts,
      { kind: input.kind, occurredOn: input.occurredOn, extended },
      today,
      since,
    );
    if (violation)
      throw new DomainError('rule_violation', violation.message, [
        { path: 'body', message: violation.message, code: violation.code },
      ]);

    const renews =
      input.kind === 'replace' ||
      (input.kind === 'review' && reviewRenews(row, facts, input.occurredOn));
    let cardEdition: number | null = null;
    const newFacts: EventFacts = {
      kind: input.kind,
      occurredOn: input.occurredOn,
      extended,
      fraud: input.kind === 'revoke' ? input.fraud : false,
      banUntil: input.kind === 'revoke' ? banUntil(input.occurredOn, input.fraud) : null,
      reason: input.reason ?? null,
    };
    if (renews) {
      const key = await signingKey(
        trx,
        actor,
        organizationId,
        actor.regionCode ?? row.regionCode,
        now,
        requestId,
      );
      const holder = await repo.findHolder(trx, row.personId);
      const after = certificateStatus(row, [...facts, newFacts], input.occurredOn);
      cardEdition = row.cardEdition + 1;
      const qrPayload = signPayload(key, {
        certificateId: id,
        kind: row.kind,
        operationItemCode: row.operationItemCode,
        issuedOn: row.issuedOn,
        validUntil: after.validUntil,
        cardEdition,
        holderHash: holderHash(id, holder.name, holder.idNumber),
        kid: key.kid,
      });
      await repo.updateCard(trx, id, { kid: key.kid, qrPayload, cardEdition });
    }
    const event = await repo.insertEvent(trx, {
      certificateId: id,
      ...newFacts,
      cardEdition,
      recordedBy: actor.userId ? `user:${actor.userId}` : 'system',
    });
    await recordAudit(trx, {
      actor,
      action: `certificate.${input.kind}`,
      entityType: 'certificate',
      entityId: id,
      regionCode: row.regionCode,
      after: event,
      summary: `${row.number} ${input.kind}${input.reason ? `：${input.reason}` : ''}`,
      requestId,
      at: now,
    });
    const s = certificateStatus(row, [...facts, newFacts], today);
    return {
      eventId: event.id,
      state: s.state,
      validUntil: s.validUntil,
      reviewDue: s.reviewDue,
      banUntil: newFacts.banUntil,
      cardEdition: cardEdition ?? row.cardEdition,
    };
  });
}

// ——— reminders ———

/** Reviews, 合格证 extensions and annual re-trainings that fall due within `withinDays`, in the caller's scope. */
export async function certificateReminders(
  db: Executor,
  actor: Actor,
  withinDays: number,
  now = new Date(),
): Promise<Reminder[]> {
  const today = beijingDay(now);
  const to = addDays(today, withinDays);
  const rows = await repo.listReminderCandidates(db, actor.scope, today, today, to);
  const events = groupEvents(
    await repo.listEvents(
      db,
      rows.map((r) => r.id),
    ),
  );
  const out: Reminder[] = [];
  for (const r of rows) {
    const s = statusOf(r, events.get(r.id) ?? [], today);
    for (const d of dueBetween(s, today, to))
      out.push({
        certificate: summary(r, s),
        kind: d.kind,
        due: d.due,
        daysLeft: daysBetween(today, d.due),
      });
  }
  return out.sort((a, b) =>
    a.due < b.due
      ? -1
      : a.due > b.due
        ? 1
        : a.certificate.number.localeCompare(b.certificate.number),
  );
}

// ——— public verification ———

const normalizeNumber = (n: string) => n.replace(/\s+/g, '').toUpperCase();
const normalizeName = (n: string) => n.replace(/\s+/g, '').replace(/[•・.]/g, '·');

/**
 * Public check by number + name (CONTRACTS.md "Public"). A wrong name answers exactly like a number
 * that does not exist. Every query is logged (the fake-certificate signal reads the log).
 */
export async function verifyByNumber(
  db: Executor,
  q: { number: string; name: string; ip: string },
  now: Date,
): Promise<PublicVerifyAnswer> {
  const number = normalizeNumber(q.number);
  const today = beijingDay(now);
  const rows = await repo.verifyNumber(db, { number, name: normalizeName(q.name) });
  const mine = rows.filter((r) => r.nameOk);
  queryLogOf(db).append({
    at: now,
    ip: q.ip,
    source: 'number',
    number: number.slice(0, 40),
    found: mine.length > 0,
    outcome: mine.length > 0 ? 'found' : rows.length > 0 ? 'name_mismatch' : 'no_such_number',
    numberRegion: numberRegion(number),
  });
  const views = mine.map((r) => ({
    row: r,
    s: certificateStatus(r, r.events.map(eventFacts), today),
  }));
  // In force first, then the newest.
  views.sort(
    (a, b) =>
      Number(inForce(b.s)) - Number(inForce(a.s)) || (a.row.issuedOn < b.row.issuedOn ? 1 : -1),
  );
  const certificates = views.map((v) => publicView(v.row, v.s));
  return {
    found: certificates.length > 0,
    certificate: certificates[0] ?? null,
    certificates,
    checkedAt: now.toISOString(),
  };
}

/** Public check of a scanned QR: the signature against the published keys, then the registry (revocation shows). */
export async function verifyQr(
  db: Executor,
  q: { payload: string; ip: string },
  now: Date,
): Promise<PublicVerifyQrAnswer> {
  const keys = await publishedKeys(db);
  const check = verifyQrPayload(q.payload, keys);
  const row = check.valid
    ? await repo.findCertificateForQr(db, check.claims.certificateId)
    : undefined;
  const outcome: QueryOutcome = check.valid
    ? row
      ? 'found'
      : 'no_such_certificate'
    : check.reason === 'key_retired'
      ? 'bad_signature'
      : check.reason;
  const claimedAuthority = check.claims
    ? (keys.find((k) => k.kid === check.claims!.kid)?.authority.regionCode ?? null)
    : null;
  queryLogOf(db).append({
    at: now,
    ip: q.ip,
    source: 'qr',
    number: row?.number ?? null,
    found: row !== undefined,
    outcome,
    numberRegion: row ? row.regionCode : claimedAuthority,
  });
  if (!check.valid || !row) {
    return {
      found: false,
      signatureValid: check.valid,
      reason: check.valid ? null : check.reason,
      cardCurrent: null,
      certificate: null,
      checkedAt: now.toISOString(),
    };
  }
  const events = await repo.listEvents(db, [row.id]);
  return {
    found: true,
    signatureValid: true,
    reason: null,
    cardCurrent: check.claims.cardEdition === row.cardEdition,
    certificate: publicView(row, statusOf(row, events, beijingDay(now))),
    checkedAt: now.toISOString(),
  };
}

/**
 * The fake-certificate signal: addresses that asked for certificates that are not there. A regulator
 * sees queries for numbers of its jurisdiction (a "T" number carries the holder's area code, a "C"
 * number the issuing region); those that show no region go to province-level regulators.
 */
export async function fakeCertificateSignals(
  db: Executor,
  actor: Actor,
  q: { sinceDays: number; minQueries: number },
  now = new Date(),
): Promise<FakeSignal[]> {
  if (!hasRole(actor, 'regulator') || actor.scope.kind !== 'region')
    throw forbidden('只有监管部门可以查看假证信号');
  await queryLogOf(db).flush();
  const rows = await repo.fakeSignals(
    db,
    actor.scope.regionCode,
    new Date(now.getTime() - q.sinceDays * 86_400_000),
    q.minQueries,
  );
  return rows.map((r) => ({
    ip: r.ip,
    queries: Number(r.queries),
    numbers: Number(r.numbers),
    bySource: { number: Number(r.byNumber), qr: Number(r.byQr) },
    nameMismatches: Number(r.nameMismatches),
    examples: (r.examples ?? []).map(maskNumber),
    firstAt: new Date(r.firstAt as unknown as string).toISOString(),
    lastAt: new Date(r.lastAt as unknown as string).toISOString(),
  }));
}
