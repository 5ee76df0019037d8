import { type ExpressionBuilder, sql } from 'kysely';
import type { Scope } from '../../platform/auth/actor.js';
import { nothing, regionPrefix } from '../../platform/auth/scope-sql.js';
import type { Executor } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { AlertListQuery } from './alerts.contract.js';
import type { AlertEvidence, AlertState } from './detection.table.js';

type AlertEb = ExpressionBuilder<Database, 'alert'>;

/**
 * Alerts a scope may see: a regulator's (or inspector's) jurisdiction — every alert raised against an
 * organization of its region or below; an exam authority's jurisdiction for the exam-side rules
 * (E…); an organization its own alerts; a worker none.
 */
export function alertVisible(eb: AlertEb, scope: Scope, examOnly: boolean) {
  switch (scope.kind) {
    case 'region':
      return examOnly
        ? eb.and([
            eb('alert.regionCode', 'like', regionPrefix(scope)),
            eb('alert.rule', 'like', 'E%'),
          ])
        : eb('alert.regionCode', 'like', regionPrefix(scope));
    case 'organization':
      return eb('alert.organizationId', '=', scope.organizationId);
    default:
      return nothing;
  }
}

export interface AlertUpsert {
  key: string;
  rule: string;
  code: string;
  severity: 'serious' | 'warning' | 'notice';
  organizationId: string | null;
  organizationKind: string | null;
  regionCode: string;
  recordKind: string;
  recordId: string | null;
  recordName: string | null;
  summary: string;
  evidence: AlertEvidence[];
  figure: unknown | null;
  source: string;
  occurredOn: string | null;
}

const UPSERT_CHUNK = 500;

/**
 * Inserts new alerts and refreshes the ones found again (wording, figures; `cleared_at` back to null),
 * keeping their state: a dismissed alert found again by the same evidence stays dismissed.
 * Returns how many were new.
 */
export async function upsertAlerts(trx: Executor, rows: AlertUpsert[], now: Date): Promise<number> {
  let created = 0;
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    const chunk = rows.slice(i, i + UPSERT_CHUNK);
    const r = await trx
      .insertInto('alert')
      .values(
        chunk.map((a) => ({
          ...a,
          evidence: JSON.stringify(a.evidence),
          figure: a.figure === null ? null : JSON.stringify(a.figure),
          detectedAt: now,
          lastSeenAt: now,
        })),
      )
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          severity: eb.ref('excluded.severity'),
          summary: eb.ref('excluded.summary'),
          evidence: eb.ref('excluded.evidence'),
          figure: eb.ref('excluded.figure'),
          source: eb.ref('excluded.source'),
          recordName: eb.ref('excluded.recordName'),
          organizationKind: eb.ref('excluded.organizationKind'),
          regionCode: eb.ref('excluded.regionCode'),
          lastSeenAt: eb.ref('excluded.lastSeenAt'),
          clearedAt: null,
        })),
      )
      // xmax = 0 only for a row this statement inserted.
      .returning(sql<boolean>`xmax = 0`.as('inserted'))
      .execute();
    created += r.filter((x) => x.inserted).length;
  }
  return created;
}

/** Alerts of a rule within the evaluated domain that the evaluation did not produce: no longer found. */
export async function clearMissing(
  trx: Executor,
  q: { rule: string; regionPrefix: string; organizationIds: string[] | null; keep: string[] },
  now: Date,
): Promise<number> {
  const r = await sql`
    update alert set cleared_at = ${now}
    where rule = ${q.rule} and cleared_at is null and region_code like ${`${q.regionPrefix}%`}
      and (${q.organizationIds}::uuid[] is null or organization_id = any(${q.organizationIds}::uuid[]))
      and not (key = any(${q.keep}::text[]))`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}

export async function recordRuleRun(
  trx: Executor,
  row: {
    rule: string;
    scope: string;
    status: 'evaluated' | 'not_evaluable';
    reason: string | null;
    alerts: number;
    ms: number;
  },
  now: Date,
) {
  await trx
    .insertInto('detectionRuleRun')
    .values({ ...row, evaluatedAt: now })
    .onConflict((oc) =>
      oc.columns(['rule', 'scope']).doUpdateSet({
        status: row.status,
        reason: row.reason,
        alerts: row.alerts,
        ms: row.ms,
        evaluatedAt: now,
      }),
    )
    .execute();
}

export function listRuleRuns(db: Executor) {
  return db.selectFrom('detectionRuleRun').selectAll().execute();
}

function filtered(db: Executor, scope: Scope, examOnly: boolean, q: Partial<AlertListQuery>) {
  let base = db.selectFrom('alert').where((eb) => alertVisible(eb, scope, examOnly));
  if (!q.includeCleared) base = base.where('alert.clearedAt', 'is', null);
  if (q.rule) base = base.where('alert.rule', '=', q.rule);
  if (q.severity) base = base.where('alert.severity', '=', q.severity);
  if (q.state === 'open') base = base.where('alert.state', 'in', ['new', 'acknowledged']);
  else if (q.state) base = base.where('alert.state', '=', q.state);
  if (q.regionCode) base = base.where('alert.regionCode', 'like', `${q.regionCode}%`);
  if (q.organizationId) base = base.where('alert.organizationId', '=', q.organizationId);
  if (q.since) base = base.where('alert.occurredOn', '>=', q.since);
  if (q.until) base = base.where('alert.occurredOn', '<=', q.until);
  if (q.q) {
    const like = `%${q.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    base = base.where('alert.summary', 'like', like);
  }
  return base;
}

const severityRank = sql<number>`case alert.severity when 'serious' then 0 when 'warning' then 1 else 2 end`;

/** A page of alerts, most serious and newest first (open ones before handled ones). */
export async function listAlerts(db: Executor, scope: Scope, examOnly: boolean, q: AlertListQuery) {
  const base = filtered(db, scope, examOnly, q);
  const [items, total] = await Promise.all([
    base
      .selectAll('alert')
      .orderBy(sql`case when alert.state in ('new','acknowledged') then 0 else 1 end`)
      .orderBy(severityRank)
      .orderBy('alert.occurredOn', (o) => o.desc().nullsLast())
      .orderBy('alert.rule')
      .orderBy('alert.key')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

/** Every alert in a domain, in the deterministic order of the CLI (rule, region, organization, day, key). */
export function alertsInOrder(
  db: Executor,
  q: { regionPrefix: string; rules: string[] | null; since: string | null },
) {
  let base = db
    .selectFrom('alert')
    .leftJoin('organization as o', 'o.id', 'alert.organizationId')
    .selectAll('alert')
    .where('alert.clearedAt', 'is', null)
    .where('alert.regionCode', 'like', `${q.regionPrefix}%`);
  if (q.rules) base = base.where('alert.rule', 'in', q.rules);
  if (q.since) base = base.where('alert.occurredOn', '>=', q.since);
  return base
    .orderBy('alert.rule')
    .orderBy('alert.regionCode')
    .orderBy('o.name')
    .orderBy('alert.occurredOn')
    .orderBy('alert.recordName')
    .orderBy('alert.key')
    .execute();
}

export function findAlert(db: Executor, scope: Scope, examOnly: boolean, id: string) {
  return db
    .selectFrom('alert')
    .selectAll()
    .where('id', '=', id)
    .where((eb) => alertVisible(eb, scope, examOnly))
    .executeTakeFirst();
}

export function lockAlert(trx: Executor, id: string) {
  return trx.selectFrom('alert').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function setAlertState(
  trx: Executor,
  id: string,
  s: { state: AlertState; reason: string | null; by: string; at: Date },
) {
  return trx
    .updateTable('alert')
    .set({ state: s.state, stateReason: s.reason, stateBy: s.by, stateAt: s.at })
    .where('id', '=', id)
    .execute();
}

/** Bundle refs of records, by their table-like kind and id (external_ref holds the section name). */
export async function refsOf(db: Executor, items: { section: string; id: string }[]) {
  if (items.length === 0) return new Map<string, string>();
  const rows = await sql<{ entityType: string; entityId: string; ref: string }>`
    select entity_type, entity_id::text, ref from external_ref
    where (entity_type, entity_id::text) in (select * from unnest(${items.map((i) => i.section)}::text[], ${items.map((i) => i.id)}::text[]))
    order by entity_type, entity_id, ref`.execute(db);
  const out = new Map<string, string>();
  for (const r of rows.rows) {
    const k = `${r.entityType}|${r.entityId}`;
    if (!out.has(k)) out.set(k, r.ref);
  }
  return out;
}

export function auditOfAlert(db: Executor, id: string) {
  return db
    .selectFrom('auditLog')
    .select(['at', 'action', 'actor', 'summary'])
    .where('entityType', '=', 'alert')
    .where('entityId', '=', id)
    .orderBy('seq')
    .execute();
}
