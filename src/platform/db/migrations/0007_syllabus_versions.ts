import { type Kysely, sql } from 'kysely';

/**
 * Syllabus hours set by a regulator for its jurisdiction (the published 培训大纲 per item were not
 * available: the catalog ships unconfirmed defaults, and this is how they are corrected). Versions
 * are added with an effective date, never edited, so a class keeps the syllabus it was opened under.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('syllabus_version')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('operation_item_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('initial','refresher','review')`),
    )
    .addColumn('theory_hours', 'real', (c) => c.notNull().check(sql`theory_hours >= 0`))
    .addColumn('practical_hours', 'real', (c) => c.notNull().check(sql`practical_hours >= 0`))
    .addColumn('effective_from', 'date', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('syllabus_version_unique', [
      'region_code',
      'operation_item_code',
      'kind',
      'effective_from',
    ])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('syllabus_version').execute();
}
