import type { OrganizationKind, Role } from './roles.js';
import { jurisdictionRoles } from './roles.js';

/**
 * What a caller may see, resolved once per request. Repositories filter by it; it is the one
 * scoping mechanism (no route filters rows on its own).
 * - region: a jurisdiction — every record whose region code starts with `regionCode` ('' = the nation)
 * - organization: one organization's own records
 * - person: a worker's own file
 * - none: anonymous
 */
export type Scope =
  | { kind: 'region'; regionCode: string }
  | { kind: 'organization'; organizationId: string }
  | { kind: 'person'; personId: string }
  | { kind: 'none' };

export interface Actor {
  userId: string | null;
  tokenId: string | null;
  displayName: string;
  roles: Role[];
  organizationId: string | null;
  organizationKind: OrganizationKind | null;
  organizationName: string | null;
  /** Region of the actor's organization (its jurisdiction for regulators and exam authorities). */
  regionCode: string | null;
  personId: string | null;
  /** For API tokens: what the token may do (e.g. 'devices:write', 'registry:read'). */
  tokenScopes: string[] | null;
  scope: Scope;
}

export const anonymousActor: Actor = {
  userId: null,
  tokenId: null,
  displayName: 'anonymous',
  roles: [],
  organizationId: null,
  organizationKind: null,
  organizationName: null,
  regionCode: null,
  personId: null,
  tokenScopes: null,
  scope: { kind: 'none' },
};

export function scopeFor(input: {
  roles: readonly Role[];
  organizationId: string | null;
  regionCode: string | null;
  personId: string | null;
}): Scope {
  if (input.roles.some((r) => jurisdictionRoles.includes(r)) && input.regionCode !== null) {
    return { kind: 'region', regionCode: input.regionCode };
  }
  if (input.organizationId) return { kind: 'organization', organizationId: input.organizationId };
  if (input.personId) return { kind: 'person', personId: input.personId };
  return { kind: 'none' };
}

export function hasRole(actor: Actor, ...wanted: Role[]): boolean {
  return actor.roles.some((r) => wanted.includes(r));
}

/** True when a region code lies inside the actor's jurisdiction. */
export function regionInScope(scope: Scope, regionCode: string): boolean {
  return scope.kind === 'region' && regionCode.startsWith(scope.regionCode);
}

/**
 * A regulator whose jurisdiction covers the region: the administrative authority above every record
 * there (it registers organizations, and may bring in their records through the bundle import).
 */
export function regulatorOver(actor: Actor, regionCode: string): boolean {
  return hasRole(actor, 'regulator') && regionInScope(actor.scope, regionCode);
}

/**
 * The exam authority (考核发证机关) the caller acts for: an exam-authority user of an exam-authority
 * organization. Question banks, plans, results, signing keys and certificates belong to one authority.
 */
export function authorityOf(actor: Actor): string | null {
  return hasRole(actor, 'exam_authority') &&
    actor.organizationKind === 'exam_authority' &&
    actor.organizationId
    ? actor.organizationId
    : null;
}
