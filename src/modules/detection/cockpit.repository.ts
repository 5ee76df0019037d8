import { sql } from 'kysely';
import type { Scope } from '../../platform/auth/actor.js';
import type { Executor } from '../../platform/db/database.js';
import { alertVisible } from './alerts.repository.js';

/**
 * The cockpit's figures: each one query over the whole region (grouped in SQL), never one per
 * organization or person. `prefix` is the region shown (inside the caller's jurisdiction, checked
 * by the service); `scope` and `examOnly` keep the caller to the alerts it may see anyway.
 */

/** The day of the problem; a standing condition without one counts from when it was first found. */
const problemDay = sql<string>`coalesce(alert.occurred_on, (alert.detected_at at time zone 'Asia/Shanghai')::date)`;

const escapeLike = (s: string) => s.replace(/[%_\\]/g, (c) => `\\${c}`);

function currentAlerts(db: Executor, scope: Scope, examOnly: boolean, prefix: string) {
  return db
    .selectFrom('alert')
    .where((eb) => alertVisible(eb, scope, examOnly))
    .where('alert.regionCode', 'like', `${escapeLike(prefix)}%`)
    .where('alert.clearedAt', 'is', null);
}

/** Alerts still found, by rule, severity and state. */
export async function alertCounts(db: Executor, scope: Scope, examOnly: boolean, prefix: string) {
  const rows = await currentAlerts(db, scope, examOnly, prefix)
    .select(['alert.rule', 'alert.severity', 'alert.state', (eb) => eb.fn.countAll().as('n')])
    .groupBy(['alert.rule', 'alert.severity', 'alert.state'])
    .execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

export async function dismissedSince(
  db: Executor,
  scope: Scope,
  examOnly: boolean,
  prefix: string,
  since: Date,
) {
  const r = await currentAlerts(db, scope, examOnly, prefix)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('alert.state', '=', 'dismissed')
    .where('alert.stateAt', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Open alerts by the organization's region code (the service folds them into the child regions). */
export async function openByRegionCode(
  db: Executor,
  scope: Scope,
  examOnly: boolean,
  prefix: string,
) {
  const rows = await currentAlerts(db, scope, examOnly, prefix)
    .where('alert.state', 'in', ['new', 'acknowledged'])
    .select(['alert.regionCode', 'alert.severity', (eb) => eb.fn.countAll().as('n')])
    .groupBy(['alert.regionCode', 'alert.severity'])
    .execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

export async function organizationsByRegionCode(db: Executor, prefix: string) {
  const rows = await db
    .selectFrom('organization')
    .select(['regionCode', (eb) => eb.fn.countAll().as('n')])
    .where('regionCode', 'like', `${escapeLike(prefix)}%`)
    .where('kind', 'in', ['training_institution', 'exam_site', 'enterprise'])
    .groupBy('regionCode')
    .execute();
  return rows.map((r) => ({ regionCode: r.regionCode, n: Number(r.n) }));
}

/** Open alerts per week (Monday) or day of the problem, from `from` on. */
export async function openTrend(
  db: Executor,
  scope: Scope,
  examOnly: boolean,
  prefix: string,
  granularity: 'week' | 'day',
  from: string,
) {
  const bucket = sql<string>`to_char(date_trunc(${sql.lit(granularity)}, ${problemDay}::timestamp), 'YYYY-MM-DD')`;
  const rows = await currentAlerts(db, scope, examOnly, prefix)
    .where('alert.state', 'in', ['new', 'acknowledged'])
    .where(problemDay, '>=', from)
    .select([bucket.as('start'), 'alert.severity', (eb) => eb.fn.countAll().as('n')])
    .groupBy([bucket, 'alert.severity'])
    .execute();
  return rows.map((r) => ({ start: r.start, severity: r.severity, n: Number(r.n) }));
}

/**
 * Alerts by organization, rule and severity, with the organization: the ranking's input. `open` only
 * counts alerts in force (new or acknowledged); with `occurredFrom/To` it is a month's report instead.
 */
export async function alertsByOrganization(
  db: Executor,
  scope: Scope,
  examOnly: boolean,
  prefix: string,
  window: { from: string; to: string } | null,
) {
  let q = currentAlerts(db, scope, examOnly, prefix)
    .innerJoin('organization as o', 'o.id', 'alert.organizationId')
    .leftJoin('region as r', 'r.code', 'o.regionCode')
    .where('alert.state', 'in', ['new', 'acknowledged']);
  if (window) q = q.where(problemDay, '>=', window.from).where(problemDay, '<=', window.to);
  const rows = await q
    .select([
      'o.id',
      'o.name',
      'o.kind',
      'o.status',
      'o.regionCode',
      'r.name as regionName',
      'alert.rule',
      'alert.severity',
      (eb) => eb.fn.countAll().as('n'),
    ])
    .groupBy([
      'o.id',
      'o.name',
      'o.kind',
      'o.status',
      'o.regionCode',
      'r.name',
      'alert.rule',
      'alert.severity',
    ])
    .execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** A month's alerts (by the day the problem happened) by rule, severity and state. */
export async function alertsInWindow(
  db: Executor,
  scope: Scope,
  examOnly: boolean,
  prefix: string,
  window: { from: string; to: string },
) {
  const rows = await currentAlerts(db, scope, examOnly, prefix)
    .where(problemDay, '>=', window.from)
    .where(problemDay, '<=', window.to)
    .select([
      'alert.rule',
      'alert.severity',
      'alert.state',
      'alert.regionCode',
      (eb) => eb.fn.countAll().as('n'),
    ])
    .groupBy(['alert.rule', 'alert.severity', 'alert.state', 'alert.regionCode'])
    .execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

// ——— seed 003's rates ———

/** Current employees of enterprises in the region: all, and those in posts trained outside. */
export async function employmentCounts(
  db: Executor,
  prefix: string,
  asOf: string,
  posts: string[],
  trainedSince: string,
) {
  const r = await sql<{ all: string; rated: string; trained: string }>`
    select count(distinct e.person_id) as all,
      count(distinct e.person_id) filter (where e.post = any(${posts}::text[])) as rated,
      count(distinct e.person_id) filter (where e.post = any(${posts}::text[]) and exists (
        select 1 from class_trainee ct join training_class c on c.id = ct.class_id
        where ct.person_id = e.person_id and c.start_date <= ${asOf}::date and c.end_date >= ${trainedSince}::date)) as trained
    from employment e join organization o on o.id = e.organization_id and o.kind = 'enterprise'
    where e.region_code like ${`${escapeLike(prefix)}%`}
      and e.start_date <= ${asOf}::date and (e.end_date is null or e.end_date >= ${asOf}::date)`.execute(
    db,
  );
  const row = r.rows[0];
  return { all: Number(row.all), rated: Number(row.rated), trained: Number(row.trained) };
}

/**
 * Special operators at work today with the certificates they hold for their item (and the events of
 * each certificate), for the certificates module's pure status function to judge.
 */
export async function operatorsWithCertificates(db: Executor, prefix: string, asOf: string) {
  const r = await sql<{
    personId: string;
    itemCode: string;
    kind: 'special_operation' | 'competency' | null;
    issuedOn: string | null;
    validUntil: string | null;
    events: {
      kind: string;
      occurredOn: string;
      extended: boolean;
      fraud: boolean;
      banUntil: string | null;
      reason: string | null;
    }[];
  }>`
    select distinct e.person_id, e.operation_item_code as item_code, c.kind,
      to_char(c.issued_on, 'YYYY-MM-DD') as issued_on, to_char(c.valid_until, 'YYYY-MM-DD') as valid_until,
      coalesce((select json_agg(json_build_object('kind', x.kind, 'occurredOn', to_char(x.occurred_on, 'YYYY-MM-DD'),
          'extended', x.extended, 'fraud', x.fraud, 'banUntil', to_char(x.ban_until, 'YYYY-MM-DD'), 'reason', x.reason)
          order by x.occurred_on)
        from certificate_event x where x.certificate_id = c.id), '[]'::json)::text as events
    from employment e join organization o on o.id = e.organization_id and o.kind = 'enterprise'
    left join certificate c on c.person_id = e.person_id and c.operation_item_code = e.operation_item_code
      and c.kind = 'special_operation' and c.issued_on <= ${asOf}::date
    where e.region_code like ${`${escapeLike(prefix)}%`} and e.post = 'special_operator'
      and e.operation_item_code is not null
      and e.start_date <= ${asOf}::date and (e.end_date is null or e.end_date >= ${asOf}::date)`.execute(
    db,
  );
  return r.rows.map((x) => ({
    ...x,
    events: typeof x.events === 'string' ? JSON.parse(x.events) : x.events,
  }));
}

/** Exam results (pass / fail) of sittings held in the window, by certificate kind. */
export async function examResults(db: Executor, prefix: string, from: Date, to: Date) {
  const rows = await db
    .selectFrom('examRegistration as r')
    .innerJoin('examSession as s', 's.id', 'r.sessionId')
    .innerJoin('examPlan as p', 'p.id', 'r.planId')
    .where('r.regionCode', 'like', `${escapeLike(prefix)}%`)
    .where('s.startsAt', '>=', from)
    .where('s.startsAt', '<', to)
    .where('r.result', 'in', ['pass', 'fail'])
    .select([
      'p.certificateKind',
      (eb) => eb.fn.countAll().as('n'),
      sql<string>`count(*) filter (where r.result = 'pass')`.as('passed'),
    ])
    .groupBy('p.certificateKind')
    .execute();
  return rows.map((r) => ({ kind: r.certificateKind, n: Number(r.n), passed: Number(r.passed) }));
}
