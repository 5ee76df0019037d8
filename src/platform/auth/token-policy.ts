import type { Role } from './roles.js';

/** Scopes an API token can carry (CONTRACTS.md: each bound to one organization and a list of scopes). */
export const tokenScopes = [
  'registry:read',
  'registry:write',
  'devices:write',
  'bundle:write',
] as const;
export type TokenScope = (typeof tokenScopes)[number];

/**
 * What a user of each role may put into a token they mint (POST /api/tokens): never more than the role
 * may do itself (least privilege). A user holding several roles may grant the union.
 * - `bundle:write` is the administrative door of the exchange bundle: regulators and exam authorities
 *   only, and the import still checks every record against the token creator's role and scope.
 * - `devices:write` is never minted by hand: a terminal's or camera's token is issued when the device
 *   is registered, bound to that one device.
 * - workers and the `admin` flag mint nothing.
 */
export const tokenScopesByRole: Readonly<Record<Role, readonly TokenScope[]>> = {
  regulator: ['registry:read', 'registry:write', 'bundle:write'],
  exam_authority: ['registry:read', 'registry:write', 'bundle:write'],
  inspector: ['registry:read'],
  exam_site: ['registry:read', 'registry:write'],
  training_institution: ['registry:read', 'registry:write'],
  enterprise: ['registry:read', 'registry:write'],
  worker: [],
  admin: [],
};

export function scopesAllowedFor(roles: readonly Role[]): Set<TokenScope> {
  return new Set(roles.flatMap((r) => tokenScopesByRole[r] ?? []));
}

/** Lifetime of a token minted by hand, in days: the default when none is asked, and the most allowed. */
export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 365;
