import { builtinPolicyProfiles, type PolicyProfile, resolvePolicy } from '../../catalog/policy.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Actor, hasRole, regionInScope } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden } from '../../platform/errors.js';
import * as repo from './policy.repository.js';

async function storedProfiles(db: Executor): Promise<PolicyProfile[]> {
  const rows = await repo.listStoredProfiles(db);
  return rows.map((r) => ({
    id: r.id,
    regionCode: r.regionCode,
    version: r.version,
    effectiveFrom: r.effectiveFrom,
    ...(r.effectiveTo ? { effectiveTo: r.effectiveTo } : {}),
    source: r.source,
    figures: r.figures as PolicyProfile['figures'],
  }));
}

/**
 * The policy in force for a region on a date: the built-in national and provincial profiles of
 * src/catalog, plus every version a regulator added, merged from national to most specific.
 */
export async function policyInForce(db: Executor, regionCode: string, date: string) {
  return resolvePolicy([...builtinPolicyProfiles, ...(await storedProfiles(db))], regionCode, date);
}

export async function listPolicyProfiles(db: Executor) {
  const stored = await storedProfiles(db);
  return [
    ...builtinPolicyProfiles.map((p) => ({ ...p, builtin: true })),
    ...stored.map((p) => ({ ...p, builtin: false })),
  ];
}

/**
 * Adds a policy version for a jurisdiction (RULES.md "Design consequences" 2): only a regulator
 * with the admin role, and only for its own jurisdiction or below. Figures are corrected by adding
 * a version with a later effective date, never by editing one in force (judgements stay reproducible).
 */
export async function addPolicyProfile(
  db: Executor,
  actor: Actor,
  profile: PolicyProfile,
  requestId?: string,
) {
  if (!hasRole(actor, 'admin') || !hasRole(actor, 'regulator'))
    throw forbidden('只有具有管理员角色的监管部门用户可以发布政策版本');
  if (!regionInScope(actor.scope, profile.regionCode)) throw forbidden('只能为本辖区发布政策版本');
  if (profile.effectiveTo && profile.effectiveTo < profile.effectiveFrom) {
    throw new DomainError('validation_failed', '失效日期早于生效日期', [
      { path: 'body.effectiveTo', message: 'before effectiveFrom' },
    ]);
  }
  const builtinIds = new Set(builtinPolicyProfiles.map((p) => p.id));
  return transaction(db, async (trx) => {
    if (builtinIds.has(profile.id) || (await repo.findStoredProfile(trx, profile.id))) {
      throw new DomainError('duplicate', `政策版本 ${profile.id} 已存在`, [
        { path: 'body.id', message: 'exists' },
      ]);
    }
    await repo.insertProfile(trx, {
      id: profile.id,
      regionCode: profile.regionCode,
      version: profile.version,
      effectiveFrom: profile.effectiveFrom,
      effectiveTo: profile.effectiveTo ?? null,
      source: profile.source,
      figures: profile.figures,
      createdBy: actor.userId,
    });
    await recordAudit(trx, {
      actor,
      action: 'policy_profile.add',
      entityType: 'policy_profile',
      entityId: profile.id,
      regionCode: profile.regionCode,
      after: profile,
      requestId,
    });
    return { id: profile.id };
  });
}
