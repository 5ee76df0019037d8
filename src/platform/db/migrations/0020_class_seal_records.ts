import { type Kysely, sql } from 'kysely';

/**
 * The sealed records themselves, kept with the seal: verify compares each changed record with its
 * sealed copy and says whose record, which lesson and which field changed, from what to what (the
 * leaf hashes alone only say that a record changed). The copy is trusted only while it hashes to its
 * sealed leaf. Seals written before this migration have none and are reported by record, as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table class_seal add column records jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table class_seal drop column records`.execute(db);
}
