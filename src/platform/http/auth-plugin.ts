import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Actor, anonymousActor, hasRole } from '../auth/actor.js';
import { actorFromApiToken, actorFromSession } from '../auth/auth.service.js';
import type { Role } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { DomainError } from '../errors.js';

export const SESSION_COOKIE = 'zx_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyInstance {
    /** Drops a session from the resolved-session cache (logout). */
    forgetSession(sessionToken: string): void;
  }
}

/**
 * How long a resolved session is reused. Every signed-in request otherwise spends one statement on
 * its session before its own work, and under a burst (thousands of candidates saving answers at
 * once) those look-ups queue in the pool in front of the work itself. Logout evicts at once and the
 * session's expiry is checked on every request; a change to a user's roles or organization takes
 * effect within this time.
 */
export const SESSION_CACHE_MS = 5_000;
const SESSION_CACHE_MAX = 50_000;

/** Resolves the caller (session cookie or Bearer API token) into `request.actor` once per request. */
export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Db; now?: () => Date }) => {
  const sessions = new Map<string, { actor: Actor; expiresAt: Date; until: number }>();
  app.decorate('forgetSession', (token: string) => void sessions.delete(token));
  const resolveSession = async (token: string, now: Date): Promise<Actor | undefined> => {
    const hit = sessions.get(token);
    const clock = Date.now();
    if (hit && hit.until > clock && hit.expiresAt > now) return hit.actor;
    const found = await actorFromSession(opts.db, token, now);
    sessions.delete(token);
    if (!found) return undefined;
    // Oldest first in a Map: a full cache drops the entry resolved longest ago.
    if (sessions.size >= SESSION_CACHE_MAX) sessions.delete(sessions.keys().next().value as string);
    sessions.set(token, { ...found, until: clock + SESSION_CACHE_MS });
    return found.actor;
  };
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (request) => {
    request.actor = anonymousActor;
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const actor = await actorFromApiToken(
        opts.db,
        header.slice(7).trim(),
        opts.now?.() ?? new Date(),
      );
      if (!actor) throw new DomainError('authentication_required', 'API令牌无效或已吊销');
      request.actor = actor;
      return;
    }
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (cookie) {
      const actor = await resolveSession(cookie, opts.now?.() ?? new Date());
      if (actor) request.actor = actor;
    }
  });
});

/** Coarse gate: a signed-in caller holding one of the roles. Row-level scope is the repositories' job. */
export function requireRoles(...wanted: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const actor = request.actor;
    if (!actor.userId && !actor.tokenId)
      throw new DomainError('authentication_required', '请先登录');
    if (actor.tokenId) throw new DomainError('forbidden', '此接口不接受API令牌');
    if (wanted.length > 0 && !hasRole(actor, ...wanted))
      throw new DomainError('forbidden', '当前角色无权访问');
  };
}

/** Gate for routes that devices and integrations call with an API token carrying `scope`. */
export function requireTokenScope(scope: string, ...userRoles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const actor = request.actor;
    if (actor.tokenId) {
      if (!actor.tokenScopes?.includes(scope))
        throw new DomainError('forbidden', `API令牌缺少权限 ${scope}`);
      return;
    }
    if (!actor.userId) throw new DomainError('authentication_required', '请先登录');
    if (userRoles.length > 0 && !hasRole(actor, ...userRoles))
      throw new DomainError('forbidden', '当前角色无权访问');
  };
}
