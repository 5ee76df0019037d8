import type { Insertable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { AttendanceEventTable } from './training.table.js';

export function insertRoom(trx: Executor, row: { organizationId: string; regionCode: string; name: string; kind: 'theory' | 'practical' | 'exam'; capacity: number | null; areaM2: number | null }) {
  return trx.insertInto('room').values(row).returningAll().executeTakeFirstOrThrow();
}

export function listRoomsOfOrganization(db: Executor, organizationId: string) {
  return db.selectFrom('room').select(['id', 'name', 'kind', 'capacity', 'areaM2']).where('organizationId', '=', organizationId).orderBy('name').execute();
}

export function findRoom(db: Executor, organizationId: string, roomId: string) {
  return db.selectFrom('room').selectAll().where('id', '=', roomId).where('organizationId', '=', organizationId).executeTakeFirst();
}

export function insertDevice(trx: Executor, row: { organizationId: string; roomId: string; regionCode: string; kind: 'face_terminal' | 'camera'; serial: string; name: string; tokenId: string }) {
  return trx.insertInto('device').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findDeviceByToken(db: Executor, tokenId: string) {
  return db.selectFrom('device').selectAll().where('tokenId', '=', tokenId).executeTakeFirst();
}

export async function personIdsByIdNumber(db: Executor, idNumbers: string[]): Promise<Map<string, string>> {
  if (idNumbers.length === 0) return new Map();
  const rows = await db.selectFrom('person').select(['id', 'idNumber']).where('idNumber', 'in', idNumbers).execute();
  return new Map(rows.map((r) => [r.idNumber, r.id]));
}

/** Inserts what is new and returns the device event ids it inserted; the rest were already there. */
export async function insertEventsIgnoringDuplicates(trx: Executor, rows: Insertable<AttendanceEventTable>[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await trx
    .insertInto('attendanceEvent')
    .values(rows)
    .onConflict((oc) => oc.columns(['deviceId', 'deviceEventId']).doNothing())
    .returning('deviceEventId')
    .execute();
  return new Set(inserted.map((r) => r.deviceEventId));
}

export function listRecentEventsOfRoom(db: Executor, roomId: string, limit = 100) {
  return db
    .selectFrom('attendanceEvent as e')
    .innerJoin('person as p', 'p.id', 'e.personId')
    .select(['e.id', 'e.eventType', 'e.occurredAt', 'e.matchScore', 'e.liveness', 'p.name as personName', 'e.personId'])
    .where('e.roomId', '=', roomId)
    .orderBy('e.occurredAt', 'desc')
    .limit(limit)
    .execute();
}
