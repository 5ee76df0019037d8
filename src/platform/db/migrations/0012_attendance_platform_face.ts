import { type Kysely, sql } from 'kysely';

/**
 * A terminal that sends the frame it matched gets the platform's own verification next to its
 * reported score (issue 5, point 5): the event points at that face_verification row, the way an
 * online face check and an exam check-in do, so the two can be compared (a terminal that "matches"
 * people the platform does not is proxy sign-in or a tampered device).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table attendance_event add column face_verification_id uuid references face_verification(id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table attendance_event drop column face_verification_id`.execute(db);
}
