import { type Kysely, sql } from 'kysely';

/**
 * A device brought in by a bundle (from another system) has no API token until its institution
 * issues one: the token is the device's credential here, not part of its identity.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table device alter column token_id drop not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table device alter column token_id set not null`.execute(db);
}
