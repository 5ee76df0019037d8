import { type Insertable, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { AttendanceEventTable } from './training.table.js';

export function insertRoom(
  trx: Executor,
  row: {
    organizationId: string;
    regionCode: string;
    name: string;
    kind: 'theory' | 'practical' | 'exam';
    capacity: number | null;
    areaM2: number | null;
  },
) {
  return trx.insertInto('room').values(row).returningAll().executeTakeFirstOrThrow();
}

export function listRoomsOfOrganization(db: Executor, organizationId: string) {
  return db
    .selectFrom('room')
    .select(['id', 'name', 'kind', 'capacity', 'areaM2'])
    .where('organizationId', '=', organizationId)
    .orderBy('name')
    .execute();
}

export function findRoom(db: Executor, organizationId: string, roomId: string) {
  return db
    .selectFrom('room')
    .selectAll()
    .where('id', '=', roomId)
    .where('organizationId', '=', organizationId)
    .executeTakeFirst();
}

export function insertDevice(
  trx: Executor,
  row: {
    organizationId: string;
    roomId: string;
    regionCode: string;
    kind: 'face_terminal' | 'camera';
    serial: string;
    name: string;
    tokenId: string;
  },
) {
  return trx.insertInto('device').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findDeviceByToken(db: Executor, tokenId: string) {
  return db.selectFrom('device').selectAll().where('tokenId', '=', tokenId).executeTakeFirst();
}

export async function personIdsByIdNumber(
  db: Executor,
  idNumbers: string[],
): Promise<Map<string, string>> {
  if (idNumbers.length === 0) return new Map();
  // One array parameter rather than one parameter per ID number (a batch has up to a thousand).
  const rows = await db
    .selectFrom('person')
    .select(['id', 'idNumber'])
    .where(sql<boolean>`id_number = any(${idNumbers}::text[])`)
    .execute();
  return new Map(rows.map((r) => [r.idNumber, r.id]));
}

/**
 * Inserts what is new and returns the device event ids it inserted (with their row ids); the rest
 * were already there.
 * One INSERT … SELECT FROM unnest(arrays): twelve array parameters instead of twelve thousand scalar
 * ones, which is what makes a 1,000-event batch cheap to parse, plan and send.
 */
export async function insertEventsIgnoringDuplicates(
  trx: Executor,
  rows: Insertable<AttendanceEventTable>[],
): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map();
  const col = <T>(f: (r: Insertable<AttendanceEventTable>) => T) => rows.map(f);
  const iso = (d: Date | string | undefined) => (d instanceof Date ? d.toISOString() : (d ?? null));
  const inserted = await sql<{ id: string; deviceEventId: string }>`
    insert into attendance_event (device_id, device_event_id, organization_id, room_id, region_code, person_id, event_type, occurred_at, received_at, match_score, liveness, photo_ref)
    select * from unnest(
      ${col((r) => r.deviceId)}::uuid[], ${col((r) => r.deviceEventId)}::text[], ${col((r) => r.organizationId)}::uuid[], ${col((r) => r.roomId)}::uuid[],
      ${col((r) => r.regionCode)}::text[], ${col((r) => r.personId)}::uuid[], ${col((r) => r.eventType)}::text[], ${col((r) => iso(r.occurredAt))}::timestamptz[],
      ${col((r) => iso(r.receivedAt))}::timestamptz[], ${col((r) => r.matchScore ?? null)}::real[], ${col((r) => r.liveness ?? null)}::real[], ${col((r) => r.photoRef ?? null)}::text[])
    on conflict (device_id, device_event_id) do nothing
    returning id, device_event_id`.execute(trx);
  return new Map(inserted.rows.map((r) => [r.deviceEventId, r.id]));
}

export function linkEventVerification(db: Executor, eventId: string, verificationId: string) {
  return db
    .updateTable('attendanceEvent')
    .set({ faceVerificationId: verificationId })
    .where('id', '=', eventId)
    .execute();
}

export function listRecentEventsOfRoom(db: Executor, roomId: string, limit = 100) {
  return db
    .selectFrom('attendanceEvent as e')
    .innerJoin('person as p', 'p.id', 'e.personId')
    .select([
      'e.id',
      'e.eventType',
      'e.occurredAt',
      'e.matchScore',
      'e.liveness',
      'p.name as personName',
      'e.personId',
    ])
    .where('e.roomId', '=', roomId)
    .orderBy('e.occurredAt', 'desc')
    .limit(limit)
    .execute();
}
