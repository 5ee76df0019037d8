import { type Kysely, sql } from 'kysely';

/**
 * Records the remaining detection rules read (issue 13 point 2), so history from another system can
 * carry them and be judged like platform records:
 * - online_course.claimed_hours: the 学时 an online course claims (T03: ≥ onlineMinutesPerHour of
 *   real media per claimed 学时; T02 sums them against the online share of theory hours);
 * - lesson.taught_by_id: who actually taught, as the teaching log records it (T09), null = the
 *   planned teacher;
 * - exam_registration.checkin_site_id and theory_attempt.site_id: where the candidate was checked in
 *   and where the theory paper was taken (E01), null = the session's own site.
 * Archive seals (class_seal) hash explicit column lists, so these columns change no sealed archive.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table online_course add column claimed_hours numeric(6,2) check (claimed_hours > 0)`.execute(
    db,
  );
  await sql`alter table lesson add column taught_by_id uuid references person(id)`.execute(db);
  await sql`alter table exam_registration add column checkin_site_id uuid references organization(id)`.execute(
    db,
  );
  await sql`alter table theory_attempt add column site_id uuid references organization(id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table theory_attempt drop column site_id`.execute(db);
  await sql`alter table exam_registration drop column checkin_site_id`.execute(db);
  await sql`alter table lesson drop column taught_by_id`.execute(db);
  await sql`alter table online_course drop column claimed_hours`.execute(db);
}
