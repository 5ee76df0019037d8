import { type Kysely, sql } from 'kysely';

/**
 * The demo city's anchor: the Beijing date of the first start, with the seed it was generated from.
 * The city is placed around that date (classes running, last month's exam, next week's); keeping it
 * lets a restart, an export or a screen say which day the demo's "today" was. At most one row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table demo_city (
      id smallint primary key default 1 check (id = 1),
      seed integer not null,
      anchor_date date not null,
      seeded_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table demo_city`.execute(db);
}
