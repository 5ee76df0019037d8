import { type Kysely, sql } from 'kysely';

/**
 * Person data by need (issue 12 point 2). An organization that links someone to itself — an employment
 * or a staff duty entered with an ID number and a name — did not learn only that it may: the whole file
 * (full ID number, phone, every other employer) opened at once, so any organization could give itself
 * anyone's file. A link the organization made itself now awaits confirmation by the person (or evidence
 * such as a class enrolment there); until then the organization sees a masked ID number and its own
 * link only. Links already here came through registrars, imports and the demo: they stay confirmed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['employment', 'staff_assignment'])
    await sql`alter table ${sql.table(table)} add column awaiting_confirmation boolean not null default false`.execute(
      db,
    );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['employment', 'staff_assignment'])
    await sql`alter table ${sql.table(table)} drop column awaiting_confirmation`.execute(db);
}
