import { sql } from 'kysely';
import { syllabusFor } from '../../catalog/figures.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Actor, hasRole, regionInScope } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden } from '../../platform/errors.js';

export type ClassKind = 'initial' | 'refresher' | 'review';

export interface SyllabusInForce {
  theoryHours: number;
  practicalHours: number;
  source: string;
  /** 'catalog' for the shipped default, else the id of the regulator's version. */
  from: string;
}

/**
 * The syllabus a class of this item and kind is held to in a region on a date: the most specific
 * jurisdiction's latest version in force, else the catalog default. A kind the item does not have is
 * refused whatever a version says.
 */
export async function syllabusInForce(
  db: Executor,
  regionCode: string,
  code: string,
  kind: ClassKind,
  date: string,
): Promise<SyllabusInForce | { refused: string }> {
  const catalog = syllabusFor(code, kind);
  if ('refused' in catalog) return catalog;
  const version = await db
    .selectFrom('syllabusVersion')
    .selectAll()
    .where('operationItemCode', '=', code)
    .where('kind', '=', kind)
    .where('effectiveFrom', '<=', date)
    .where(sql<boolean>`${regionCode} like region_code || '%'`)
    .orderBy(sql`length(region_code)`, 'desc')
    .orderBy('effectiveFrom', 'desc')
    .executeTakeFirst();
  if (version)
    return {
      theoryHours: version.theoryHours,
      practicalHours: version.practicalHours,
      source: version.source,
      from: version.id,
    };
  return {
    theoryHours: catalog.theory.value,
    practicalHours: catalog.practical.value,
    source: catalog.theory.source,
    from: 'catalog',
  };
}

export interface SyllabusVersionInput {
  regionCode: string;
  operationItemCode: string;
  kind: ClassKind;
  theoryHours: number;
  practicalHours: number;
  effectiveFrom: string;
  source: string;
}

/**
 * Like policy versions: only a regulator with the admin role, only for its own jurisdiction (the
 * bundle import asks the same of every syllabus version it brings in).
 */
export function canPublishSyllabus(actor: Actor, regionCode: string): boolean {
  return (
    hasRole(actor, 'admin') && hasRole(actor, 'regulator') && regionInScope(actor.scope, regionCode)
  );
}

export async function addSyllabusVersion(
  db: Executor,
  actor: Actor,
  input: SyllabusVersionInput,
  requestId?: string,
) {
  if (!hasRole(actor, 'admin') || !hasRole(actor, 'regulator'))
    throw forbidden('只有具有管理员角色的监管部门用户可以发布培训大纲学时');
  if (!canPublishSyllabus(actor, input.regionCode)) throw forbidden('只能为本辖区发布培训大纲学时');
  const catalog = syllabusFor(input.operationItemCode, input.kind);
  if ('refused' in catalog)
    throw new DomainError('rule_violation', catalog.refused, [
      { path: 'body.kind', message: catalog.refused, code: 'no_syllabus' },
    ]);
  return transaction(db, async (trx) => {
    const exists = await trx
      .selectFrom('syllabusVersion')
      .select('id')
      .where('regionCode', '=', input.regionCode)
      .where('operationItemCode', '=', input.operationItemCode)
      .where('kind', '=', input.kind)
      .where('effectiveFrom', '=', input.effectiveFrom)
      .executeTakeFirst();
    if (exists)
      throw new DomainError('duplicate', '该辖区此日期已有同一大纲版本', [
        { path: 'body.effectiveFrom', message: 'exists' },
      ]);
    const row = await trx
      .insertInto('syllabusVersion')
      .values({ ...input, createdBy: actor.userId })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'syllabus.add',
      entityType: 'syllabus_version',
      entityId: row.id,
      regionCode: input.regionCode,
      after: row,
      requestId,
    });
    return row;
  });
}

export function listSyllabusVersions(db: Executor, filter: { operationItemCode?: string }) {
  let q = db
    .selectFrom('syllabusVersion')
    .selectAll()
    .orderBy('operationItemCode')
    .orderBy('regionCode')
    .orderBy('effectiveFrom');
  if (filter.operationItemCode) q = q.where('operationItemCode', '=', filter.operationItemCode);
  return q.execute();
}
