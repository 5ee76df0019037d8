import { type DetectionRuleId, detectionRuleIds, detectionRules } from '../../catalog/findings.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Actor, hasRole } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import type { Alert, AlertDetail, AlertListQuery, AlertTransition } from './alerts.contract.js';
import * as repo from './alerts.repository.js';
import type { AlertTable } from './detection.table.js';
import { alertKey, type RuleOutcome, type RunOptions, runRules } from './engine.js';
import { resolveEvidence } from './evidence.repository.js';
import type { Detected } from './rule.js';

type AlertRow = import('kysely').Selectable<AlertTable>;

/** Bundle section of each record kind (external_ref.entity_type), for the `ref` of CONTRACTS.md. */
export const sectionOfKind: Record<string, string> = {
  organization: 'organizations',
  person: 'persons',
  staff_assignment: 'staff',
  employment: 'employments',
  room: 'rooms',
  device: 'devices',
  training_class: 'classes',
  class: 'classes',
  lesson: 'lessons',
  attendance_event: 'attendance',
  attendance_makeup: 'makeups',
  recording: 'recordings',
  online_course: 'onlineCourses',
  online_session: 'onlineSessions',
  class_document: 'classDocuments',
  exam_plan: 'examPlans',
  exam_session: 'examSessions',
  exam_registration: 'examRegistrations',
  theory_attempt: 'theoryAttempts',
  practical_score: 'practicalScores',
  patrol_event: 'patrolEvents',
  certificate: 'certificates',
  question: 'questions',
};

export interface StoreResult {
  outcomes: RuleOutcome[];
  created: number;
  cleared: number;
  found: number;
}

function toUpsert(f: Detected): repo.AlertUpsert {
  return {
    key: alertKey(f),
    rule: f.rule,
    code: f.code,
    severity: f.severity,
    organizationId: f.organization.id,
    organizationKind: f.organization.kind,
    regionCode: f.organization.regionCode,
    recordKind: f.subject.kind,
    recordId: f.subject.id ?? null,
    recordName: f.subject.name ?? null,
    summary: f.message,
    evidence: f.evidence.map((e) => ({
      kind: e.kind,
      id: e.id,
      ...(e.label ? { label: e.label } : {}),
    })),
    figure: f.figure ?? null,
    source: f.source,
    occurredOn: f.date,
  };
}

/**
 * Evaluates rules and stores what they found: new alerts are inserted, alerts found again are
 * refreshed (keeping their state), and alerts of the evaluated rules and domain that were not found
 * are marked cleared. One transaction, one audit entry. Full runs and the queue's incremental runs
 * both come through here, so both leave the same alerts.
 */
export async function evaluateAndStore(
  db: Executor,
  caller: string,
  opts: RunOptions = {},
): Promise<StoreResult> {
  const now = opts.now ?? new Date();
  const outcomes = await runRules(db, { ...opts, now });
  const regionPrefix = (opts.regionPrefix ?? '').replace(/[^0-9]/g, '');
  const organizationIds = opts.organizationIds ?? null;
  let created = 0;
  let cleared = 0;
  let found = 0;
  await transaction(db, async (trx) => {
    for (const o of outcomes) {
      if (o.status === 'evaluated') {
        const rows = o.findings.map(toUpsert);
        found += rows.length;
        created += await repo.upsertAlerts(trx, rows, now);
        cleared += await repo.clearMissing(
          trx,
          { rule: o.rule, regionPrefix, organizationIds, keep: rows.map((r) => r.key) },
          now,
        );
      }
      if (organizationIds === null)
        await repo.recordRuleRun(
          trx,
          {
            rule: o.rule,
            scope: regionPrefix,
            status: o.status,
            reason: o.status === 'not_evaluable' ? o.reason : null,
            alerts: o.status === 'evaluated' ? o.findings.length : 0,
            ms: Math.round(o.ms),
          },
          now,
        );
    }
    if (created > 0 || cleared > 0 || organizationIds === null)
      await recordAudit(trx, {
        actor: caller,
        action: organizationIds === null ? 'detection.run' : 'detection.incremental',
        entityType: 'alert',
        regionCode: regionPrefix || null,
        summary: `${outcomes.filter((o) => o.status === 'evaluated').length} rules evaluated${organizationIds ? ` for ${organizationIds.length} organizations` : ''}: ${found} found, ${created} new, ${cleared} cleared`,
        at: now,
      });
  });
  return { outcomes, created, cleared, found };
}

/** Some checks name the figure without a required/found value (T10's separation of duties). */
function figureOf(f: unknown): Alert['figure'] {
  if (!f || typeof f !== 'object') return null;
  const x = f as { key: string; expected?: unknown; actual?: unknown };
  return { key: x.key, expected: x.expected ?? null, actual: x.actual ?? null };
}

/** Alerts as CONTRACTS.md shows them, with the bundle refs of their organization, record and evidence. */
export async function presentAlerts(db: Executor, rows: AlertRow[]): Promise<Alert[]> {
  const wanted: { section: string; id: string }[] = [];
  for (const a of rows) {
    if (a.organizationId) wanted.push({ section: 'organizations', id: a.organizationId });
    const rs = sectionOfKind[a.recordKind];
    if (rs && a.recordId) wanted.push({ section: rs, id: a.recordId });
    for (const e of a.evidence) {
      const s = sectionOfKind[e.kind];
      if (s) wanted.push({ section: s, id: e.id });
    }
  }
  const refs = await repo.refsOf(db, wanted);
  const refOf = (kind: string, id: string | null) =>
    id && sectionOfKind[kind] ? (refs.get(`${sectionOfKind[kind]}|${id}`) ?? null) : null;
  return rows.map((a) => ({
    id: a.id,
    rule: a.rule as DetectionRuleId,
    code: a.code,
    subject: {
      kind: 'organization' as const,
      id: a.organizationId,
      ref: refOf('organization', a.organizationId),
      name: null,
      organizationKind: a.organizationKind,
      regionCode: a.regionCode,
    },
    record: {
      kind: a.recordKind,
      id: a.recordId,
      ref: refOf(a.recordKind, a.recordId),
      name: a.recordName,
    },
    severity: a.severity,
    summary: a.summary,
    evidence: a.evidence.map((e) => ({
      kind: e.kind,
      id: e.id,
      ref: refOf(e.kind, e.id),
      ...(e.label ? { label: e.label } : {}),
    })),
    figure: figureOf(a.figure),
    source: a.source,
    occurredOn: a.occurredOn,
    state: a.state,
    stateReason: a.stateReason,
    detectedAt: a.detectedAt.toISOString(),
    lastSeenAt: a.lastSeenAt.toISOString(),
    clearedAt: a.clearedAt ? a.clearedAt.toISOString() : null,
  }));
}

async function withOrgNames(db: Executor, alerts: Alert[]): Promise<Alert[]> {
  const ids = [...new Set(alerts.flatMap((a) => (a.subject.id ? [a.subject.id] : [])))];
  if (ids.length === 0) return alerts;
  const rows = await db
    .selectFrom('organization')
    .select(['id', 'name'])
    .where('id', 'in', ids)
    .execute();
  const name = new Map(rows.map((r) => [r.id, r.name]));
  return alerts.map((a) => ({
    ...a,
    subject: { ...a.subject, name: a.subject.id ? (name.get(a.subject.id) ?? null) : null },
  }));
}

/** Exam authorities supervise exams: they see the exam-side alerts of their jurisdiction. */
export const examOnly = (actor: Actor) =>
  hasRole(actor, 'exam_authority') && !hasRole(actor, 'regulator', 'inspector');

function assertMayRead(actor: Actor) {
  if (actor.scope.kind !== 'region' && actor.scope.kind !== 'organization')
    throw forbidden('只有监管部门、考试机构和被预警的单位可以查看预警');
}

export async function listAlertsFor(db: Executor, actor: Actor, q: AlertListQuery) {
  assertMayRead(actor);
  const { items, total } = await repo.listAlerts(db, actor.scope, examOnly(actor), q);
  return { items: await withOrgNames(db, await presentAlerts(db, items)), total };
}

/** Every current alert of a domain in the deterministic order of `zhenxun detect` (the system, no actor). */
export async function alertsForCli(
  db: Executor,
  q: { regionPrefix: string; rules: DetectionRuleId[] | null; since: string | null },
) {
  return withOrgNames(db, await presentAlerts(db, await repo.alertsInOrder(db, q)));
}

export async function getAlert(db: Executor, actor: Actor, id: string): Promise<AlertDetail> {
  assertMayRead(actor);
  const row = await repo.findAlert(db, actor.scope, examOnly(actor), id);
  if (!row) throw notFound('预警');
  const [alert] = await withOrgNames(db, await presentAlerts(db, [row]));
  const resolved = await resolveEvidence(db, alert.evidence);
  const history = await repo.auditOfAlert(db, id);
  return {
    ...alert,
    evidence: resolved,
    ruleName: detectionRules[alert.rule].name,
    history: history.map((h) => ({
      at: h.at.toISOString(),
      action: h.action,
      actor: h.actor,
      summary: h.summary,
    })),
  };
}

const MIN_REASON = 4;

/**
 * The lifecycle: new → acknowledged → dismissed (with a reason), or back to new. A regulator (or
 * inspector) of the jurisdiction decides; an exam authority for the exam-side rules; the organization
 * an alert is against never decides about its own alerts. Every transition is audited.
 */
export async function transitionAlert(
  db: Executor,
  actor: Actor,
  id: string,
  input: AlertTransition,
  now: Date,
  requestId?: string,
) {
  if (actor.scope.kind !== 'region' || !hasRole(actor, 'regulator', 'inspector', 'exam_authority'))
    throw forbidden('只有监管部门（考试类预警：考试机构）可以处理预警');
  const visible = await repo.findAlert(db, actor.scope, examOnly(actor), id);
  if (!visible) throw notFound('预警');
  const reason = input.reason?.trim() || null;
  if (
    (input.state === 'dismissed' || visible.state === 'dismissed') &&
    (reason?.length ?? 0) < MIN_REASON
  )
    throw new DomainError('validation_failed', '排除或重新打开预警须填写理由（不少于4个字）', [
      { path: 'body.reason', message: '请填写理由（不少于4个字）' },
    ]);
  return transaction(db, async (trx) => {
    const row = await repo.lockAlert(trx, id);
    if (!row) throw notFound('预警');
    if (row.state === 'finding')
      throw new DomainError('conflict', '该预警已移交监管执法，作为检查问题处理');
    if (row.state === input.state) throw new DomainError('conflict', `预警已是该状态`);
    const by = actor.userId ? `user:${actor.userId}` : `token:${actor.tokenId}`;
    await repo.setAlertState(trx, id, { state: input.state, reason, by, at: now });
    await recordAudit(trx, {
      actor,
      action: `alert.${input.state === 'new' ? 'reopen' : input.state === 'acknowledged' ? 'acknowledge' : 'dismiss'}`,
      entityType: 'alert',
      entityId: id,
      regionCode: row.regionCode,
      before: { state: row.state, stateReason: row.stateReason },
      after: { state: input.state, stateReason: reason },
      summary: reason ?? `${row.state} → ${input.state}`,
      requestId,
      at: now,
    });
    return { id, state: input.state, stateReason: reason };
  });
}

/** Per rule of the catalog: the latest full evaluation over the caller's jurisdiction and its open alerts. */
export async function ruleStatuses(db: Executor, actor: Actor) {
  assertMayRead(actor);
  const runs = await repo.listRuleRuns(db);
  const prefix = actor.scope.kind === 'region' ? actor.scope.regionCode : '';
  const { items } = await repo.listAlerts(db, actor.scope, examOnly(actor), {
    page: 1,
    pageSize: 1,
  } as AlertListQuery);
  void items;
  const counts = await db
    .selectFrom('alert')
    .select(['rule', (eb) => eb.fn.countAll<number>().as('n')])
    .where((eb) => repo.alertVisible(eb, actor.scope, examOnly(actor)))
    .where('clearedAt', 'is', null)
    .where('state', 'in', ['new', 'acknowledged'])
    .groupBy('rule')
    .execute();
  const open = new Map(counts.map((c) => [c.rule, Number(c.n)]));
  return detectionRuleIds.map((rule) => {
    // The most specific evaluation that covers the caller's jurisdiction.
    const run = runs
      .filter((r) => r.rule === rule && prefix.startsWith(r.scope))
      .sort((a, b) => b.scope.length - a.scope.length)[0];
    return {
      rule,
      status: run ? run.status : ('never_run' as const),
      reason: run?.reason ?? null,
      evaluatedAt: run ? run.evaluatedAt.toISOString() : null,
      open: open.get(rule) ?? 0,
    };
  });
}
