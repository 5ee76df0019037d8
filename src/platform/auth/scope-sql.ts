import { type SqlBool, sql } from 'kysely';

/**
 * SQL predicate for "this row's region lies in the jurisdiction". LIKE on a text_pattern_ops
 * index: region codes are prefix codes ('37' ⊃ '3709' ⊃ '370902' ⊃ '370902001').
 */
export function regionPrefix(scope: { regionCode: string }): string {
  return `${scope.regionCode.replace(/[^0-9]/g, '')}%`;
}

/** A predicate that matches nothing: used when a scope kind cannot see a table at all. */
export const nothing = sql<SqlBool>`false`;
