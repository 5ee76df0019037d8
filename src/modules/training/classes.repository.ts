import { type ExpressionBuilder, sql } from 'kysely';
import type { Scope } from '../../platform/auth/actor.js';
import { nothing, regionPrefix } from '../../platform/auth/scope-sql.js';
import type { Executor } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';

type ClassEb = ExpressionBuilder<Database, 'trainingClass'>;

/**
 * Classes a scope may see: a jurisdiction's; an institution's own; an enterprise's when its
 * employees are trainees; a worker's own classes. The one predicate every class query uses.
 */
export function classVisible(eb: ClassEb, scope: Scope) {
  switch (scope.kind) {
    case 'region':
      return eb('trainingClass.regionCode', 'like', regionPrefix(scope));
    case 'organization':
      return eb.or([
        eb('trainingClass.organizationId', '=', scope.organizationId),
        eb.exists(
          eb
            .selectFrom('classTrainee as ct')
            .innerJoin('employment as em', 'em.personId', 'ct.personId')
            .select(sql`1`.as('one'))
            .whereRef('ct.classId', '=', 'trainingClass.id')
            .where('em.organizationId', '=', scope.organizationId),
        ),
      ]);
    case 'person':
      return eb.exists(
        eb
          .selectFrom('classTrainee as ct')
          .select(sql`1`.as('one'))
          .whereRef('ct.classId', '=', 'trainingClass.id')
          .where('ct.personId', '=', scope.personId),
      );
    case 'none':
      return nothing;
  }
}

export function findClassInScope(db: Executor, scope: Scope, classId: string) {
  return db
    .selectFrom('trainingClass')
    .selectAll()
    .where('trainingClass.id', '=', classId)
    .where((eb) => classVisible(eb, scope))
    .executeTakeFirst();
}
