import { type Kysely, sql } from 'kysely';

/**
 * Certificate lifecycle as events (复审 passed, 再培训 done, 撤销, 注销, 补证): the state, the review
 * date and the validity in force are computed from the issue dates and these events
 * (certificates.rules.ts), so the revocation/cancellation columns of 0008 move into events.
 *
 * - One person holds one "T" + ID number for every special-operation item (and again after a
 *   certificate lapsed): the number is no longer unique, (number, item) is looked up together.
 * - `result_ref` names the exam result a certificate was issued from (one certificate per result).
 * - `card_edition` counts the cards printed for a certificate: a replacement (补证) or a renewal
 *   re-signs the QR with the authority's current key and keeps the number.
 * - The public query log records what was asked (outcome) and, when the number shows it, the region
 *   the number belongs to: the fake-certificate signal goes to that region's regulators.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('certificate_event')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('certificate_id', 'uuid', (c) => c.notNull().references('certificate.id'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('review','retraining','revoke','cancel','replace')`),
    )
    .addColumn('occurred_on', 'date', (c) => c.notNull())
    .addColumn('extended', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('fraud', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('ban_until', 'date')
    .addColumn('reason', 'text')
    .addColumn('card_edition', 'integer')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('certificate_event_certificate_idx')
    .on('certificate_event')
    .columns(['certificate_id', 'occurred_on'])
    .execute();
  await db.schema
    .createIndex('certificate_event_ban_idx')
    .on('certificate_event')
    .column('ban_until')
    .execute();

  // Rows written under 0008 keep their history as events.
  await sql`
    insert into certificate_event (certificate_id, kind, occurred_on, fraud, ban_until, reason, recorded_by)
    select id, 'revoke', revoked_on, ban_until is not null, ban_until, revoke_reason, 'migration:0009'
    from certificate where revoked_on is not null`.execute(db);
  await sql`
    insert into certificate_event (certificate_id, kind, occurred_on, recorded_by)
    select id, 'cancel', cancelled_on, 'migration:0009' from certificate where cancelled_on is not null`.execute(
    db,
  );

  await db.schema.alterTable('certificate').dropConstraint('certificate_number_unique').execute();
  await db.schema
    .alterTable('certificate')
    .dropColumn('review_due')
    .dropColumn('revoked_on')
    .dropColumn('revoke_reason')
    .dropColumn('ban_until')
    .dropColumn('cancelled_on')
    .addColumn('result_ref', 'text')
    .addColumn('card_edition', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('certificate')
    .addUniqueConstraint('certificate_result_ref_unique', ['result_ref'])
    .execute();
  await db.schema
    .createIndex('certificate_number_idx')
    .on('certificate')
    .columns(['number', 'operation_item_code'])
    .execute();

  await db.schema
    .alterTable('verification_query')
    .addColumn('outcome', 'text', (c) =>
      c
        .notNull()
        .defaultTo('found')
        .check(
          sql`outcome in ('found','no_such_number','name_mismatch','bad_signature','unknown_key','malformed','no_such_certificate')`,
        ),
    )
    .addColumn('number_region', 'text')
    .execute();
  await sql`update verification_query set outcome = 'no_such_number' where not found`.execute(db);
  await sql`create index verification_query_region_idx on verification_query (number_region text_pattern_ops)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('verification_query_region_idx').execute();
  await db.schema
    .alterTable('verification_query')
    .dropColumn('outcome')
    .dropColumn('number_region')
    .execute();
  await db.schema.dropIndex('certificate_number_idx').execute();
  await db.schema
    .alterTable('certificate')
    .dropConstraint('certificate_result_ref_unique')
    .execute();
  await db.schema
    .alterTable('certificate')
    .dropColumn('result_ref')
    .dropColumn('card_edition')
    .addColumn('review_due', 'date')
    .addColumn('revoked_on', 'date')
    .addColumn('revoke_reason', 'text')
    .addColumn('ban_until', 'date')
    .addColumn('cancelled_on', 'date')
    .execute();
  await sql`
    update certificate c set revoked_on = e.occurred_on, revoke_reason = e.reason, ban_until = e.ban_until
    from certificate_event e where e.certificate_id = c.id and e.kind = 'revoke'`.execute(db);
  await sql`
    update certificate c set cancelled_on = e.occurred_on
    from certificate_event e where e.certificate_id = c.id and e.kind = 'cancel'`.execute(db);
  await db.schema
    .alterTable('certificate')
    .addUniqueConstraint('certificate_number_unique', ['number'])
    .execute();
  await db.schema.dropTable('certificate_event').execute();
}
