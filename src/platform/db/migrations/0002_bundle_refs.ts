import { type Kysely, sql } from 'kysely';

/**
 * Refs of records that came from an exchange bundle, so an export writes the author's refs back and
 * detection alerts can name them (CONTRACTS.md "Detection").
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('external_ref')
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'uuid', (c) => c.notNull())
    .addColumn('region_code', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('external_ref_pk', ['entity_type', 'ref'])
    .execute();
  await db.schema
    .createIndex('external_ref_entity_idx')
    .on('external_ref')
    .columns(['entity_type', 'entity_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('external_ref').execute();
}
