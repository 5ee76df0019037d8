import { type Actor, hasRole } from '../../platform/auth/actor.js';
import { forbidden } from '../../platform/errors.js';

/** The caller's exam authority: banks, blueprints, plans and results belong to one authority. */
export function requireAuthority(actor: Actor, refusal = '只有考试机构可以执行此操作'): string {
  if (
    !hasRole(actor, 'exam_authority') ||
    actor.organizationKind !== 'exam_authority' ||
    !actor.organizationId
  )
    throw forbidden(refusal);
  return actor.organizationId;
}
