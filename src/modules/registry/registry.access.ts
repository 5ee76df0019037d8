import { type Actor, hasRole, regulatorOver } from '../../platform/auth/actor.js';

/**
 * Who may write the registry (one place: the registry service and the bundle import both ask here).
 */

/** Regulators register organizations in their jurisdiction (POST /api/organizations). */
export function canRegisterOrganization(actor: Actor, regionCode: string): boolean {
  return regulatorOver(actor, regionCode);
}

/** Regulators act on their jurisdiction; an organization's own users act on their organization only. */
export function canManageOrganization(
  actor: Actor,
  org: { id?: string; regionCode: string },
): boolean {
  if (regulatorOver(actor, org.regionCode)) return true;
  return org.id !== undefined && actor.organizationId === org.id && !hasRole(actor, 'worker');
}

/**
 * Registrars open person files on their own (POST /api/persons) and may link any registered person by
 * ID number and name, so they may also learn whether an ID number is registered. Everyone else links
 * a person only as a claim the person or evidence must confirm (docs/ARCHITECTURE.md "Person data").
 */
export function isRegistrar(actor: Actor): boolean {
  return hasRole(actor, 'regulator');
}
