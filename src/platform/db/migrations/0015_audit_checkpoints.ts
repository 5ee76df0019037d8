import { type Kysely, sql } from 'kysely';

/**
 * Signed checkpoints of the audit log's head (issue 12, point 3): `{seq, headHash, at}` signed with
 * an Ed25519 key that is kept outside the database, written at least every minute and on shutdown,
 * published at GET /api/public/audit/checkpoints. Whoever rewrites the log below a checkpoint (an edit
 * with the rest of the chain re-hashed, a deleted tail, a TRUNCATE) can no longer match its signed
 * head hash. The table is append-only like the log; TRUNCATE is now refused on both (statement
 * triggers: the row triggers of 0001 never see a TRUNCATE).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_checkpoint')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('head_hash', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_checkpoint_seq_idx')
    .on('audit_checkpoint')
    .columns(['seq', 'id'])
    .execute();
  // The public half of each key that signed a checkpoint, so witnesses can copy it with them. Not
  // trusted by the verifier on its own word: a key is trusted when it is configured or in a witness file.
  await db.schema
    .createTable('audit_checkpoint_key')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('first_used_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await sql`
    create function audit_checkpoint_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_checkpoint is append-only';
    end $$`.execute(db);
  await sql`
    create trigger audit_checkpoint_no_update_delete before update or delete on audit_checkpoint
    for each row execute function audit_checkpoint_append_only()`.execute(db);
  await sql`
    create trigger audit_checkpoint_no_truncate before truncate on audit_checkpoint
    for each statement execute function audit_checkpoint_append_only()`.execute(db);
  await sql`
    create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists audit_log_no_truncate on audit_log`.execute(db);
  await db.schema.dropTable('audit_checkpoint_key').execute();
  await db.schema.dropTable('audit_checkpoint').execute();
  await sql`drop function if exists audit_checkpoint_append_only()`.execute(db);
}
