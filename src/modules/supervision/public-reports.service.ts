import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { recordAudit } from '../../platform/audit/audit.js';
import type { Actor } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, notFound } from '../../platform/errors.js';
import type { FileStorage } from '../../platform/files/storage.js';
import { createInspection } from './inspections.service.js';
import { DOCUMENT_TYPES, decodeUpload, requireJurisdiction } from './supervision.access.js';
import type { PublicReportCreate } from './supervision.contract.js';
import type { ReportStatus } from './supervision.table.js';

/**
 * 12350 public reports: filed without an account, answered with a tracking code (shown once, kept
 * hashed) that follows the case and carries messages both ways without naming the reporter. The
 * reporter's name and phone are seen only by the officer the case is assigned to.
 *
 * Spam without a third-party service: a per-address rate limit (routes), an empty honeypot field, and
 * a proof of work — the page must find a nonce whose SHA-256 with a server-signed challenge starts
 * with POW_BITS zero bits (about a second of a phone's time, nothing for one report, costly for
 * thousands), and the challenge must be at least MIN_FILL_MS old and is accepted once.
 */
export const POW_BITS = 14;
const MIN_FILL_MS = 3_000;
const CHALLENGE_TTL_MS = 2 * 3_600_000;
const secret = randomBytes(32);
const usedChallenges = new Map<string, number>();

export function issueChallenge(now: Date) {
  const body = `${now.getTime()}.${randomBytes(12).toString('base64url')}`;
  const mac = createHmac('sha256', secret).update(body).digest('base64url');
  return { challenge: `${body}.${mac}`, bits: POW_BITS };
}

export function leadingZeroBits(digest: Buffer): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

function checkChallenge(challenge: string, nonce: string, now: Date): string | null {
  const parts = challenge.split('.');
  if (parts.length !== 3) return '验证信息无效';
  const [issued, rand, mac] = parts;
  const expected = createHmac('sha256', secret).update(`${issued}.${rand}`).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return '验证信息无效';
  const age = now.getTime() - Number(issued);
  if (!(age >= MIN_FILL_MS)) return '提交过快，请稍后再试';
  if (age > CHALLENGE_TTL_MS) return '页面已过期，请刷新后重新提交';
  if (usedChallenges.has(challenge)) return '该验证信息已使用';
  const digest = createHash('sha256').update(`${challenge}:${nonce}`).digest();
  if (leadingZeroBits(digest) < POW_BITS) return '验证未通过';
  for (const [c, at] of usedChallenges)
    if (now.getTime() - at > CHALLENGE_TTL_MS) usedChallenges.delete(c);
  usedChallenges.set(challenge, now.getTime());
  return null;
}

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
function trackingCode(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8, 12).join('')}`;
}
const hashCode = (code: string) =>
  createHash('sha256').update(code.trim().toUpperCase()).digest('hex');

export async function fileReport(
  db: Executor,
  files: FileStorage,
  input: PublicReportCreate,
  now: Date,
  requestId?: string,
) {
  if (input.website)
    throw new DomainError('validation_failed', '提交失败', [{ path: 'body', message: 'rejected' }]);
  const problem = checkChallenge(input.challenge, input.nonce, now);
  if (problem)
    throw new DomainError('validation_failed', problem, [
      { path: 'body.nonce', message: problem, code: 'challenge' },
    ]);
  if (!input.anonymous && !input.reporterName?.trim())
    throw new DomainError('validation_failed', '实名举报请填写姓名', [
      { path: 'body.reporterName', message: 'required unless anonymous' },
    ]);
  const uploads = input.attachments.map((a, i) => ({
    ...a,
    bytes: decodeUpload(
      a.contentBase64,
      a.contentType,
      DOCUMENT_TYPES,
      `body.attachments.${i}.contentBase64`,
    ),
  }));
  const stored: ((typeof uploads)[number] & { sha256: string; size: number })[] = [];
  for (const u of uploads) stored.push({ ...u, ...(await files.put(u.bytes)) });
  const code = trackingCode();
  return transaction(db, async (trx) => {
    const region = await trx
      .selectFrom('region')
      .select('code')
      .where('code', '=', input.regionCode)
      .executeTakeFirst();
    if (!region)
      throw new DomainError('validation_failed', '行政区划不存在', [
        { path: 'body.regionCode', message: 'unknown region' },
      ]);
    let subjectOrganizationId: string | null = null;
    if (input.subjectOrganizationId) {
      const org = await trx
        .selectFrom('organization')
        .select(['id', 'regionCode'])
        .where('id', '=', input.subjectOrganizationId)
        .executeTakeFirst();
      if (org) subjectOrganizationId = org.id;
    }
    const row = await trx
      .insertInto('publicReport')
      .values({
        trackingHash: hashCode(code),
        regionCode: input.regionCode,
        subjectOrganizationId,
        subjectText: input.subjectText,
        category: input.category,
        content: input.content,
        anonymous: input.anonymous,
        reporterName: input.anonymous ? null : (input.reporterName?.trim() ?? null),
        reporterPhone: input.anonymous ? null : input.reporterPhone?.trim() || null,
        createdAt: now,
        updatedAt: now,
      })
      .returning(['id', 'regionCode', 'status', 'createdAt'])
      .executeTakeFirstOrThrow();
    for (const s of stored)
      await trx
        .insertInto('supervisionFile')
        .values({
          sha256: s.sha256,
          size: s.size,
          contentType: s.contentType,
          name: s.name,
          ownerKind: 'report',
          ownerId: row.id,
          regionCode: row.regionCode,
          uploadedBy: '举报人',
        })
        .execute();
    await recordAudit(trx, {
      actor: 'public:report',
      action: 'supervision.report.file',
      entityType: 'public_report',
      entityId: row.id,
      regionCode: row.regionCode,
      // The log keeps digests only: the reporter's identity is not copied anywhere else.
      after: {
        id: row.id,
        category: input.category,
        anonymous: input.anonymous,
        files: stored.map((s) => s.sha256),
      },
      requestId,
    });
    return { trackingCode: code, status: row.status, createdAt: row.createdAt };
  });
}

async function reportByCode(db: Executor, code: string) {
  const r = await db
    .selectFrom('publicReport')
    .selectAll()
    .where('trackingHash', '=', hashCode(code))
    .executeTakeFirst();
  if (!r) throw notFound('举报');
  return r;
}

function messagesOf(db: Executor, reportId: string) {
  return db
    .selectFrom('reportMessage')
    .select(['id', 'author', 'body', 'createdAt'])
    .where('reportId', '=', reportId)
    .orderBy('createdAt')
    .execute();
}

/** What the tracking code shows: the case's progress, the reply and the messages — nothing about people. */
export async function trackReport(db: Executor, code: string) {
  const r = await reportByCode(db, code);
  return {
    status: r.status,
    category: r.category,
    subjectText: r.subjectText,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    reply: r.reply,
    messages: await messagesOf(db, r.id),
  };
}

export async function reporterMessage(
  db: Executor,
  code: string,
  body: string,
  now: Date,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const r = await reportByCode(trx, code);
    if (r.status === 'closed')
      throw new DomainError('rule_violation', '案件已办结', [
        { message: 'closed', code: 'report_closed' },
      ]);
    const m = await trx
      .insertInto('reportMessage')
      .values({ reportId: r.id, author: 'reporter', body, createdAt: now })
      .returning(['id', 'author', 'body', 'createdAt'])
      .executeTakeFirstOrThrow();
    await trx.updateTable('publicReport').set({ updatedAt: now }).where('id', '=', r.id).execute();
    await recordAudit(trx, {
      actor: 'public:report',
      action: 'supervision.report.message',
      entityType: 'public_report',
      entityId: r.id,
      regionCode: r.regionCode,
      after: { messageId: m.id, author: 'reporter' },
      requestId,
    });
    return m;
  });
}

// ——— the officers' side ———

function present(r: Awaited<ReturnType<typeof reportByCode>>, actor: Actor) {
  const handler = r.assignedToUserId !== null && r.assignedToUserId === actor.userId;
  const { trackingHash: _h, reporterName, reporterPhone, ...rest } = r;
  return {
    ...rest,
    isHandler: handler,
    reporter: r.anonymous
      ? { anonymous: true, name: null, phone: null }
      : handler
        ? { anonymous: false, name: reporterName, phone: reporterPhone }
        : { anonymous: false, name: '（仅承办人可见）', phone: null },
  };
}

export async function listReports(db: Executor, actor: Actor, status?: ReportStatus) {
  const scope = requireJurisdiction(actor);
  let q = db
    .selectFrom('publicReport')
    .selectAll()
    .where('regionCode', 'like', `${scope.regionCode}%`);
  if (status) q = q.where('status', '=', status);
  const rows = await q.orderBy('createdAt', 'desc').limit(500).execute();
  return rows.map((r) => present(r, actor));
}

async function findReport(db: Executor, actor: Actor, id: string, lock = false) {
  const scope = requireJurisdiction(actor);
  let q = db
    .selectFrom('publicReport')
    .selectAll()
    .where('id', '=', id)
    .where('regionCode', 'like', `${scope.regionCode}%`);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) throw notFound('举报');
  return r;
}

export async function getReport(db: Executor, actor: Actor, id: string) {
  const r = await findReport(db, actor, id);
  const [messages, files, assignee] = await Promise.all([
    messagesOf(db, id),
    db
      .selectFrom('supervisionFile')
      .select(['id', 'name', 'contentType', 'size', 'sha256'])
      .where('ownerKind', '=', 'report')
      .where('ownerId', '=', id)
      .execute(),
    r.assignedToUserId
      ? db
          .selectFrom('appUser')
          .select(['id', 'displayName'])
          .where('id', '=', r.assignedToUserId)
          .executeTakeFirst()
      : undefined,
  ]);
  return { ...present(r, actor), messages, files, assignee: assignee ?? null };
}

const flow: Record<string, ReportStatus[]> = {
  triage: ['received', 'triaged'],
  assign: ['received', 'triaged', 'assigned'],
  investigate: ['assigned', 'investigating'],
  reply: ['assigned', 'investigating', 'replied'],
  close: ['replied'],
};

async function step(
  db: Executor,
  actor: Actor,
  id: string,
  action: keyof typeof flow,
  change: (
    r: Awaited<ReturnType<typeof reportByCode>>,
    trx: Executor,
  ) => Promise<Record<string, unknown>>,
  now: Date,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const r = await findReport(trx, actor, id, true);
    if (!flow[action].includes(r.status))
      throw new DomainError('rule_violation', '举报当前状态不能执行该操作', [
        { message: `${r.status} → ${action}`, code: 'invalid_transition' },
      ]);
    if (['investigate', 'reply', 'close'].includes(action) && r.assignedToUserId !== actor.userId)
      throw new DomainError('rule_violation', '只有承办人可以办理', [
        { message: 'not the handler', code: 'not_handler' },
      ]);
    const set = await change(r, trx);
    await trx
      .updateTable('publicReport')
      .set({ ...set, updatedAt: now })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, {
      actor,
      action: `supervision.report.${action}`,
      entityType: 'public_report',
      entityId: id,
      regionCode: r.regionCode,
      before: { status: r.status },
      after: { ...set, reporterName: undefined, reporterPhone: undefined },
      requestId,
    });
    return getReport(trx, actor, id);
  });
}

export function triageReport(
  db: Executor,
  actor: Actor,
  id: string,
  note: string,
  now: Date,
  rid?: string,
) {
  requireJurisdiction(actor, 'regulator');
  return step(
    db,
    actor,
    id,
    'triage',
    async () => ({ status: 'triaged', triageNote: note }),
    now,
    rid,
  );
}

export function assignReport(
  db: Executor,
  actor: Actor,
  id: string,
  userId: string,
  now: Date,
  rid?: string,
) {
  const scope = requireJurisdiction(actor, 'regulator');
  return step(
    db,
    actor,
    id,
    'assign',
    async (_r, trx) => {
      const u = await trx
        .selectFrom('appUser as u')
        .innerJoin('organization as o', 'o.id', 'u.organizationId')
        .select(['u.id', 'u.roles'])
        .where('u.id', '=', userId)
        .where('o.kind', '=', 'regulator')
        .where('o.regionCode', 'like', `${scope.regionCode}%`)
        .executeTakeFirst();
      if (!u?.roles.some((x) => x === 'regulator' || x === 'inspector'))
        throw new DomainError('validation_failed', '承办人须为本辖区监管人员', [
          { path: 'body.userId', message: 'not an officer in scope' },
        ]);
      return { status: 'assigned', assignedToUserId: u.id, assignedBy: actor.displayName };
    },
    now,
    rid,
  );
}

/** Investigation opens an inspection of the reported organization, linked to the report. */
export function investigateReport(
  db: Executor,
  actor: Actor,
  id: string,
  input: { organizationId: string; scheduledOn: string; inspectorPersonIds: string[] },
  now: Date,
  rid?: string,
) {
  return step(
    db,
    actor,
    id,
    'investigate',
    async (_r, trx) => {
      const inspection = await createInspection(trx, actor, { ...input, reportId: id }, rid);
      return { status: 'investigating', inspectionId: inspection.id };
    },
    now,
    rid,
  );
}

export function replyReport(
  db: Executor,
  actor: Actor,
  id: string,
  reply: string,
  now: Date,
  rid?: string,
) {
  return step(db, actor, id, 'reply', async () => ({ status: 'replied', reply }), now, rid);
}

export function closeReport(db: Executor, actor: Actor, id: string, now: Date, rid?: string) {
  return step(db, actor, id, 'close', async () => ({ status: 'closed' }), now, rid);
}

export async function officerMessage(
  db: Executor,
  actor: Actor,
  id: string,
  body: string,
  now: Date,
  rid?: string,
) {
  return transaction(db, async (trx) => {
    const r = await findReport(trx, actor, id, true);
    if (r.assignedToUserId !== actor.userId)
      throw new DomainError('rule_violation', '只有承办人可以与举报人沟通', [
        { message: 'not the handler', code: 'not_handler' },
      ]);
    const m = await trx
      .insertInto('reportMessage')
      .values({ reportId: id, author: 'officer', body, createdAt: now })
      .returning(['id', 'author', 'body', 'createdAt'])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'supervision.report.message',
      entityType: 'public_report',
      entityId: id,
      regionCode: r.regionCode,
      after: { messageId: m.id, author: 'officer' },
      requestId: rid,
    });
    return m;
  });
}
