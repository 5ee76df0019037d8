import { type ExpressionBuilder, type RawBuilder, sql } from 'kysely';
import type { Scope } from '../../platform/auth/actor.js';
import { nothing, regionPrefix } from '../../platform/auth/scope-sql.js';
import type { Executor } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { Post } from '../registry/registry.contract.js';
import type {
  CertificateCheckFlag,
  CertificateCheckOutcome,
  TrainingAssessment,
  TrainingSessionKind,
} from './enterprises.contract.js';

type OrgEb = ExpressionBuilder<Database, 'organization'>;

/** Enterprises a scope may see: its jurisdiction's, or its own; a worker none through this path. */
function enterpriseVisible(eb: OrgEb, scope: Scope) {
  const own = eb('organization.kind', '=', 'enterprise');
  switch (scope.kind) {
    case 'region':
      return eb.and([own, eb('organization.regionCode', 'like', regionPrefix(scope))]);
    case 'organization':
      return eb.and([own, eb('organization.id', '=', scope.organizationId)]);
    case 'person':
    case 'none':
      return nothing;
  }
}

const orgColumns = [
  'organization.id',
  'organization.name',
  'organization.industry',
  'organization.highRisk',
  'organization.scale',
  'organization.employeeCount',
  'organization.regionCode',
  'organization.status',
] as const;

export function findEnterprise(db: Executor, scope: Scope, id: string) {
  return db
    .selectFrom('organization')
    .select(orgColumns)
    .where('organization.id', '=', id)
    .where((eb) => enterpriseVisible(eb, scope))
    .executeTakeFirst();
}
export type EnterpriseRow = NonNullable<Awaited<ReturnType<typeof findEnterprise>>>;

export function lockEnterprise(trx: Executor, scope: Scope, id: string) {
  return trx
    .selectFrom('organization')
    .select(orgColumns)
    .where('organization.id', '=', id)
    .where((eb) => enterpriseVisible(eb, scope))
    .forUpdate()
    .executeTakeFirst();
}

export async function listEnterprises(
  db: Executor,
  scope: Scope,
  q: { q?: string; page: number; pageSize: number },
) {
  let base = db.selectFrom('organization').where((eb) => enterpriseVisible(eb, scope));
  if (q.q) base = base.where('organization.name', 'like', `%${q.q.replace(/[%_\\]/g, '\\$&')}%`);
  const [items, total] = await Promise.all([
    base
      .select(orgColumns)
      .orderBy('organization.highRisk', 'desc')
      .orderBy('organization.name')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

// ——— the facts obligations are computed from ———

export function listEmploymentsOf(db: Executor, organizationId: string) {
  return db
    .selectFrom('employment as e')
    .innerJoin('person as p', 'p.id', 'e.personId')
    .leftJoin('employmentDetail as d', 'd.employmentId', 'e.id')
    .select([
      'e.id',
      'e.personId',
      'p.name as personName',
      'p.idNumber',
      'e.post',
      'e.operationItemCode',
      'e.startDate',
      'e.endDate',
      'd.department',
      'd.dispatchCompany',
      'd.declaredCertificateNumber',
    ])
    .where('e.organizationId', '=', organizationId)
    .orderBy('e.post')
    .orderBy('p.name')
    .orderBy('e.startDate')
    .execute();
}

/**
 * Certificates with their events, as the certificates module's status rules read them; `where`
 * chooses which (one query whatever the number of certificates).
 */
async function certificatesWithEvents(db: Executor, where: RawBuilder<unknown>) {
  const rows = await sql<{
    id: string;
    number: string;
    personId: string;
    kind: 'special_operation' | 'competency';
    operationItemCode: string;
    issuedOn: string;
    validUntil: string;
    events: {
      kind: 'review' | 'retraining' | 'revoke' | 'cancel' | 'replace';
      occurredOn: string;
      extended: boolean;
      fraud: boolean;
      banUntil: string | null;
      reason: string | null;
    }[];
  }>`
    select c.id, c.number, c.person_id as "personId", c.kind, c.operation_item_code as "operationItemCode",
           to_char(c.issued_on, 'YYYY-MM-DD') as "issuedOn", to_char(c.valid_until, 'YYYY-MM-DD') as "validUntil",
           coalesce((select json_agg(json_build_object('kind', x.kind, 'occurredOn', to_char(x.occurred_on, 'YYYY-MM-DD'),
                       'extended', x.extended, 'fraud', x.fraud, 'banUntil', to_char(x.ban_until, 'YYYY-MM-DD'), 'reason', x.reason)
                       order by x.occurred_on, x.created_at)
                     from certificate_event x where x.certificate_id = c.id), '[]') as events
    from certificate c
    where ${where}
    order by c.issued_on, c.number`.execute(db);
  return rows.rows;
}

/** Every certificate of the people employed by the organization (issued on the platform: linked by person, no typing). */
export function listCertificatesOfEmployees(db: Executor, organizationId: string) {
  return certificatesWithEvents(
    db,
    sql`c.person_id in (select e.person_id from employment e where e.organization_id = ${organizationId})`,
  );
}

/** Certificates under the given numbers, whoever holds them (the check of declared numbers). */
export async function findCertificatesByNumbers(db: Executor, numbers: readonly string[]) {
  if (numbers.length === 0) return [];
  return certificatesWithEvents(db, sql`c.number = any(${[...numbers]}::text[])`);
}

/** The latest check of each employment of the organization. */
export function latestChecks(db: Executor, organizationId: string) {
  return db
    .selectFrom('certificateCheck')
    .distinctOn('employmentId')
    .select([
      'id',
      'employmentId',
      'declaredNumber',
      sql<string>`to_char(checked_on, 'YYYY-MM-DD')`.as('checkedOn'),
      'outcome',
      'flag',
      'evidence',
    ])
    .where('organizationId', '=', organizationId)
    .orderBy('employmentId')
    .orderBy('createdAt', 'desc')
    .execute();
}

export function listTrainingRecordsOf(db: Executor, organizationId: string) {
  return db
    .selectFrom('enterpriseTrainingRecord as r')
    .innerJoin('enterpriseTrainingSession as s', 's.id', 'r.sessionId')
    .select([
      'r.id',
      'r.personId',
      's.kind',
      sql<string>`to_char(s.starts_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`.as('date'),
      'r.hours',
      'r.assessment',
    ])
    .where('r.organizationId', '=', organizationId)
    .execute();
}

export function listPlansOf(db: Executor, organizationId: string) {
  return db
    .selectFrom('enterpriseTrainingPlan')
    .select(['id', 'year', 'title', 'content', 'plannedHours', 'createdAt'])
    .where('organizationId', '=', organizationId)
    .orderBy('year', 'desc')
    .execute();
}

export function listSessionsOf(db: Executor, organizationId: string) {
  return db
    .selectFrom('enterpriseTrainingSession as s')
    .leftJoin('person as t', 't.id', 's.trainerPersonId')
    .select((eb) => [
      's.id',
      's.kind',
      's.title',
      's.content',
      's.startsAt',
      's.endsAt',
      's.hours',
      's.planId',
      't.name as trainerName',
      eb
        .selectFrom('enterpriseTrainingRecord as r')
        .whereRef('r.sessionId', '=', 's.id')
        .select((x) => x.fn.countAll<string>().as('n'))
        .as('participants'),
      eb
        .selectFrom('enterpriseTrainingRecord as r')
        .whereRef('r.sessionId', '=', 's.id')
        .where('r.assessment', '=', 'passed')
        .select((x) => x.fn.countAll<string>().as('n'))
        .as('passed'),
    ])
    .where('s.organizationId', '=', organizationId)
    .orderBy('s.startsAt', 'desc')
    .limit(500)
    .execute();
}

// ——— writes ———

export function findPersonsByIdNumbers(trx: Executor, idNumbers: readonly string[]) {
  if (idNumbers.length === 0) return Promise.resolve([]);
  return trx
    .selectFrom('person')
    .select(['id', 'idNumber', 'name'])
    .where('idNumber', 'in', [...idNumbers])
    .execute();
}

export function insertPersons(
  trx: Executor,
  rows: {
    idNumber: string;
    name: string;
    birthDate: string;
    gender: 'male' | 'female';
    regionCode: string;
  }[],
) {
  if (rows.length === 0) return Promise.resolve([]);
  return trx.insertInto('person').values(rows).returning(['id', 'idNumber']).execute();
}

export function insertEmployments(
  trx: Executor,
  rows: {
    personId: string;
    organizationId: string;
    regionCode: string;
    post: Post;
    operationItemCode: string | null;
    startDate: string;
    endDate: string | null;
  }[],
) {
  if (rows.length === 0) return Promise.resolve([]);
  return trx
    .insertInto('employment')
    .values(rows)
    .returning(['id', 'personId', 'post', 'operationItemCode', 'startDate'])
    .execute();
}

export function setEmploymentEnd(trx: Executor, id: string, endDate: string | null) {
  return trx.updateTable('employment').set({ endDate }).where('id', '=', id).execute();
}

export function upsertDetails(
  trx: Executor,
  rows: {
    employmentId: string;
    organizationId: string;
    regionCode: string;
    dispatchCompany: string | null;
    declaredCertificateNumber: string | null;
    department: string | null;
  }[],
) {
  if (rows.length === 0) return Promise.resolve();
  return trx
    .insertInto('employmentDetail')
    .values(rows)
    .onConflict((oc) =>
      oc.column('employmentId').doUpdateSet((eb) => ({
        dispatchCompany: eb.ref('excluded.dispatchCompany'),
        declaredCertificateNumber: eb.ref('excluded.declaredCertificateNumber'),
        department: eb.ref('excluded.department'),
        updatedAt: sql`now()`,
      })),
    )
    .execute()
    .then(() => undefined);
}

export function insertChecks(
  trx: Executor,
  rows: {
    employmentId: string;
    organizationId: string;
    regionCode: string;
    declaredNumber: string;
    checkedOn: string;
    outcome: CertificateCheckOutcome;
    flag: CertificateCheckFlag | null;
    certificateId: string | null;
    evidence: string;
    checkedBy: string;
  }[],
) {
  if (rows.length === 0) return Promise.resolve([]);
  return trx.insertInto('certificateCheck').values(rows).returning(['id']).execute();
}

export function findEmploymentInOrganization(trx: Executor, organizationId: string, id: string) {
  return trx
    .selectFrom('employment as e')
    .innerJoin('person as p', 'p.id', 'e.personId')
    .select([
      'e.id',
      'e.personId',
      'p.name as personName',
      'e.post',
      'e.operationItemCode',
      'e.organizationId',
      'e.regionCode',
    ])
    .where('e.id', '=', id)
    .where('e.organizationId', '=', organizationId)
    .executeTakeFirst();
}

export function findEmploymentOrganization(db: Executor, employmentId: string) {
  return db
    .selectFrom('employment')
    .select(['organizationId'])
    .where('id', '=', employmentId)
    .executeTakeFirst();
}

export function insertPlan(
  trx: Executor,
  row: {
    organizationId: string;
    regionCode: string;
    year: number;
    title: string;
    content: string;
    plannedHours: number;
    createdBy: string;
  },
) {
  return trx
    .insertInto('enterpriseTrainingPlan')
    .values(row)
    .onConflict((oc) => oc.columns(['organizationId', 'year']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function insertSession(
  trx: Executor,
  row: {
    organizationId: string;
    regionCode: string;
    planId: string | null;
    kind: TrainingSessionKind;
    title: string;
    content: string;
    startsAt: string;
    endsAt: string;
    hours: number;
    trainerPersonId: string | null;
    createdBy: string;
  },
) {
  return trx
    .insertInto('enterpriseTrainingSession')
    .values(row)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function insertRecords(
  trx: Executor,
  rows: {
    sessionId: string;
    organizationId: string;
    regionCode: string;
    personId: string;
    hours: number;
    assessment: TrainingAssessment | null;
  }[],
) {
  if (rows.length === 0) return Promise.resolve();
  return trx
    .insertInto('enterpriseTrainingRecord')
    .values(rows)
    .execute()
    .then(() => undefined);
}

/** People employed by the organization (ever): who may be a participant or a trainer. */
export async function employedPersonIds(
  trx: Executor,
  organizationId: string,
  ids: readonly string[],
) {
  if (ids.length === 0) return new Set<string>();
  const rows = await trx
    .selectFrom('employment')
    .select('personId')
    .distinct()
    .where('organizationId', '=', organizationId)
    .where('personId', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.personId));
}

export function planForYear(trx: Executor, organizationId: string, year: number) {
  return trx
    .selectFrom('enterpriseTrainingPlan')
    .select(['id'])
    .where('organizationId', '=', organizationId)
    .where('year', '=', year)
    .executeTakeFirst();
}
