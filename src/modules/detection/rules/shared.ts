import { type RawBuilder, sql } from 'kysely';
import type { EvidenceRef } from '../../../catalog/findings.js';
import type { AccountableOrganization, RuleContext } from '../rule.js';

/**
 * SQL pieces every rule's loader uses, so scope is applied the same way everywhere: the region prefix
 * on the accountable organization's region, and (incremental runs) its id among the touched ones.
 * Column names are constants written in the rule files, never input.
 */
export function inScope(
  ctx: RuleContext,
  regionColumn: string,
  orgColumn: string,
): RawBuilder<boolean> {
  return sql<boolean>`(${sql.raw(regionColumn)} like ${`${ctx.regionPrefix}%`} and (${ctx.organizationIds}::uuid[] is null or ${sql.raw(orgColumn)} = any(${ctx.organizationIds}::uuid[])))`;
}

/** Rows carry the accountable organization as org_id, org_kind, org_name, org_region. */
export interface OrgColumns {
  orgId: string;
  orgKind: string;
  orgName: string;
  orgRegion: string;
}

export const orgOf = (r: OrgColumns): AccountableOrganization => ({
  id: r.orgId,
  kind: r.orgKind,
  name: r.orgName,
  regionCode: r.orgRegion,
});

export const orgColumns = (alias: string) =>
  sql.raw(
    `${alias}.id as org_id, ${alias}.kind as org_kind, ${alias}.name as org_name, ${alias}.region_code as org_region`,
  );

export { beijingDay, beijingHm } from '../../../catalog/calendar.js';

export const ev = (kind: string, id: string, label?: string): EvidenceRef =>
  label === undefined ? { kind, id } : { kind, id, label };
