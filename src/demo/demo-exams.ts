import type { Actor } from '../platform/auth/actor.js';
import type { Executor } from '../platform/db/database.js';
import { findOperationItem } from '../catalog/operations.js';
import { issueCertificate } from '../modules/certificates/certificates.service.js';

/** The day the demo examiners' certificates were issued (fixed: the demo is deterministic). */
const EXAMINER_CERTIFIED_ON = '2024-03-15';

/**
 * The exam authority's demo account certifies every examiner of the city for the items they examine
 * (RULES.md §D: examiners hold the item's certificate), so a demo session can be planned with them
 * and the examiners show up in the public check.
 */
export async function certifyDemoExaminers(db: Executor, authority: { userId: string; organizationId: string | null; displayName: string } | undefined): Promise<number> {
  if (!authority?.organizationId) return 0;
  const org = await db.selectFrom('organization').select(['name', 'regionCode']).where('id', '=', authority.organizationId).executeTakeFirstOrThrow();
  const actor: Actor = {
    userId: authority.userId,
    tokenId: null,
    displayName: authority.displayName,
    roles: ['exam_authority'],
    organizationId: authority.organizationId,
    organizationKind: 'exam_authority',
    organizationName: org.name,
    regionCode: org.regionCode,
    personId: null,
    tokenScopes: null,
    scope: { kind: 'region', regionCode: org.regionCode },
  };
  const examiners = await db
    .selectFrom('staffAssignment')
    .select(['personId', 'operationItems'])
    .where('duty', '=', 'examiner')
    .where('endDate', 'is', null)
    .where('regionCode', 'like', `${org.regionCode}%`)
    .orderBy('personId')
    .execute();
  const done = new Set<string>();
  for (const e of examiners) {
    for (const item of e.operationItems) {
      const key = `${e.personId}/${item}`;
      if (done.has(key) || findOperationItem(item)?.status !== 'active') continue;
      done.add(key);
      await issueCertificate(db, actor, { kind: 'special_operation', personId: e.personId, operationItemCode: item, issuedOn: EXAMINER_CERTIFIED_ON });
    }
  }
  return done.size;
}
