import { type Kysely, sql } from 'kysely';

/**
 * Face templates are personal data (PIPL): only the descriptor is kept (float32 little-endian in
 * bytea, the same bytes on PGlite and PostgreSQL), never the photo, and deleting them is audited.
 * Verifications keep scores and the decision, not the frame.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('face_template')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('person.id'))
    .addColumn('organization_id', 'uuid', (c) => c.references('organization.id'))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('embedding', 'bytea', (c) => c.notNull())
    .addColumn('quality', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('face_template_person_idx')
    .on('face_template')
    .column('person_id')
    .execute();
  await sql`create index face_template_region_idx on face_template (region_code text_pattern_ops)`.execute(
    db,
  );

  await db.schema
    .createTable('face_verification')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('person.id'))
    .addColumn('organization_id', 'uuid', (c) => c.references('organization.id'))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    /** 'platform' when this server compared the frame; 'device' when a terminal reported its own score. */
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('platform','device')`))
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('score', 'real')
    .addColumn('real_score', 'real')
    .addColumn('live_score', 'real')
    .addColumn('decision', 'text', (c) =>
      c.notNull().check(sql`decision in ('match','mismatch','review','refused')`),
    )
    .addColumn('reasons', sql`text[]`, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('face_verification_person_idx')
    .on('face_verification')
    .columns(['person_id', 'at'])
    .execute();
  await sql`create index face_verification_region_idx on face_verification (region_code text_pattern_ops)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('face_verification').execute();
  await db.schema.dropTable('face_template').execute();
}
