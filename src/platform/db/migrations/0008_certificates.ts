import { type Kysely, sql } from 'kysely';

/**
 * Certificates issued by exam authorities, the authorities' Ed25519 signing keys (public keys
 * published, private keys encrypted at rest, never deleted: old certificates must still verify), and
 * the log of public verification queries (the fake-certificate signal is read from it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('authority_key')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id'))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('certificate')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('special_operation','competency')`),
    )
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('person.id'))
    .addColumn('operation_item_code', 'text', (c) => c.notNull())
    .addColumn('authority_id', 'uuid', (c) => c.notNull().references('organization.id'))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('issued_on', 'date', (c) => c.notNull())
    .addColumn('valid_until', 'date', (c) => c.notNull())
    .addColumn('review_due', 'date')
    .addColumn('kid', 'text', (c) => c.notNull().references('authority_key.kid'))
    .addColumn('qr_payload', 'text', (c) => c.notNull())
    .addColumn('revoked_on', 'date')
    .addColumn('revoke_reason', 'text')
    .addColumn('ban_until', 'date')
    .addColumn('cancelled_on', 'date')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('certificate_number_unique', ['number'])
    .execute();
  await db.schema
    .createIndex('certificate_person_idx')
    .on('certificate')
    .column('person_id')
    .execute();
  await sql`create index certificate_region_idx on certificate (region_code text_pattern_ops)`.execute(
    db,
  );

  await db.schema
    .createTable('verification_query')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('number','qr')`))
    .addColumn('number', 'text')
    .addColumn('found', 'boolean', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('verification_query_not_found_idx')
    .on('verification_query')
    .columns(['found', 'at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('verification_query').execute();
  await db.schema.dropTable('certificate').execute();
  await db.schema.dropTable('authority_key').execute();
}
