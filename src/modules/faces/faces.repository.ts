import type { Executor } from '../../platform/db/database.js';
import { regionPrefix } from '../../platform/auth/scope-sql.js';
import type { FaceVerificationTable } from './faces.table.js';
import { type Insertable, sql } from 'kysely';

export function toBytes(embedding: ArrayLike<number>): Buffer {
  const f = Float32Array.from(embedding as ArrayLike<number>);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

export function fromBytes(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
}

export function insertTemplate(trx: Executor, row: { personId: string; organizationId: string | null; regionCode: string; model: string; embedding: number[]; quality: unknown }) {
  return trx
    .insertInto('faceTemplate')
    .values({ ...row, embedding: toBytes(row.embedding), quality: JSON.stringify(row.quality) })
    .returning(['id', 'createdAt'])
    .executeTakeFirstOrThrow();
}

export async function listTemplatesOfPerson(db: Executor, personId: string) {
  const rows = await db.selectFrom('faceTemplate').select(['id', 'embedding', 'createdAt']).where('personId', '=', personId).execute();
  return rows.map((r) => ({ id: r.id, createdAt: r.createdAt, embedding: fromBytes(r.embedding) }));
}

export function countTemplatesOfPerson(db: Executor, personId: string) {
  return db.selectFrom('faceTemplate').select((eb) => eb.fn.countAll<number>().as('n')).where('personId', '=', personId).executeTakeFirstOrThrow();
}

export function deleteTemplatesOfPerson(trx: Executor, personId: string) {
  return trx.deleteFrom('faceTemplate').where('personId', '=', personId).executeTakeFirst();
}

/** Every template under a region prefix, as descriptors: the brute-force 1:N path (PGlite and PostgreSQL alike). */
export async function listTemplatesInRegion(db: Executor, regionCode: string) {
  const rows = await db.selectFrom('faceTemplate').select(['personId', 'embedding']).where('regionCode', 'like', regionPrefix({ regionCode })).execute();
  return rows.map((r) => ({ personId: r.personId, embedding: fromBytes(r.embedding) }));
}

export function insertVerification(trx: Executor, row: Insertable<FaceVerificationTable>) {
  return trx.insertInto('faceVerification').values(row).returning(['id']).executeTakeFirstOrThrow();
}

/**
 * The person's verification log: the platform's own checks, and the matches face terminals reported
 * with their attendance events (source 'device': the terminal's score on its own scale, and its claim
 * that it recognised the person — it only sends events for people it recognised).
 */
export function listVerificationsOfPerson(db: Executor, personId: string, limit = 200) {
  return db
    .selectFrom('faceVerification')
    .select(['id', 'at', 'source', 'context', 'score', 'realScore', 'liveScore', 'decision', 'reasons', 'organizationId'])
    .where('personId', '=', personId)
    .unionAll(
      db
        .selectFrom('attendanceEvent')
        .select([
          'id',
          'occurredAt as at',
          sql<'device'>`'device'`.as('source'),
          sql<string>`'attendance_terminal'`.as('context'),
          'matchScore as score',
          sql<number | null>`null::real`.as('realScore'),
          'liveness as liveScore',
          sql<'match'>`'match'`.as('decision'),
          sql<string[]>`array['device_reported']`.as('reasons'),
          'organizationId',
        ])
        .where('personId', '=', personId)
        .where('matchScore', 'is not', null),
    )
    .orderBy('at', 'desc')
    .limit(limit)
    .execute();
}
