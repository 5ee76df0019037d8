import { type Insertable, sql } from 'kysely';
import { regionPrefix } from '../../platform/auth/scope-sql.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import type { FaceVerificationTable } from './faces.table.js';

export function toBytes(embedding: ArrayLike<number>): Buffer {
  const f = Float32Array.from(embedding as ArrayLike<number>);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

export function fromBytes(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
}

/**
 * Stores a template, and its vector beside it where the database keeps face_vector (migration 0011):
 * one transaction, and a deferred check there refuses a template that arrives without its vector.
 */
export function insertTemplate(
  db: Executor,
  row: {
    personId: string;
    organizationId: string | null;
    regionCode: string;
    model: string;
    embedding: number[];
    quality: unknown;
  },
) {
  return transaction(db, async (trx) => {
    const inserted = await trx
      .insertInto('faceTemplate')
      .values({ ...row, embedding: toBytes(row.embedding), quality: JSON.stringify(row.quality) })
      .returning(['id', 'createdAt'])
      .executeTakeFirstOrThrow();
    if (await hasFaceVectors(trx)) {
      await sql`insert into face_vector (template_id, person_id, region_code, embedding)
        values (${inserted.id}, ${row.personId}, ${row.regionCode}, ${vectorParam(row.embedding)}::vector)`.execute(
        trx,
      );
    }
    return inserted;
  });
}

export async function listTemplatesOfPerson(db: Executor, personId: string) {
  const rows = await db
    .selectFrom('faceTemplate')
    .select(['id', 'embedding', 'createdAt'])
    .where('personId', '=', personId)
    .execute();
  return rows.map((r) => ({ id: r.id, createdAt: r.createdAt, embedding: fromBytes(r.embedding) }));
}

export function countTemplatesOfPerson(db: Executor, personId: string) {
  return db
    .selectFrom('faceTemplate')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('personId', '=', personId)
    .executeTakeFirstOrThrow();
}

/** face_vector rows go with their templates (on delete cascade), in the same statement. */
export function deleteTemplatesOfPerson(trx: Executor, personId: string) {
  return trx.deleteFrom('faceTemplate').where('personId', '=', personId).executeTakeFirst();
}

/** Every template under a region prefix, as descriptors: the brute-force 1:N path. */
export async function listTemplatesInRegion(db: Executor, regionCode: string) {
  const rows = await db
    .selectFrom('faceTemplate')
    .select(['personId', 'embedding'])
    .where('regionCode', 'like', regionPrefix({ regionCode }))
    .execute();
  return rows.map((r) => ({ personId: r.personId, embedding: fromBytes(r.embedding) }));
}

/**
 * Whether this database keeps face_vector: migration 0011 creates it only where pgvector is
 * installed. Asked per call (a catalog lookup) rather than cached, so it is never stale.
 */
export async function hasFaceVectors(db: Executor): Promise<boolean> {
  const r = await sql<{
    present: boolean;
  }>`select to_regclass('face_vector') is not null as present`.execute(db);
  return r.rows[0]?.present === true;
}

/**
 * A descriptor in pgvector's binary wire form (int16 dimension, int16 unused, float32 big-endian),
 * sent as a binary parameter (node-postgres sends a Buffer that way) to `$n::vector`: the same
 * float32 values as face_template's bytes, and some ten times cheaper for the server than parsing
 * the text form (~1.4 ms a descriptor on PGlite).
 */
export function vectorParam(embedding: ArrayLike<number>): Buffer {
  const f = Float32Array.from(embedding);
  const b = Buffer.alloc(4 + f.byteLength);
  b.writeInt16BE(f.length, 0);
  // Native order is little-endian here, as toBytes already assumes.
  Buffer.from(f.buffer).swap32().copy(b, 4);
  return b;
}

/** First page of candidates per probe; ×4 while a page lies wholly within the threshold. */
const NEAREST_FIRST_PAGE = 64;
/**
 * pgvector computes the distance in float32, the brute-force path in float64 over float32 products:
 * the two may differ in the 6th–7th digit. Candidates are taken a little beyond the threshold and
 * the caller rescores them exactly as brute force does.
 */
const DISTANCE_SLACK = 1e-3;

/**
 * The index path of 1:N: templates under a region prefix, of other persons, within reach of the
 * threshold of any probe — found through the HNSW index on face_vector, returned with their stored
 * descriptors so the caller scores them the same way as brute force.
 *
 * The settings, measured over 10^5 descriptors on PGlite at threshold 0.70 (docs/faces.md):
 * - HNSW applies the WHERE clause (region prefix, not this person) after walking the graph, and a
 *   plain walk stops at ef_search candidates: faces nearer the probe in other regions crowd out the
 *   region's own (one county of ten: 87 % of its hits found). `hnsw.iterative_scan` (pgvector ≥ 0.8)
 *   resumes the walk until the LIMIT is filled by rows that pass the filter, up to
 *   hnsw.max_scan_tuples (20,000 by default: a hit would need that many nearer faces elsewhere).
 * - relaxed_order, not strict_order: strict drops a nearer row found after a farther one was returned
 *   (county: 94 % against 99 %), and the order is of no use here (the caller sorts the rescored hits).
 * - ef_search 1000, pgvector's maximum (default 40): the hits HNSW misses are lookalikes just above the
 *   threshold among many faces at nearly the same distance; the whole city found 98 % of its hits at
 *   ef_search 100, 99.3 % at 400 and all at 1000, for ~80 ms a probe instead of ~15. This search is
 *   rare and its answer is evidence, so completeness wins.
 * - The LIMIT pages: a page with a row beyond the threshold means the walk has passed it; a page wholly
 *   within asks for a larger one.
 * Where the region is a small part of the table the planner takes the region index and sorts instead,
 * which is exact.
 */
export async function nearTemplatesInRegion(
  db: Executor,
  q: {
    probes: ArrayLike<number>[];
    regionCode: string;
    excludePersonId: string;
    minSimilarity: number;
  },
) {
  const maxDistance = 1 - q.minSimilarity + DISTANCE_SLACK;
  const prefix = regionPrefix({ regionCode: q.regionCode });
  const ids = new Set<string>();
  await transaction(db, async (trx) => {
    // set_config(…, true) is SET LOCAL: the settings end with this transaction (one pooled connection).
    await sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', '1000', true)`.execute(
      trx,
    );
    for (const probe of q.probes) {
      const vector = vectorParam(probe);
      for (let limit = NEAREST_FIRST_PAGE; ; limit *= 4) {
        const page = await sql<{ templateId: string; distance: number }>`
          select template_id, embedding <=> ${vector}::vector as distance from face_vector
          where region_code like ${prefix} and person_id <> ${q.excludePersonId}
          order by embedding <=> ${vector}::vector limit ${limit}`.execute(trx);
        const within = page.rows.filter((r) => r.distance <= maxDistance);
        for (const r of within) ids.add(r.templateId);
        if (page.rows.length < limit || within.length < page.rows.length) break;
      }
    }
  });
  if (ids.size === 0) return [];
  const rows = await db
    .selectFrom('faceTemplate')
    .select(['personId', 'embedding'])
    .where('id', 'in', [...ids])
    .execute();
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
    .select([
      'id',
      'at',
      'source',
      'context',
      'score',
      'realScore',
      'liveScore',
      'decision',
      'reasons',
      'organizationId',
    ])
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
