import { type Actor, hasRole } from '../../platform/auth/actor.js';
import type { Executor } from '../../platform/db/database.js';
import { forbidden } from '../../platform/errors.js';
import { evaluateAndStore } from './alerts.service.js';

/** POST /api/alerts/run: a regulator runs every rule over its jurisdiction now (on demand). */
export async function runForJurisdiction(db: Executor, actor: Actor, now: Date) {
  if (actor.scope.kind !== 'region' || !hasRole(actor, 'regulator'))
    throw forbidden('只有监管部门可以运行检测');
  const r = await evaluateAndStore(db, `user:${actor.userId}`, {
    regionPrefix: actor.scope.regionCode,
    now,
  });
  return {
    found: r.found,
    created: r.created,
    cleared: r.cleared,
    rules: r.outcomes.map((o) => ({
      rule: o.rule,
      status: o.status,
      alerts: o.status === 'evaluated' ? o.findings.length : 0,
      reason: o.status === 'not_evaluable' ? o.reason : null,
    })),
  };
}
