import type { Executor } from '../../platform/db/database.js';

export function listStoredProfiles(db: Executor) {
  return db
    .selectFrom('policyProfile')
    .select([
      'id',
      'regionCode',
      'version',
      'effectiveFrom',
      'effectiveTo',
      'source',
      'figures',
      'createdAt',
    ])
    .orderBy('regionCode')
    .orderBy('effectiveFrom')
    .execute();
}

export function findStoredProfile(db: Executor, id: string) {
  return db.selectFrom('policyProfile').select('id').where('id', '=', id).executeTakeFirst();
}

export function insertProfile(
  trx: Executor,
  row: {
    id: string;
    regionCode: string;
    version: string;
    effectiveFrom: string;
    effectiveTo: string | null;
    source: string;
    figures: unknown;
    createdBy: string | null;
  },
) {
  return trx
    .insertInto('policyProfile')
    .values({ ...row, figures: JSON.stringify(row.figures) })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}
