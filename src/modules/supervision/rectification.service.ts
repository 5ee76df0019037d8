import { createHash, randomBytes } from 'node:crypto';
import { beijingDay } from '../../catalog/calendar.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Actor, hasRole } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import type { FileStorage } from '../../platform/files/storage.js';
import { setOrganizationStatus } from '../registry/registry.service.js';
import {
  DOCUMENT_TYPES,
  decodeUpload,
  personOf,
  requireJurisdiction,
} from './supervision.access.js';
import type { OrderCreate, OrderRespond, PenaltyCreate, Upload } from './supervision.contract.js';
import * as repo from './supervision.repository.js';
import {
  escalationRegion,
  isOverdue,
  nextOrderState,
  type OrderAction,
  type OrderStateName,
} from './supervision.rules.js';

/**
 * Findings → rectification orders → the organization's answer (on its account or through a one-time
 * link) → verification by a different inspector → closure (闭环销号); overdue orders escalate one level
 * up. The server holds the state machine (supervision.rules.ts): an invalid step is a 422.
 */

function refuseTransition(state: OrderStateName, action: OrderAction): never {
  const names: Record<OrderAction, string> = {
    respond: '提交整改',
    accept: '复核通过',
    reject: '复核退回',
    close: '销号',
  };
  throw new DomainError('rule_violation', `整改通知当前状态不能${names[action]}`, [
    { message: `${state} → ${action}`, code: 'invalid_transition', state, action },
  ]);
}

// ——— findings ———

export async function listFindings(
  db: Executor,
  actor: Actor,
  q: { status?: string; organizationId?: string; inspectionId?: string },
) {
  let query = repo.findingQuery(db, actor.scope);
  if (q.status) query = query.where('f.status', '=', q.status as never);
  if (q.organizationId) query = query.where('f.organizationId', '=', q.organizationId);
  if (q.inspectionId) query = query.where('f.inspectionId', '=', q.inspectionId);
  return query.orderBy('f.createdAt', 'desc').orderBy('f.id').limit(1000).execute();
}

// ——— orders ———

export async function issueOrder(
  db: Executor,
  actor: Actor,
  input: OrderCreate,
  now: Date,
  requestId?: string,
) {
  const scope = requireJurisdiction(actor);
  if (!actor.organizationId) throw forbidden();
  if (input.deadline < beijingDay(now))
    throw new DomainError('validation_failed', '整改期限不能早于今天', [
      { path: 'body.deadline', message: 'in the past' },
    ]);
  return transaction(db, async (trx) => {
    const findings = await repo
      .findingQuery(trx, scope)
      .where('f.id', 'in', input.findingIds)
      .execute();
    if (findings.length !== new Set(input.findingIds).size) throw notFound('问题');
    const orgs = new Set(findings.map((f) => f.organizationId));
    if (orgs.size !== 1)
      throw new DomainError('validation_failed', '一份整改通知只针对一个单位', [
        { path: 'body.findingIds', message: 'findings of several organizations' },
      ]);
    const taken = findings.filter((f) => f.status !== 'open');
    if (taken.length)
      throw new DomainError('rule_violation', '问题已在整改中或已销号', [
        ...taken.map((f) => ({ message: f.message, code: 'finding_not_open', findingId: f.id })),
      ]);
    const year = Number(beijingDay(now).slice(0, 4));
    const serial = await repo.nextOrderSerial(trx, actor.organizationId!, year);
    const regulator = await trx
      .selectFrom('organization')
      .select('name')
      .where('id', '=', actor.organizationId!)
      .executeTakeFirstOrThrow();
    // 泰安市泰山区应急管理局 → 泰山区责改; 泰安市应急管理局 → 泰安市责改.
    const short = regulator.name.replace(/应急管理局$/, '').replace(/^.+?市(?=.+[市县区]$)/, '');
    const order = await trx
      .insertInto('rectificationOrder')
      .values({
        number: `${short || regulator.name}责改〔${year}〕${serial}号`,
        inspectionId: findings[0].inspectionId,
        organizationId: findings[0].organizationId,
        regulatorId: actor.organizationId!,
        regionCode: findings[0].regionCode,
        requirements: input.requirements,
        deadline: input.deadline,
        responsibleName: input.responsibleName,
        responsiblePhone: input.responsiblePhone ?? null,
        issuedBy: actor.displayName,
        issuedByPersonId: await personOf(trx, actor),
        issuedAt: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('supervisionFinding')
      .set({ orderId: order.id, status: 'ordered' })
      .where('id', 'in', input.findingIds)
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'supervision.order.issue',
      entityType: 'rectification_order',
      entityId: order.id,
      regionCode: order.regionCode,
      after: { ...order, findingIds: input.findingIds },
      summary: `${order.number}，限 ${order.deadline} 前整改`,
      requestId,
    });
    return order;
  });
}

/** Orders past their deadline and not verified go up one level (county → city), once, audited. */
export async function escalateOverdueOrders(db: Executor, now: Date): Promise<number> {
  const today = beijingDay(now);
  return transaction(db, async (trx) => {
    const due = await repo.overdueUnescalated(trx, today);
    for (const o of due) {
      const to = escalationRegion(o.regionCode);
      await trx
        .updateTable('rectificationOrder')
        .set({ escalatedAt: now, escalatedTo: to })
        .where('id', '=', o.id)
        .execute();
      await recordAudit(trx, {
        actor: 'system:supervision',
        action: 'supervision.order.escalate',
        entityType: 'rectification_order',
        entityId: o.id,
        regionCode: o.regionCode,
        after: { escalatedTo: to, deadline: o.deadline },
        summary: `${o.number} 逾期未整改，提请上级 ${to}`,
        at: now,
      });
    }
    return due.length;
  });
}

export async function listOrders(
  db: Executor,
  actor: Actor,
  q: { state?: string; overdue?: boolean; organizationId?: string },
  now: Date,
) {
  if (actor.scope.kind === 'region') await escalateOverdueOrders(db, now);
  let query = repo.orderQuery(db, actor.scope);
  if (q.state) query = query.where('ro.state', '=', q.state as never);
  if (q.organizationId) query = query.where('ro.organizationId', '=', q.organizationId);
  if (q.overdue)
    query = query
      .where('ro.state', 'in', ['issued', 'responded'])
      .where('ro.deadline', '<', beijingDay(now));
  const rows = await query.orderBy('ro.deadline').orderBy('ro.id').limit(1000).execute();
  const today = beijingDay(now);
  return rows.map((o) => ({ ...o, overdue: isOverdue(o, today) }));
}

async function orderDetail(db: Executor, order: Awaited<ReturnType<typeof findOrder>>, now: Date) {
  const [findings, responses, files, links] = await Promise.all([
    db
      .selectFrom('supervisionFinding')
      .select(['id', 'code', 'severity', 'message', 'basis', 'status', 'evidence'])
      .where('orderId', '=', order.id)
      .orderBy('itemPosition')
      .execute(),
    repo.responsesOf(db, order.id),
    repo.filesOf(db, 'order', [order.id]),
    db
      .selectFrom('orderLink')
      .select(['id', 'createdAt', 'expiresAt', 'usedAt', 'createdBy'])
      .where('orderId', '=', order.id)
      .orderBy('createdAt')
      .execute(),
  ]);
  return {
    ...order,
    overdue: isOverdue(order, beijingDay(now)),
    findings,
    responses,
    files,
    links,
  };
}

async function findOrder(db: Executor, actor: Actor, id: string) {
  const o = await repo.orderQuery(db, actor.scope).where('ro.id', '=', id).executeTakeFirst();
  if (!o) throw notFound('整改通知');
  return o;
}

export async function getOrder(db: Executor, actor: Actor, id: string, now: Date) {
  return orderDetail(db, await findOrder(db, actor, id), now);
}

/** The inspected organization's own users act on its orders; the jurisdiction only reads them here. */
function assertOrganizationUser(actor: Actor, order: { organizationId: string }) {
  if (actor.scope.kind !== 'organization' || actor.organizationId !== order.organizationId)
    throw forbidden('只有被检查单位可以提交整改材料');
}

type Responder = { kind: 'account'; actor: Actor } | { kind: 'link'; linkId: string };

async function storeOrderFile(
  db: Executor,
  files: FileStorage,
  orderId: string,
  who: Responder,
  input: Upload,
  requestId?: string,
) {
  const bytes = decodeUpload(input.contentBase64, input.contentType, DOCUMENT_TYPES);
  const stored = await files.put(bytes);
  return transaction(db, async (trx) => {
    const order = (await repo.lockOrder(trx, orderId))!;
    if (order.state !== 'issued' && order.state !== 'responded')
      throw new DomainError('rule_violation', '整改通知已复核，不能再上传材料', [
        { message: order.state, code: 'invalid_transition' },
      ]);
    const label =
      who.kind === 'account' ? who.actor.displayName : `一次性链接 ${who.linkId.slice(0, 8)}`;
    const file = await trx
      .insertInto('supervisionFile')
      .values({
        sha256: stored.sha256,
        size: stored.size,
        contentType: input.contentType,
        name: input.name ?? null,
        ownerKind: 'order',
        ownerId: orderId,
        regionCode: order.regionCode,
        uploadedBy: label,
      })
      .returning(['id', 'sha256', 'size', 'contentType', 'name', 'uploadedAt'])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: who.kind === 'account' ? who.actor : `link:${who.linkId}`,
      action: 'supervision.order.file',
      entityType: 'rectification_order',
      entityId: orderId,
      regionCode: order.regionCode,
      after: { fileId: file.id, sha256: stored.sha256, size: stored.size },
      requestId,
    });
    return file;
  });
}

export async function uploadOrderFile(
  db: Executor,
  files: FileStorage,
  actor: Actor,
  orderId: string,
  input: Upload,
  requestId?: string,
) {
  const order = await findOrder(db, actor, orderId);
  assertOrganizationUser(actor, order);
  return storeOrderFile(db, files, orderId, { kind: 'account', actor }, input, requestId);
}

async function respond(
  trx: Executor,
  orderId: string,
  who: Responder,
  input: OrderRespond,
  now: Date,
  requestId?: string,
) {
  const order = (await repo.lockOrder(trx, orderId))!;
  const next = nextOrderState(order.state, 'respond');
  if (!next) refuseTransition(order.state, 'respond');
  const own = await repo.filesOf(trx, 'order', [orderId]);
  const ids = new Set(own.map((f) => f.id));
  input.fileIds.forEach((f, i) => {
    if (!ids.has(f))
      throw new DomainError('validation_failed', '附件不属于本整改通知', [
        { path: `body.fileIds.${i}`, message: 'unknown file' },
      ]);
  });
  const label = who.kind === 'account' ? who.actor.displayName : '被检查单位（一次性链接）';
  const response = await trx
    .insertInto('orderResponse')
    .values({
      orderId,
      statement: input.statement,
      fileIds: input.fileIds,
      via: who.kind,
      responder: label,
      respondedAt: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('rectificationOrder')
    .set({ state: next, respondedAt: now })
    .where('id', '=', orderId)
    .execute();
  await recordAudit(trx, {
    actor: who.kind === 'account' ? who.actor : `link:${who.linkId}`,
    action: 'supervision.order.respond',
    entityType: 'rectification_order',
    entityId: orderId,
    regionCode: order.regionCode,
    before: { state: order.state },
    after: { state: next, response },
    requestId,
  });
  return response;
}

export async function respondToOrder(
  db: Executor,
  actor: Actor,
  orderId: string,
  input: OrderRespond,
  now: Date,
  requestId?: string,
) {
  const order = await findOrder(db, actor, orderId);
  assertOrganizationUser(actor, order);
  return transaction(db, (trx) =>
    respond(trx, orderId, { kind: 'account', actor }, input, now, requestId),
  );
}

// ——— one-time links ———

const LINK_DAYS = 30;
const hashToken = (t: string) => createHash('sha256').update(t).digest('hex');

/**
 * A link for an organization without an account: it opens this one order only, lets it upload
 * evidence and answer once; after the answer (or 30 days) it no longer opens anything.
 */
export async function createOrderLink(
  db: Executor,
  actor: Actor,
  orderId: string,
  now: Date,
  requestId?: string,
) {
  requireJurisdiction(actor);
  const order = await findOrder(db, actor, orderId);
  if (order.state !== 'issued')
    throw new DomainError('rule_violation', '只有待整改的通知可以生成一次性链接', [
      { message: order.state, code: 'invalid_transition' },
    ]);
  const token = randomBytes(24).toString('base64url');
  return transaction(db, async (trx) => {
    const link = await trx
      .insertInto('orderLink')
      .values({
        orderId,
        tokenHash: hashToken(token),
        createdBy: actor.displayName,
        createdAt: now,
        expiresAt: new Date(now.getTime() + LINK_DAYS * 86_400_000),
      })
      .returning(['id', 'expiresAt'])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'supervision.order.link',
      entityType: 'rectification_order',
      entityId: orderId,
      regionCode: order.regionCode,
      after: { linkId: link.id, expiresAt: link.expiresAt },
      requestId,
    });
    return { ...link, token, path: `/rectify/${token}` };
  });
}

async function linkOf(db: Executor, token: string, now: Date) {
  const link = await db
    .selectFrom('orderLink')
    .selectAll()
    .where('tokenHash', '=', hashToken(token))
    .executeTakeFirst();
  if (!link || link.usedAt || link.expiresAt <= now) throw notFound('整改链接');
  return link;
}

/** What a link shows: its order only — findings, requirements, deadline, its own uploads. */
export async function orderByLink(db: Executor, token: string, now: Date) {
  const link = await linkOf(db, token, now);
  // The link is the authority here: it opens the one order it was made for, nothing else.
  const o = await repo.orderByLink(db, link.orderId);
  const [findings, files] = await Promise.all([
    db
      .selectFrom('supervisionFinding')
      .select(['id', 'severity', 'message', 'basis'])
      .where('orderId', '=', o.id)
      .execute(),
    repo.filesOf(db, 'order', [o.id]),
  ]);
  return {
    id: o.id,
    number: o.number,
    organizationName: o.organizationName,
    regulatorName: o.regulatorName,
    requirements: o.requirements,
    deadline: o.deadline,
    responsibleName: o.responsibleName,
    state: o.state,
    issuedAt: o.issuedAt,
    overdue: isOverdue(o, beijingDay(now)),
    findings,
    files: files.map((f) => ({ id: f.id, name: f.name, contentType: f.contentType, size: f.size })),
    expiresAt: link.expiresAt,
  };
}

export async function uploadByLink(
  db: Executor,
  files: FileStorage,
  token: string,
  input: Upload,
  now: Date,
  requestId?: string,
) {
  const link = await linkOf(db, token, now);
  return storeOrderFile(
    db,
    files,
    link.orderId,
    { kind: 'link', linkId: link.id },
    input,
    requestId,
  );
}

export async function respondByLink(
  db: Executor,
  token: string,
  input: OrderRespond,
  now: Date,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const link = await linkOf(trx, token, now);
    const used = await trx
      .updateTable('orderLink')
      .set({ usedAt: now })
      .where('id', '=', link.id)
      .where('usedAt', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!used) throw notFound('整改链接');
    return respond(trx, link.orderId, { kind: 'link', linkId: link.id }, input, now, requestId);
  });
}

// ——— verification (复核) and closure (销号) ———

/**
 * A different inspector verifies: not one of the inspection's inspectors, not the one who issued the
 * order. Accepting needs an answer with evidence files; rejecting sends the order back.
 */
export async function verifyOrder(
  db: Executor,
  actor: Actor,
  orderId: string,
  input: { outcome: 'accepted' | 'rejected'; note: string },
  now: Date,
  requestId?: string,
) {
  requireJurisdiction(actor);
  await findOrder(db, actor, orderId);
  return transaction(db, async (trx) => {
    const order = (await repo.lockOrder(trx, orderId))!;
    const action: OrderAction = input.outcome === 'accepted' ? 'accept' : 'reject';
    const next = nextOrderState(order.state, action);
    if (!next) refuseTransition(order.state, action);
    const me = await personOf(trx, actor);
    if (!me) throw forbidden('复核须由执法人员本人进行');
    const inspection = order.inspectionId
      ? await trx
          .selectFrom('inspection')
          .select('inspectorPersonIds')
          .where('id', '=', order.inspectionId)
          .executeTakeFirst()
      : undefined;
    if (me === order.issuedByPersonId || inspection?.inspectorPersonIds.includes(me))
      throw new DomainError('rule_violation', '复核须由未参加本次检查的另一名执法人员进行', [
        { message: 'same inspector', code: 'verifier_not_independent' },
      ]);
    const responses = await repo.responsesOf(trx, orderId);
    const last = responses.at(-1)!;
    if (action === 'accept' && last.fileIds.length === 0)
      throw new DomainError('rule_violation', '整改材料没有附证据，不能复核通过', [
        { message: 'no evidence', code: 'evidence_required' },
      ]);
    await trx
      .updateTable('orderResponse')
      .set({ outcome: input.outcome, outcomeNote: input.note })
      .where('id', '=', last.id)
      .execute();
    const after = await trx
      .updateTable('rectificationOrder')
      .set({
        state: next,
        ...(action === 'accept'
          ? {
              verifiedBy: actor.displayName,
              verifiedByPersonId: me,
              verifiedAt: now,
              verificationNote: input.note,
            }
          : {}),
      })
      .where('id', '=', orderId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: `supervision.order.${action}`,
      entityType: 'rectification_order',
      entityId: orderId,
      regionCode: order.regionCode,
      before: { state: order.state },
      after: { state: after.state, note: input.note, responseId: last.id },
      requestId,
    });
    return after;
  });
}

export async function closeOrder(
  db: Executor,
  actor: Actor,
  orderId: string,
  now: Date,
  requestId?: string,
) {
  requireJurisdiction(actor, 'regulator', 'inspector');
  await findOrder(db, actor, orderId);
  return transaction(db, async (trx) => {
    const order = (await repo.lockOrder(trx, orderId))!;
    const next = nextOrderState(order.state, 'close');
    if (!next) refuseTransition(order.state, 'close');
    const after = await trx
      .updateTable('rectificationOrder')
      .set({ state: next, closedBy: actor.displayName, closedAt: now })
      .where('id', '=', orderId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('supervisionFinding')
      .set({ status: 'closed', closedAt: now })
      .where('orderId', '=', orderId)
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'supervision.order.close',
      entityType: 'rectification_order',
      entityId: orderId,
      regionCode: order.regionCode,
      before: { state: order.state },
      after: { state: after.state },
      summary: `${order.number} 闭环销号`,
      requestId,
    });
    return after;
  });
}

// ——— penalties ———

const statusByPenalty = { suspension: 'suspended', exit: 'exited' } as const;

/**
 * A penalty decision. 停业整顿 and 淘汰退出 set the organization's status through the registry (with
 * this decision), so a suspended institution cannot open a class and a suspended site cannot host a
 * session.
 */
export async function decidePenalty(
  db: Executor,
  actor: Actor,
  input: PenaltyCreate,
  requestId?: string,
) {
  const scope = requireJurisdiction(actor, 'regulator');
  if (!actor.organizationId) throw forbidden();
  if ((input.kind === 'fine') !== (input.amountYuan !== undefined))
    throw new DomainError('validation_failed', '罚款须填写金额，其他处罚不填金额', [
      { path: 'body.amountYuan', message: 'amount only and always with a fine' },
    ]);
  return transaction(db, async (trx) => {
    const org = await repo.findOrganizationInScope(trx, scope, input.organizationId);
    if (!org) throw notFound('机构');
    if (input.findingId) {
      const f = await repo
        .findingQuery(trx, scope)
        .where('f.id', '=', input.findingId)
        .executeTakeFirst();
      if (!f || f.organizationId !== org.id)
        throw new DomainError('validation_failed', '问题不属于该单位', [
          { path: 'body.findingId', message: 'finding of another organization' },
        ]);
    }
    if (input.inspectionId) {
      const i = await repo
        .inspectionQuery(trx, scope)
        .where('i.id', '=', input.inspectionId)
        .executeTakeFirst();
      if (!i || i.organizationId !== org.id)
        throw new DomainError('validation_failed', '检查不属于该单位', [
          { path: 'body.inspectionId', message: 'inspection of another organization' },
        ]);
    }
    const row = await trx
      .insertInto('penalty')
      .values({
        organizationId: org.id,
        regionCode: org.regionCode,
        regulatorId: actor.organizationId!,
        inspectionId: input.inspectionId ?? null,
        findingId: input.findingId ?? null,
        personId: input.personId ?? null,
        kind: input.kind,
        amountYuan: input.amountYuan ?? null,
        basis: input.basis,
        decisionNumber: input.decisionNumber,
        decidedOn: input.decidedOn,
        decidedBy: actor.displayName,
        note: input.note ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (input.kind === 'suspension' || input.kind === 'exit') {
      const status = statusByPenalty[input.kind];
      if (org.status !== status && org.status !== 'exited')
        await setOrganizationStatus(
          trx,
          actor,
          org.id,
          { status, decision: `${input.decisionNumber}（${input.decidedOn}）` },
          requestId,
        );
    }
    await recordAudit(trx, {
      actor,
      action: 'supervision.penalty.decide',
      entityType: 'penalty',
      entityId: row.id,
      regionCode: org.regionCode,
      after: row,
      summary: `${org.name} ${input.kind} ${input.decisionNumber}`,
      requestId,
    });
    return row;
  });
}

/** A later decision lifts a penalty; lifting the last suspension (or an exit) makes the organization active again. */
export async function liftPenalty(
  db: Executor,
  actor: Actor,
  id: string,
  input: { decisionNumber: string; liftedOn: string },
  requestId?: string,
) {
  const scope = requireJurisdiction(actor, 'regulator');
  return transaction(db, async (trx) => {
    const p = await repo.penaltyQuery(trx, scope).where('pe.id', '=', id).executeTakeFirst();
    if (!p) throw notFound('处罚决定');
    if (p.liftedOn)
      throw new DomainError('rule_violation', '该处罚已解除', [
        { message: 'already lifted', code: 'invalid_transition' },
      ]);
    if (input.liftedOn < p.decidedOn)
      throw new DomainError('validation_failed', '解除日期早于处罚日期', [
        { path: 'body.liftedOn', message: 'before the decision' },
      ]);
    const after = await trx
      .updateTable('penalty')
      .set({
        liftedOn: input.liftedOn,
        liftedDecision: input.decisionNumber,
        liftedBy: actor.displayName,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (p.kind === 'suspension' || p.kind === 'exit') {
      const still = await repo.activePenaltiesOf(trx, p.organizationId, ['suspension', 'exit']);
      if (still.length === 0 && p.organizationStatus !== 'active')
        await setOrganizationStatus(
          trx,
          actor,
          p.organizationId,
          { status: 'active', decision: `${input.decisionNumber}（${input.liftedOn}）` },
          requestId,
        );
    }
    await recordAudit(trx, {
      actor,
      action: 'supervision.penalty.lift',
      entityType: 'penalty',
      entityId: id,
      regionCode: p.regionCode,
      before: { liftedOn: null },
      after: { liftedOn: after.liftedOn, liftedDecision: after.liftedDecision },
      requestId,
    });
    return after;
  });
}

export async function listPenalties(db: Executor, actor: Actor, organizationId?: string) {
  if (!hasRole(actor, 'regulator', 'inspector') && actor.scope.kind !== 'organization')
    throw forbidden();
  let q = repo.penaltyQuery(db, actor.scope);
  if (organizationId) q = q.where('pe.organizationId', '=', organizationId);
  const rows = await q.orderBy('pe.decidedOn', 'desc').limit(1000).execute();
  return rows.map((r) => ({
    ...r,
    amountYuan: r.amountYuan === null ? null : Number(r.amountYuan),
  }));
}
