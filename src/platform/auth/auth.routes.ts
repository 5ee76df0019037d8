import { z } from 'zod';
import { recordAudit } from '../audit/audit.js';
import { transaction } from '../db/database.js';
import { DomainError } from '../errors.js';
import { requireRoles, SESSION_COOKIE } from '../http/auth-plugin.js';
import {
  type App,
  type AppDeps,
  ErrorResponseSchema,
  errorResponses,
  IdParamsSchema,
} from '../http/routing.js';
import type { Actor } from './actor.js';
import { ApiTokenSchema, LoginRequestSchema, MeResponseSchema } from './auth.contract.js';
import {
  createApiToken,
  listApiTokens,
  login,
  logout,
  revokeApiToken,
  tokenScopes,
} from './auth.service.js';
import { LoginThrottle } from './login-throttle.js';
import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS } from './token-policy.js';

function presentMe(actor: Actor) {
  return {
    userId: actor.userId,
    displayName: actor.displayName,
    roles: actor.roles,
    organizationId: actor.organizationId,
    organizationKind: actor.organizationKind,
    organizationName: actor.organizationName,
    regionCode: actor.regionCode,
    personId: actor.personId,
    scope: actor.scope,
  };
}

/** A lockout is a security event: audited, with the account (when it exists) and the address. */
async function recordLockout(
  db: AppDeps['db'],
  o: {
    username: string;
    address: string;
    what: 'account' | 'address';
    requestId: string;
    at: Date;
  },
) {
  const user = await db
    .selectFrom('appUser')
    .select('id')
    .where('username', '=', o.username)
    .executeTakeFirst();
  await transaction(db, (trx) =>
    recordAudit(trx, {
      actor: `address:${o.address}`,
      action: o.what === 'account' ? 'auth.lockout.account' : 'auth.lockout.address',
      entityType: 'user',
      entityId: user?.id ?? null,
      summary: `登录失败次数过多，${o.what === 'account' ? `账号 ${o.username}` : `地址 ${o.address}`} 暂时锁定（最近一次尝试：账号 ${o.username}，地址 ${o.address}）`,
      requestId: o.requestId,
      at: o.at,
    }),
  );
}

export async function authRoutes(app: App, deps: AppDeps): Promise<void> {
  const throttle = new LoginThrottle();
  app.post(
    '/api/auth/login',
    {
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: '登录',
        body: LoginRequestSchema,
        response: {
          200: MeResponseSchema,
          400: ErrorResponseSchema,
          401: ErrorResponseSchema,
          429: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const now = deps.now?.() ?? new Date();
      const { username } = request.body;
      const wait = throttle.retryAfter(username, request.ip, now.getTime());
      if (wait > 0) {
        reply.header('retry-after', String(Math.ceil(wait / 1000)));
        throw new DomainError(
          'rate_limited',
          `登录失败次数过多，账号或地址已暂时锁定，请 ${Math.ceil(wait / 60_000)} 分钟后再试`,
        );
      }
      let result: Awaited<ReturnType<typeof login>>;
      try {
        result = await login(deps.db, request.body, {
          sessionDays: deps.sessionDays,
          requestId: request.id,
          now: deps.now?.(),
        });
      } catch (e) {
        if (e instanceof DomainError && e.code === 'invalid_credentials') {
          const locked = throttle.fail(username, request.ip, now.getTime());
          if (locked.account || locked.address)
            await recordLockout(deps.db, {
              username,
              address: request.ip,
              what: locked.account ? 'account' : 'address',
              requestId: request.id,
              at: now,
            });
        }
        throw e;
      }
      throttle.succeed(username);
      reply.setCookie(SESSION_COOKIE, result.sessionToken, {
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.cookieSecure,
        path: '/',
        expires: result.expiresAt,
      });
      return presentMe(result.actor);
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: '退出登录', response: { 204: z.null() } } },
    async (request, reply) => {
      const token = request.cookies?.[SESSION_COOKIE];
      if (token) {
        await logout(deps.db, token);
        app.forgetSession(token);
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    {
      preHandler: requireRoles(),
      schema: {
        tags: ['auth'],
        summary: '当前用户',
        response: { 200: MeResponseSchema, ...errorResponses },
      },
    },
    async (request) => presentMe(request.actor),
  );

  app.get(
    '/api/tokens',
    {
      preHandler: requireRoles(),
      schema: {
        tags: ['auth'],
        summary: '本机构的API令牌',
        response: { 200: z.object({ items: z.array(ApiTokenSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ items: await listApiTokens(deps.db, request.actor) }),
  );

  app.post(
    '/api/tokens',
    {
      preHandler: requireRoles(),
      schema: {
        tags: ['auth'],
        summary: `创建对接系统的API令牌：权限不超过本角色可做之事（监管部门、考试机构才可有 bundle:write），有效期默认 ${TOKEN_DEFAULT_DAYS} 天、最长 ${TOKEN_MAX_DAYS} 天；令牌明文只返回这一次`,
        body: z.object({
          name: z.string().min(1).max(100),
          scopes: z.array(z.enum(tokenScopes)).min(1),
          expiresInDays: z.number().int().min(1).max(TOKEN_MAX_DAYS).optional(),
        }),
        response: {
          201: z.object({ id: z.string(), token: z.string(), expiresAt: z.date() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createApiToken(deps.db, request.actor, request.body, request.id, deps.now?.())),
  );

  app.delete(
    '/api/tokens/:id',
    {
      preHandler: requireRoles(),
      schema: {
        tags: ['auth'],
        summary: '吊销API令牌',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await revokeApiToken(deps.db, request.actor, request.params.id, request.id);
      return reply.status(204).send(null);
    },
  );
}
