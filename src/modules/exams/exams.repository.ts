import { type ExpressionBuilder, sql } from 'kysely';
import type { Scope } from '../../platform/auth/actor.js';
import { nothing, regionPrefix } from '../../platform/auth/scope-sql.js';
import type { Executor } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';

type RegEb = ExpressionBuilder<Database, 'examRegistration'>;
type PlanEb = ExpressionBuilder<Database, 'examPlan'>;

/**
 * Registrations a scope may see: a jurisdiction's (the plan's region or the candidate's); an exam
 * site's candidates; an enterprise's employees; an institution's trainees or those it registered; a
 * worker's own.
 */
export function registrationVisible(eb: RegEb, scope: Scope) {
  switch (scope.kind) {
    case 'region':
      return eb.or([
        eb('examRegistration.regionCode', 'like', regionPrefix(scope)),
        eb.exists(
          eb
            .selectFrom('person as rp')
            .select(sql`1`.as('one'))
            .whereRef('rp.id', '=', 'examRegistration.personId')
            .where('rp.regionCode', 'like', regionPrefix(scope)),
        ),
      ]);
    case 'organization':
      return eb.or([
        eb('examRegistration.registeredByOrganizationId', '=', scope.organizationId),
        eb.exists(
          eb
            .selectFrom('examSession as rs')
            .select(sql`1`.as('one'))
            .whereRef('rs.id', '=', 'examRegistration.sessionId')
            .where('rs.siteId', '=', scope.organizationId),
        ),
        eb.exists(
          eb
            .selectFrom('employment as re')
            .select(sql`1`.as('one'))
            .whereRef('re.personId', '=', 'examRegistration.personId')
            .where('re.organizationId', '=', scope.organizationId),
        ),
        eb.exists(
          eb
            .selectFrom('classTrainee as rt')
            .innerJoin('trainingClass as rc', 'rc.id', 'rt.classId')
            .select(sql`1`.as('one'))
            .whereRef('rt.personId', '=', 'examRegistration.personId')
            .where('rc.organizationId', '=', scope.organizationId),
        ),
      ]);
    case 'person':
      return eb('examRegistration.personId', '=', scope.personId);
    case 'none':
      return nothing;
  }
}

/**
 * Plans a scope may see: a jurisdiction's own and those of the authorities above it; an exam site's
 * (a session there) — and, for registering, open plans whose authority covers the organization's or
 * worker's region.
 */
export function planVisible(eb: PlanEb, scope: Scope, regionCode: string | null) {
  const covering = (code: string) => sql<boolean>`${code} like exam_plan.region_code || '%'`;
  switch (scope.kind) {
    case 'region':
      return eb.or([
        eb('examPlan.regionCode', 'like', regionPrefix(scope)),
        covering(scope.regionCode),
      ]);
    case 'organization':
      return eb.or([
        eb.exists(
          eb
            .selectFrom('examSession as ps')
            .select(sql`1`.as('one'))
            .whereRef('ps.planId', '=', 'examPlan.id')
            .where('ps.siteId', '=', scope.organizationId),
        ),
        ...(regionCode ? [eb.and([eb('examPlan.status', '=', 'open'), covering(regionCode)])] : []),
      ]);
    case 'person':
      return regionCode
        ? eb.and([eb('examPlan.status', '=', 'open'), covering(regionCode)])
        : nothing;
    case 'none':
      return nothing;
  }
}

export function registrationQuery(db: Executor) {
  return db
    .selectFrom('examRegistration')
    .innerJoin('examPlan as p', 'p.id', 'examRegistration.planId')
    .innerJoin('examSession as s', 's.id', 'examRegistration.sessionId')
    .innerJoin('organization as site', 'site.id', 's.siteId')
    .innerJoin('person as pr', 'pr.id', 'examRegistration.personId')
    .leftJoin('theoryAttempt as ta', 'ta.registrationId', 'examRegistration.id')
    .leftJoin('certificate as c', (j) =>
      j.on(sql<boolean>`c.result_ref = exam_registration.id::text`),
    )
    .selectAll('examRegistration')
    .select([
      'p.name as planName',
      'p.certificateKind',
      'p.itemCode',
      'p.authorityId',
      'p.blueprintId',
      's.siteId',
      'site.name as siteName',
      'site.status as siteStatus',
      's.room',
      's.startsAt',
      's.endsAt',
      's.invigilatorIds',
      's.examinerIds',
      's.resultsPublishedAt',
      'pr.name as name',
      'pr.regionCode as personRegionCode',
      'ta.id as attemptId',
      'ta.submittedAt as attemptSubmittedAt',
      'c.id as certificateId',
    ]);
}
export type RegistrationDetailRow = Awaited<
  ReturnType<ReturnType<typeof registrationQuery>['executeTakeFirstOrThrow']>
>;

export function findRegistrationInScope(db: Executor, scope: Scope, id: string) {
  return registrationQuery(db)
    .where('examRegistration.id', '=', id)
    .where((eb) => registrationVisible(eb, scope))
    .executeTakeFirst();
}

/** For writes: the row locked, so check-in, scoring and patrol cancellations serialize per candidate. */
export function lockRegistration(db: Executor, id: string) {
  return db
    .selectFrom('examRegistration')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow();
}
