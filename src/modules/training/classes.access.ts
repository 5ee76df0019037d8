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

/**
 * Who keeps a training institution's class records (classes, trainees, lessons, make-ups, online
 * courses): its own users. Regulators look, they do not edit records through the platform; the bundle
 * import asks the same question and lets only the administrative regulator above bring records in.
 */
export function keepsClassesOf(actor: Actor, organizationId: string): boolean {
  return actor.organizationId === organizationId && hasRole(actor, 'training_institution');
}

/**
 * Who keeps an institution's or exam site's rooms and devices and what its devices record (attendance,
 * recordings): its own users (and a device, through its own token). The platform never lets one
 * organization configure another's.
 */
export function keepsSiteOf(actor: Actor, organizationId: string): boolean {
  return (
    actor.organizationId === organizationId && hasRole(actor, 'training_institution', 'exam_site')
  );
}

/** Only the institution's own users change its classes; regulators look, they do not edit records. */
export function assertInstitutionOf(actor: Actor, cls: { organizationId: string }): void {
  if (!keepsClassesOf(actor, cls.organizationId))
    throw forbidden('只有本培训机构用户可以修改培训班');
}

/** A sealed archive is never edited through the platform: any later change would break its seal. */
export function assertOpen(cls: { status: string; code: string }): void {
  if (cls.status === 'closed')
    throw new DomainError('conflict', `培训班 ${cls.code} 已结业封档，档案不可再修改`);
}
