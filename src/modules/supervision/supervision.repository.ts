import { type SqlBool, sql } from 'kysely';
import type { Scope } from '../../platform/auth/actor.js';
import { regionPrefix } from '../../platform/auth/scope-sql.js';
import type { Executor } from '../../platform/db/database.js';
import type { FileOwnerKind, OrderState, PenaltyKind, SubjectKind } from './supervision.table.js';

/**
 * All SQL of supervision. Every read takes the caller's scope: a jurisdiction sees rows whose
 * region_code lies under its region (the inspected organization's region), an organization its own
 * rows, anyone else nothing. A row out of scope is simply not found.
 */
export function scopePredicate(scope: Scope, alias: string): ReturnType<typeof sql<SqlBool>> {
  switch (scope.kind) {
    case 'region':
      return sql<SqlBool>`${sql.ref(`${alias}.regionCode`)} like ${regionPrefix(scope)}`;
    case 'organization':
      return sql<SqlBool>`${sql.ref(`${alias}.organizationId`)} = ${scope.organizationId}`;
    default:
      return sql<SqlBool>`false`;
  }
}

// ——— templates ———

export function listTemplates(db: Executor, regionCode: string) {
  return db
    .selectFrom('checklistTemplate')
    .selectAll()
    .where(sql<SqlBool>`${regionCode} like region_code || '%'`)
    .orderBy('code')
    .orderBy('version', 'desc')
    .execute();
}

export function findTemplate(db: Executor, id: string) {
  return db.selectFrom('checklistTemplate').selectAll().where('id', '=', id).executeTakeFirst();
}

export function latestTemplate(db: Executor, code: string, regionCode: string) {
  return db
    .selectFrom('checklistTemplate')
    .selectAll()
    .where('code', '=', code)
    .where(sql<SqlBool>`${regionCode} like region_code || '%'`)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

// ——— people ———

/** Inspectors of the regulators in a region (persons holding an inspector duty today). */
export function listInspectors(db: Executor, regionPrefixValue: string, on: string) {
  return (
    db
      .selectFrom('staffAssignment as s')
      .innerJoin('person as p', 'p.id', 's.personId')
      .innerJoin('organization as o', 'o.id', 's.organizationId')
      .select([
        'p.id as personId',
        'p.name',
        'o.id as regulatorId',
        'o.name as regulatorName',
        'o.regionCode',
      ])
      // The inspector's login, if any: a public report is assigned to a user (its handling officer).
      .select((eb) =>
        eb
          .selectFrom('appUser as u')
          .select('u.id')
          .whereRef('u.personId', '=', 'p.id')
          .orderBy('u.createdAt')
          .limit(1)
          .as('userId'),
      )
      .where('s.duty', '=', 'inspector')
      .where('o.kind', '=', 'regulator')
      .where('o.regionCode', 'like', `${regionPrefixValue}%`)
      .where('s.startDate', '<=', on)
      .where((eb) => eb.or([eb('s.endDate', 'is', null), eb('s.endDate', '>=', on)]))
      // By ID-card number: the same city gives the same draw input whatever ids the database made.
      .orderBy('p.idNumber')
      .orderBy('p.id')
      .execute()
  );
}

export function relativesOf(db: Executor, inspectorPersonIds: string[]) {
  if (inspectorPersonIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('inspectorRelative as r')
    .innerJoin('person as p', 'p.id', 'r.relativePersonId')
    .select([
      'r.id',
      'r.inspectorPersonId',
      'r.relativePersonId',
      'p.name as relativeName',
      'r.relation',
      'r.declaredAt',
    ])
    .where('r.inspectorPersonId', 'in', inspectorPersonIds)
    .execute();
}

/**
 * Conflicts of interest, set-based: for every (organization, inspector) pair where the inspector or
 * a declared relative holds a duty or an employment there on the day, the reason in words.
 */
export async function conflictsOf(
  db: Executor,
  organizationIds: string[],
  inspectorPersonIds: string[],
  on: string,
): Promise<{ organizationId: string; inspectorPersonId: string; reason: string }[]> {
  if (organizationIds.length === 0 || inspectorPersonIds.length === 0) return [];
  const { rows } = await sql<{ organizationId: string; inspectorPersonId: string; reason: string }>`
    with people as (
      select i as inspector_person_id, i as person_id, '本人'::text as relation
        from unnest(${inspectorPersonIds}::uuid[]) i
      union all
      select r.inspector_person_id, r.relative_person_id, r.relation
        from inspector_relative r where r.inspector_person_id = any(${inspectorPersonIds}::uuid[])
    ), links as (
      select s.organization_id, s.person_id, 'duty'::text as link, s.duty as what from staff_assignment s
       where s.organization_id = any(${organizationIds}::uuid[]) and s.start_date <= ${on}
         and (s.end_date is null or s.end_date >= ${on})
      union all
      select e.organization_id, e.person_id, 'employment', e.post from employment e
       where e.organization_id = any(${organizationIds}::uuid[]) and e.start_date <= ${on}
         and (e.end_date is null or e.end_date >= ${on})
    )
    select l.organization_id, p.inspector_person_id,
           string_agg(p.relation || '（' || pe.name || '）在该单位' ||
             case l.link when 'duty' then '任职' else '就业' end, '；' order by p.relation, pe.name) as reason
      from people p join links l on l.person_id = p.person_id join person pe on pe.id = p.person_id
     group by l.organization_id, p.inspector_person_id`.execute(db);
  return rows;
}

export function personIdOfUser(db: Executor, userId: string) {
  return db
    .selectFrom('appUser')
    .select(['personId', 'displayName'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

export function personNames(db: Executor, ids: string[]) {
  if (ids.length === 0) return Promise.resolve(new Map<string, string>());
  return db
    .selectFrom('person')
    .select(['id', 'name'])
    .where('id', 'in', ids)
    .execute()
    .then((rows) => new Map(rows.map((r) => [r.id, r.name])));
}

// ——— organizations ———

export function findOrganizationInScope(db: Executor, scope: Scope, id: string) {
  return db
    .selectFrom('organization as o')
    .select(['o.id', 'o.name', 'o.kind', 'o.regionCode', 'o.status', 'o.facilities'])
    .where('o.id', '=', id)
    .where(
      scope.kind === 'region'
        ? sql<SqlBool>`o.region_code like ${regionPrefix(scope)}`
        : scope.kind === 'organization'
          ? sql<SqlBool>`o.id = ${scope.organizationId}`
          : sql<SqlBool>`false`,
    )
    .executeTakeFirst();
}

export function drawPool(
  db: Executor,
  regionPrefixValue: string,
  kinds: SubjectKind[],
  period: string,
) {
  return db
    .selectFrom('organization as o')
    .leftJoin('organizationGrade as g', (j) =>
      j.onRef('g.organizationId', '=', 'o.id').on('g.period', '=', period),
    )
    .select(['o.id', 'o.name', 'o.kind', 'o.regionCode', 'g.grade'])
    .where('o.kind', 'in', kinds)
    .where('o.status', '=', 'active')
    .where('o.regionCode', 'like', `${regionPrefixValue}%`)
    .orderBy('o.creditCode')
    .orderBy('o.id')
    .execute();
}

/** The latest grade of each organization (any period up to this one). */
export function latestGrades(db: Executor, organizationIds: string[]) {
  if (organizationIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('organizationGrade')
    .distinctOn('organizationId')
    .select(['organizationId', 'grade', 'period', 'score'])
    .where('organizationId', 'in', organizationIds)
    .orderBy('organizationId')
    .orderBy('period', 'desc')
    .execute();
}

// ——— inspections ———

export function inspectionQuery(db: Executor, scope: Scope) {
  return db
    .selectFrom('inspection as i')
    .innerJoin('organization as o', 'o.id', 'i.organizationId')
    .innerJoin('organization as r', 'r.id', 'i.regulatorId')
    .innerJoin('checklistTemplate as t', 't.id', 'i.templateId')
    .select([
      'i.id',
      'i.planId',
      'i.drawId',
      'i.reportId',
      'i.regulatorId',
      'r.name as regulatorName',
      'i.organizationId',
      'o.name as organizationName',
      'o.kind as organizationKind',
      'o.status as organizationStatus',
      'i.regionCode',
      'i.subjectKind',
      'i.templateId',
      't.name as templateName',
      't.code as templateCode',
      't.version as templateVersion',
      'i.scheduledOn',
      'i.inspectorPersonIds',
      'i.status',
      'i.startedAt',
      'i.signedAt',
      'i.signerName',
      'i.signatureSha256',
      'i.summary',
      'i.createdAt',
    ])
    .where(scopePredicate(scope, 'i'));
}

export function lockInspection(db: Executor, id: string) {
  return db
    .selectFrom('inspection')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function itemsOf(db: Executor, inspectionId: string) {
  return db
    .selectFrom('inspectionItem')
    .selectAll()
    .where('inspectionId', '=', inspectionId)
    .orderBy('position')
    .execute();
}

export function filesOf(db: Executor, ownerKind: FileOwnerKind, ownerIds: string[]) {
  if (ownerIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('supervisionFile')
    .select(['id', 'sha256', 'size', 'contentType', 'name', 'ownerId', 'uploadedAt', 'uploadedBy'])
    .where('ownerKind', '=', ownerKind)
    .where('ownerId', 'in', ownerIds)
    .orderBy('uploadedAt')
    .execute();
}

export function findFile(db: Executor, id: string) {
  return db.selectFrom('supervisionFile').selectAll().where('id', '=', id).executeTakeFirst();
}

// ——— findings, orders, penalties ———

export function findingQuery(db: Executor, scope: Scope) {
  return db
    .selectFrom('supervisionFinding as f')
    .innerJoin('organization as o', 'o.id', 'f.organizationId')
    .leftJoin('rectificationOrder as ro', 'ro.id', 'f.orderId')
    .select([
      'f.id',
      'f.inspectionId',
      'f.itemPosition',
      'f.alertId',
      'f.orderId',
      'ro.number as orderNumber',
      'ro.deadline as orderDeadline',
      'ro.state as orderState',
      'f.organizationId',
      'o.name as organizationName',
      'o.kind as organizationKind',
      'f.regionCode',
      'f.rule',
      'f.code',
      'f.severity',
      'f.message',
      'f.basis',
      'f.evidence',
      'f.status',
      'f.createdAt',
      'f.closedAt',
    ])
    .where(scopePredicate(scope, 'f'));
}

export function orderQuery(db: Executor, scope: Scope) {
  return orderSelect(db).where(scopePredicate(scope, 'ro'));
}

/** The one order a one-time link was made for (the link, not a scope, authorizes it). */
export function orderByLink(db: Executor, orderId: string) {
  return orderSelect(db).where('ro.id', '=', orderId).executeTakeFirstOrThrow();
}

function orderSelect(db: Executor) {
  return db
    .selectFrom('rectificationOrder as ro')
    .innerJoin('organization as o', 'o.id', 'ro.organizationId')
    .innerJoin('organization as r', 'r.id', 'ro.regulatorId')
    .select([
      'ro.id',
      'ro.number',
      'ro.inspectionId',
      'ro.organizationId',
      'o.name as organizationName',
      'o.kind as organizationKind',
      'ro.regulatorId',
      'r.name as regulatorName',
      'ro.regionCode',
      'ro.requirements',
      'ro.deadline',
      'ro.responsibleName',
      'ro.responsiblePhone',
      'ro.state',
      'ro.issuedBy',
      'ro.issuedByPersonId',
      'ro.issuedAt',
      'ro.respondedAt',
      'ro.verifiedBy',
      'ro.verifiedByPersonId',
      'ro.verifiedAt',
      'ro.verificationNote',
      'ro.closedBy',
      'ro.closedAt',
      'ro.escalatedAt',
      'ro.escalatedTo',
    ]);
}

export function lockOrder(db: Executor, id: string) {
  return db
    .selectFrom('rectificationOrder')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function responsesOf(db: Executor, orderId: string) {
  return db
    .selectFrom('orderResponse')
    .selectAll()
    .where('orderId', '=', orderId)
    .orderBy('respondedAt')
    .execute();
}

export async function nextOrderSerial(db: Executor, regulatorId: string, year: number) {
  const row = await db
    .selectFrom('rectificationOrder')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('regulatorId', '=', regulatorId)
    .where(sql<SqlBool>`extract(year from issued_at at time zone 'Asia/Shanghai') = ${year}`)
    .executeTakeFirstOrThrow();
  return row.n + 1;
}

/** Orders past their deadline, not yet verified, not yet escalated. */
export function overdueUnescalated(db: Executor, today: string) {
  return db
    .selectFrom('rectificationOrder')
    .select(['id', 'number', 'regionCode', 'deadline', 'organizationId', 'regulatorId'])
    .where('state', 'in', ['issued', 'responded'] as OrderState[])
    .where('deadline', '<', today)
    .where('escalatedAt', 'is', null)
    .forUpdate()
    .skipLocked()
    .execute();
}

export function penaltyQuery(db: Executor, scope: Scope) {
  return db
    .selectFrom('penalty as pe')
    .innerJoin('organization as o', 'o.id', 'pe.organizationId')
    .select([
      'pe.id',
      'pe.organizationId',
      'o.name as organizationName',
      'o.kind as organizationKind',
      'o.status as organizationStatus',
      'pe.regionCode',
      'pe.regulatorId',
      'pe.inspectionId',
      'pe.findingId',
      'pe.personId',
      'pe.kind',
      'pe.amountYuan',
      'pe.basis',
      'pe.decisionNumber',
      'pe.decidedOn',
      'pe.decidedBy',
      'pe.note',
      'pe.liftedOn',
      'pe.liftedDecision',
      'pe.liftedBy',
    ])
    .where(scopePredicate(scope, 'pe'));
}

export function activePenaltiesOf(db: Executor, organizationId: string, kinds: PenaltyKind[]) {
  return db
    .selectFrom('penalty')
    .select(['id', 'kind', 'decisionNumber'])
    .where('organizationId', '=', organizationId)
    .where('kind', 'in', kinds)
    .where('liftedOn', 'is', null)
    .execute();
}

// ——— reports (汇总表, seed 002 figures, G01) ———

/** 考试机构（考试点）: the annex's exam table counts exam sites and exam authorities together. */
const EXAM_GROUP = sql.raw(
  `case o.kind when 'training_institution' then 'training_institution' else 'exam_site' end`,
);

export interface SummaryRow {
  regionCode: string;
  kind: 'training_institution' | 'exam_site';
  problems: number;
  ordered: number;
  suspended: number;
  exited: number;
  penalized: number;
  fineYuan: number;
}

/**
 * Seed 004's 汇总表 counts per child region (groupLength digits of region_code) and kind over the
 * period [from, to] (Beijing dates): findings raised, findings put under a rectification order,
 * organizations suspended / exited / administratively penalized (warning, fine, suspension) by a
 * decision of the period, and the fines' sum.
 */
export async function summaryCounts(
  db: Executor,
  prefix: string,
  groupLength: number,
  from: string,
  to: string,
): Promise<SummaryRow[]> {
  const { rows } = await sql<SummaryRow>`
    with f as (
      select left(f.region_code, ${groupLength}) as region_code, ${EXAM_GROUP} as kind,
             count(*)::int as problems, count(f.order_id)::int as ordered
        from supervision_finding f join organization o on o.id = f.organization_id
       where f.region_code like ${`${prefix}%`}
         and o.kind in ('training_institution','exam_site','exam_authority')
         and (f.created_at at time zone 'Asia/Shanghai')::date between ${from}::date and ${to}::date
       group by 1, 2
    ), p as (
      select left(p.region_code, ${groupLength}) as region_code, ${EXAM_GROUP} as kind,
             count(distinct p.organization_id) filter (where p.kind = 'suspension')::int as suspended,
             count(distinct p.organization_id) filter (where p.kind = 'exit')::int as exited,
             count(distinct p.organization_id) filter (where p.kind in ('warning','fine','suspension'))::int as penalized,
             coalesce(sum(p.amount_yuan) filter (where p.kind = 'fine'), 0)::float8 as fine_yuan
        from penalty p join organization o on o.id = p.organization_id
       where p.region_code like ${`${prefix}%`}
         and o.kind in ('training_institution','exam_site','exam_authority')
         and p.decided_on between ${from}::date and ${to}::date
       group by 1, 2
    )
    select coalesce(f.region_code, p.region_code) as region_code, coalesce(f.kind, p.kind) as kind,
           coalesce(f.problems, 0) as problems, coalesce(f.ordered, 0) as ordered,
           coalesce(p.suspended, 0) as suspended, coalesce(p.exited, 0) as exited,
           coalesce(p.penalized, 0) as penalized, coalesce(p.fine_yuan, 0) as fine_yuan
      from f full join p on p.region_code = f.region_code and p.kind = f.kind
     order by 1, 2`.execute(db);
  return rows;
}

export interface FiguresRow {
  regionCode: string;
  kind: string;
  checked: number;
  problems: number;
  exited: number;
  suspended: number;
  ordered: number;
  fined: number;
  fineYuan: number;
}

/** Seed 002's figures per child region and kind: checked, problems, eliminated, suspended, ordered, fined. */
export async function nationalFigures(
  db: Executor,
  prefix: string,
  groupLength: number,
  from: string,
  to: string,
): Promise<FiguresRow[]> {
  const { rows } = await sql<FiguresRow>`
    with i as (
      select left(i.region_code, ${groupLength}) as region_code, o.kind,
             count(distinct i.organization_id)::int as checked
        from inspection i join organization o on o.id = i.organization_id
       where i.region_code like ${`${prefix}%`} and i.status = 'signed'
         and i.scheduled_on between ${from}::date and ${to}::date
       group by 1, 2
    ), f as (
      select left(f.region_code, ${groupLength}) as region_code, o.kind, count(*)::int as problems
        from supervision_finding f join organization o on o.id = f.organization_id
       where f.region_code like ${`${prefix}%`}
         and (f.created_at at time zone 'Asia/Shanghai')::date between ${from}::date and ${to}::date
       group by 1, 2
    ), r as (
      select left(r.region_code, ${groupLength}) as region_code, o.kind,
             count(distinct r.organization_id)::int as ordered
        from rectification_order r join organization o on o.id = r.organization_id
       where r.region_code like ${`${prefix}%`}
         and (r.issued_at at time zone 'Asia/Shanghai')::date between ${from}::date and ${to}::date
       group by 1, 2
    ), p as (
      select left(p.region_code, ${groupLength}) as region_code, o.kind,
             count(distinct p.organization_id) filter (where p.kind = 'exit')::int as exited,
             count(distinct p.organization_id) filter (where p.kind = 'suspension')::int as suspended,
             count(distinct p.organization_id) filter (where p.kind = 'fine')::int as fined,
             coalesce(sum(p.amount_yuan) filter (where p.kind = 'fine'), 0)::float8 as fine_yuan
        from penalty p join organization o on o.id = p.organization_id
       where p.region_code like ${`${prefix}%`} and p.decided_on between ${from}::date and ${to}::date
       group by 1, 2
    ), k as (
      select region_code, kind from i union select region_code, kind from f
      union select region_code, kind from r union select region_code, kind from p
    )
    select k.region_code, k.kind, coalesce(i.checked, 0) as checked, coalesce(f.problems, 0) as problems,
           coalesce(p.exited, 0) as exited, coalesce(p.suspended, 0) as suspended,
           coalesce(r.ordered, 0) as ordered, coalesce(p.fined, 0) as fined,
           coalesce(p.fine_yuan, 0) as fine_yuan
      from k left join i using (region_code, kind) left join f using (region_code, kind)
        left join r using (region_code, kind) left join p using (region_code, kind)
     order by 1, 2`.execute(db);
  return rows;
}

/** The facts of rule G01 in three set-based queries over the jurisdiction. */
export async function softEnforcementFacts(db: Executor, prefix: string, today: string) {
  const like = `${prefix}%`;
  const serious = await sql<{
    inspectionId: string;
    regulatorId: string;
    regulatorName: string;
    organizationName: string;
    scheduledOn: string;
    seriousFindings: { id: string; message: string }[];
  }>`
    select i.id as inspection_id, i.regulator_id, r.name as regulator_name, o.name as organization_name,
           i.scheduled_on::text as scheduled_on,
           json_agg(json_build_object('id', f.id, 'message', f.message) order by f.item_position, f.id) as serious_findings
      from inspection i
      join supervision_finding f on f.inspection_id = i.id and f.severity = 'serious'
      join organization o on o.id = i.organization_id
      join organization r on r.id = i.regulator_id
     where i.region_code like ${like}
       and not exists (select 1 from penalty p where p.inspection_id = i.id
                          or p.finding_id in (select id from supervision_finding where inspection_id = i.id))
     group by i.id, r.name, o.name
     order by i.scheduled_on, i.id`.execute(db);
  const closed = await sql<{
    findingId: string;
    regulatorId: string;
    regulatorName: string;
    organizationName: string;
    message: string;
    orderId: string | null;
  }>`
    select f.id as finding_id, coalesce(ro.regulator_id, i.regulator_id) as regulator_id,
           r.name as regulator_name, o.name as organization_name, f.message, f.order_id
      from supervision_finding f
      join organization o on o.id = f.organization_id
      left join rectification_order ro on ro.id = f.order_id
      left join inspection i on i.id = f.inspection_id
      join organization r on r.id = coalesce(ro.regulator_id, i.regulator_id)
     where f.region_code like ${like} and f.status = 'closed'
       and not exists (select 1 from order_response x where x.order_id = f.order_id
                        and x.outcome = 'accepted' and cardinality(x.file_ids) > 0)
     order by f.closed_at, f.id`.execute(db);
  const overdue = await sql<{
    orderId: string;
    number: string;
    regulatorId: string;
    regulatorName: string;
    organizationName: string;
    deadline: string;
  }>`
    select ro.id as order_id, ro.number, ro.regulator_id, r.name as regulator_name,
           o.name as organization_name, ro.deadline::text as deadline
      from rectification_order ro
      join organization o on o.id = ro.organization_id
      join organization r on r.id = ro.regulator_id
     where ro.region_code like ${like} and ro.state in ('issued','responded') and ro.deadline < ${today}::date
     order by ro.deadline, ro.id`.execute(db);
  return {
    seriousWithoutPenalty: serious.rows,
    closedWithoutEvidence: closed.rows,
    overdueOrders: overdue.rows,
  };
}
