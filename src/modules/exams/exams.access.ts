import { type Actor, authorityOf } from '../../platform/auth/actor.js';
import { forbidden } from '../../platform/errors.js';

/** The caller's exam authority: banks, blueprints, plans and results belong to one authority. */
export function requireAuthority(actor: Actor, refusal = '只有考试机构可以执行此操作'): string {
  const id = authorityOf(actor);
  if (!id) throw forbidden(refusal);
  return id;
}

/**
 * Whether the caller keeps this authority's exam records (bank, blueprints, plans, sessions, and the
 * registrations, papers, scores and patrol records of its sittings): its own users only. The bundle
 * import asks the same question of every exam record it brings in.
 */
export function keepsExamRecordsOf(actor: Actor, authorityId: string): boolean {
  return authorityOf(actor) === authorityId;
}
