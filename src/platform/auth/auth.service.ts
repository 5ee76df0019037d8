import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.js';
import type { Executor } from '../db/database.js';
import { transaction } from '../db/database.js';
import { DomainError, notFound } from '../errors.js';
import { type Actor, scopeFor } from './actor.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { OrganizationKind, Role } from './roles.js';
import {
  scopesAllowedFor,
  TOKEN_DEFAULT_DAYS,
  TOKEN_MAX_DAYS,
  type TokenScope,
  tokenScopes,
} from './token-policy.js';
import { hashSecret, newSecret } from './tokens.js';

export { type TokenScope, tokenScopes };

// A constant-time-ish dummy so a wrong username costs the same as a wrong password.
let dummyHash: Promise<string> | undefined;

/** The user with their organization; `where` picks the user (by id, or through a live session). */
function userWithOrganization(db: Executor) {
  return db
    .selectFrom('appUser as u')
    .leftJoin('organization as o', 'o.id', 'u.organizationId')
    .select([
      'u.id',
      'u.displayName',
      'u.roles',
      'u.organizationId',
      'u.personId',
      'u.disabled',
      'o.kind as organizationKind',
      'o.name as organizationName',
      'o.regionCode',
    ]);
}

function actorOf(
  row: Awaited<ReturnType<ReturnType<typeof userWithOrganization>['executeTakeFirst']>>,
): Actor | undefined {
  if (!row || row.disabled) return undefined;
  const roles = row.roles as Role[];
  return {
    userId: row.id,
    tokenId: null,
    displayName: row.displayName,
    roles,
    organizationId: row.organizationId,
    organizationKind: (row.organizationKind as OrganizationKind | null) ?? null,
    organizationName: row.organizationName ?? null,
    regionCode: row.regionCode ?? null,
    personId: row.personId,
    tokenScopes: null,
    scope: scopeFor({
      roles,
      organizationId: row.organizationId,
      regionCode: row.regionCode ?? null,
      personId: row.personId,
    }),
  };
}

async function actorForUser(db: Executor, userId: string): Promise<Actor | undefined> {
  return actorOf(await userWithOrganization(db).where('u.id', '=', userId).executeTakeFirst());
}

export interface LoginResult {
  sessionToken: string;
  expiresAt: Date;
  actor: Actor;
}

export async function login(
  db: Executor,
  input: { username: string; password: string },
  opts: { sessionDays: number; now?: Date; requestId?: string },
): Promise<LoginResult> {
  const user = await db
    .selectFrom('appUser')
    .select(['id', 'passwordHash', 'disabled'])
    .where('username', '=', input.username)
    .executeTakeFirst();
  if (!user) {
    dummyHash ??= hashPassword('not-a-password');
    await verifyPassword(await dummyHash, input.password);
    throw new DomainError('invalid_credentials', '用户名或密码错误');
  }
  if (user.disabled || !(await verifyPassword(user.passwordHash, input.password))) {
    throw new DomainError('invalid_credentials', '用户名或密码错误');
  }
  const actor = await actorForUser(db, user.id);
  if (!actor) throw new DomainError('invalid_credentials', '用户名或密码错误');
  const now = opts.now ?? new Date();
  const sessionToken = newSecret();
  const expiresAt = new Date(now.getTime() + opts.sessionDays * 86_400_000);
  await transaction(db, async (trx) => {
    await trx
      .insertInto('userSession')
      .values({ tokenHash: hashSecret(sessionToken), userId: user.id, createdAt: now, expiresAt })
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'auth.login',
      entityType: 'user',
      entityId: user.id,
      requestId: opts.requestId,
      at: now,
    });
  });
  return { sessionToken, expiresAt, actor };
}

export async function logout(db: Executor, sessionToken: string): Promise<void> {
  // Deleting a session is not a change of record: it is the absence of a credential, so no audit entry.
  await db.deleteFrom('userSession').where('tokenHash', '=', hashSecret(sessionToken)).execute();
}

/** The signed-in caller and when their session ends, in one statement. */
export async function actorFromSession(
  db: Executor,
  sessionToken: string,
  now = new Date(),
): Promise<{ actor: Actor; expiresAt: Date } | undefined> {
  const row = await userWithOrganization(db)
    .innerJoin('userSession as s', 's.userId', 'u.id')
    .select('s.expiresAt')
    .where('s.tokenHash', '=', hashSecret(sessionToken))
    .where('s.expiresAt', '>', now)
    .executeTakeFirst();
  const actor = actorOf(row);
  return actor && row ? { actor, expiresAt: new Date(row.expiresAt) } : undefined;
}

/** The actor of a user by id: for work the platform does on a user's behalf (the demo's history). */
export async function actorOfUser(db: Executor, userId: string): Promise<Actor | undefined> {
  return actorOf(await userWithOrganization(db).where('u.id', '=', userId).executeTakeFirst());
}

export async function actorFromApiToken(
  db: Executor,
  token: string,
  now = new Date(),
): Promise<Actor | undefined> {
  const row = await db
    .selectFrom('apiToken as t')
    .innerJoin('organization as o', 'o.id', 't.organizationId')
    .select([
      't.id',
      't.name',
      't.scopes',
      't.organizationId',
      'o.kind',
      'o.name as organizationName',
      'o.regionCode',
    ])
    .where('t.tokenHash', '=', hashSecret(token))
    .where('t.revokedAt', 'is', null)
    .where((eb) => eb.or([eb('t.expiresAt', 'is', null), eb('t.expiresAt', '>', now)]))
    .executeTakeFirst();
  if (!row) return undefined;
  // last_used_at is bookkeeping, not a record change; updated without an audit entry and without waiting.
  void db
    .updateTable('apiToken')
    .set({ lastUsedAt: now })
    .where('id', '=', row.id)
    .execute()
    .catch(() => {});
  return {
    userId: null,
    tokenId: row.id,
    displayName: row.name,
    roles: [],
    organizationId: row.organizationId,
    organizationKind: row.kind as OrganizationKind,
    organizationName: row.organizationName,
    regionCode: row.regionCode,
    personId: null,
    tokenScopes: row.scopes,
    // A token never gets a jurisdiction: it acts for its one organization only.
    scope: { kind: 'organization', organizationId: row.organizationId },
  };
}

/**
 * A token minted by a signed-in organization user for an integration: only scopes the user's roles may
 * grant (token-policy.ts), for at most TOKEN_MAX_DAYS (TOKEN_DEFAULT_DAYS unless asked). The plain
 * token is returned once.
 */
export async function createApiToken(
  db: Executor,
  actor: Actor,
  input: { name: string; scopes: TokenScope[]; expiresInDays?: number },
  requestId?: string,
  now = new Date(),
): Promise<{ id: string; token: string; expiresAt: Date }> {
  if (!actor.userId || !actor.organizationId)
    throw new DomainError('forbidden', '只有机构用户可以创建API令牌');
  const allowed = scopesAllowedFor(actor.roles);
  const refused = input.scopes.filter((s) => !allowed.has(s));
  if (refused.length > 0)
    throw new DomainError(
      'forbidden',
      `当前角色不能创建带有 ${refused.join('、')} 权限的API令牌`,
      refused.map((scope) => ({ path: 'body.scopes', message: `not allowed: ${scope}`, scope })),
    );
  const days = input.expiresInDays ?? TOKEN_DEFAULT_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > TOKEN_MAX_DAYS)
    throw new DomainError('validation_failed', `有效期须为 1–${TOKEN_MAX_DAYS} 天`, [
      { path: 'body.expiresInDays', message: `1..${TOKEN_MAX_DAYS}` },
    ]);
  const expiresAt = new Date(now.getTime() + days * 86_400_000);
  const organizationId = actor.organizationId;
  return transaction(db, async (trx) => {
    const row = await insertToken(trx, {
      organizationId,
      name: input.name,
      scopes: [...new Set(input.scopes)],
      createdBy: actor.userId,
      prefix: 'zx_',
      expiresAt,
    });
    await recordAudit(trx, {
      actor,
      action: 'api_token.create',
      entityType: 'api_token',
      entityId: row.id,
      regionCode: actor.regionCode,
      after: { name: input.name, scopes: input.scopes, organizationId, expiresAt },
      requestId,
      at: now,
    });
    return { ...row, expiresAt };
  });
}

/**
 * Whom a token acts for where a route needs more than the token's organization (the bundle import):
 * the user who minted it, as they are now — still enabled, still in the token's organization, and
 * still holding a role that may grant `scope`. A token is never worth more than its creator today,
 * so disabling the user or changing their roles takes its power away. Undefined when it acts for nobody.
 */
export async function actorBehindToken(
  db: Executor,
  token: Actor,
  scope: TokenScope,
): Promise<Actor | undefined> {
  if (!token.tokenId || !token.tokenScopes?.includes(scope)) return undefined;
  const row = await db
    .selectFrom('apiToken')
    .select(['createdBy', 'organizationId'])
    .where('id', '=', token.tokenId)
    .executeTakeFirst();
  if (!row?.createdBy) return undefined;
  const creator = await actorForUser(db, row.createdBy);
  if (!creator || creator.organizationId !== row.organizationId) return undefined;
  if (!scopesAllowedFor(creator.roles).has(scope)) return undefined;
  return {
    ...creator,
    userId: null,
    tokenId: token.tokenId,
    tokenScopes: token.tokenScopes,
    displayName: token.displayName,
  };
}

/**
 * A token for one device of an organization (scope devices:write); the caller's transaction also
 * writes the device row that binds it to a room. The plain token is returned once.
 */
export function insertDeviceToken(
  trx: Executor,
  organizationId: string,
  name: string,
  createdBy: string | null,
): Promise<{ id: string; token: string }> {
  return insertToken(trx, {
    organizationId,
    name,
    scopes: ['devices:write'],
    createdBy,
    prefix: 'zxd_',
    expiresAt: null,
  });
}

/** Stores only the hash; the secret is returned once to show to whoever asked for it. */
async function insertToken(
  trx: Executor,
  t: {
    organizationId: string;
    name: string;
    scopes: TokenScope[];
    createdBy: string | null;
    prefix: string;
    expiresAt: Date | null;
  },
): Promise<{ id: string; token: string }> {
  const token = newSecret(t.prefix);
  const row = await trx
    .insertInto('apiToken')
    .values({
      organizationId: t.organizationId,
      name: t.name,
      tokenHash: hashSecret(token),
      scopes: t.scopes,
      createdBy: t.createdBy,
      expiresAt: t.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}

export async function listApiTokens(db: Executor, actor: Actor) {
  if (!actor.organizationId) return [];
  return db
    .selectFrom('apiToken')
    .select(['id', 'name', 'scopes', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt'])
    .where('organizationId', '=', actor.organizationId)
    .orderBy('createdAt', 'desc')
    .execute();
}

export async function revokeApiToken(
  db: Executor,
  actor: Actor,
  id: string,
  requestId?: string,
): Promise<void> {
  await transaction(db, async (trx) => {
    const row = await trx
      .selectFrom('apiToken')
      .select(['id', 'revokedAt'])
      .where('id', '=', id)
      .where('organizationId', '=', actor.organizationId ?? sql<string>`null`)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound('API令牌');
    if (row.revokedAt) return;
    await trx.updateTable('apiToken').set({ revokedAt: new Date() }).where('id', '=', id).execute();
    await recordAudit(trx, {
      actor,
      action: 'api_token.revoke',
      entityType: 'api_token',
      entityId: id,
      regionCode: actor.regionCode,
      requestId,
    });
  });
}

export async function createUser(
  trx: Executor,
  actor: Actor | string,
  input: {
    username: string;
    password: string;
    displayName: string;
    roles: Role[];
    organizationId?: string | null;
    personId?: string | null;
  },
): Promise<string> {
  const passwordHash = await hashPassword(input.password);
  const row = await trx
    .insertInto('appUser')
    .values({
      username: input.username,
      passwordHash,
      displayName: input.displayName,
      roles: input.roles,
      organizationId: input.organizationId ?? null,
      personId: input.personId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordAudit(trx, {
    actor,
    action: 'user.create',
    entityType: 'user',
    entityId: row.id,
    after: {
      username: input.username,
      roles: input.roles,
      organizationId: input.organizationId ?? null,
    },
  });
  return row.id;
}
