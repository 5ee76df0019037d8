import { type Actor, hasRole } from '../../platform/auth/actor.js';
import type { Executor } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import { findClassInScope } from './classes.repository.js';

/** The class if the caller may see it; 404 otherwise (never reveals a class out of scope). */
export async function findVisibleClass(db: Executor, actor: Actor, classId: string) {
  const cls = await findClassInScope(db, actor.scope, classId);
  if (!cls) throw notFound('培训班');
  return cls;
}

/** Only the institution's own users change its classes; regulators look, they do not edit records. */
export function assertInstitutionOf(actor: Actor, cls: { organizationId: string }): void {
  if (actor.organizationId !== cls.organizationId || !hasRole(actor, 'training_institution')) {
    throw forbidden('只有本培训机构用户可以修改培训班');
  }
}

/** A sealed archive is never edited through the platform: any later change would break its seal. */
export function assertOpen(cls: { status: string; code: string }): void {
  if (cls.status === 'closed')
    throw new DomainError('conflict', `培训班 ${cls.code} 已结业封档，档案不可再修改`);
}
