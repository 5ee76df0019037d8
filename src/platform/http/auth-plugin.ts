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
}

/** Resolves the caller (session cookie or Bearer API token) into `request.actor` once per request. */
export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Db; now?: () => Date }) => {
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (request) => {
    request.actor = anonymousActor;
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const actor = await actorFromApiToken(opts.db, header.slice(7).trim());
      if (!actor) throw new DomainError('authentication_required', 'API令牌无效或已吊销');
      request.actor = actor;
      return;
    }
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (cookie) {
      const actor = await actorFromSession(opts.db, cookie, opts.now?.() ?? new Date());
      if (actor) request.actor = actor;
    }
  });
});

/** Coarse gate: a signed-in caller holding one of the roles. Row-level scope is the repositories' job. */
export function requireRoles(...wanted: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const actor = request.actor;
    if (!actor.userId && !actor.tokenId) throw new DomainError('authentication_required', '请先登录');
    if (actor.tokenId) throw new DomainError('forbidden', '此接口不接受API令牌');
    if (wanted.length > 0 && !hasRole(actor, ...wanted)) throw new DomainError('forbidden', '当前角色无权访问');
  };
}

/** Gate for routes that devices and integrations call with an API token carrying `scope`. */
export function requireTokenScope(scope: string, ...userRoles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const actor = request.actor;
    if (actor.tokenId) {
      if (!actor.tokenScopes?.includes(scope)) throw new DomainError('forbidden', `API令牌缺少权限 ${scope}`);
      return;
    }
    if (!actor.userId) throw new DomainError('authentication_required', '请先登录');
    if (userRoles.length > 0 && !hasRole(actor, ...userRoles)) throw new DomainError('forbidden', '当前角色无权访问');
  };
}
