import { type Kysely, sql } from 'kysely';

/**
 * 1:N face search through an index where the server has pgvector (issue 5, point 6): `face_vector`
 * holds each face_template's descriptor as vector(1024) beside its person and region, with an HNSW
 * index on cosine distance. Optional by design: PGlite opened with the pgvector bundle and a
 * PostgreSQL server with the package installed get it; a server without pgvector (Debian's
 * postgresql-15 has no package for it) gets nothing here and keeps the brute-force path. The faces
 * module looks for the table itself, so the table's presence is the one switch.
 *
 * The same steps run again from migrateToLatest, so a server that gains pgvector after this
 * migration was recorded gets the table at the next `zhenxun migrate` / start.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await installFaceVectors(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists face_template_has_vector on face_template`.execute(db);
  await sql`drop function if exists face_template_has_vector()`.execute(db);
  await sql`drop table if exists face_vector`.execute(db);
  // The extension stays: other objects of the database may use it, and `create extension if not
  // exists` in up() finds it again.
}

/** Descriptor length of the face model (faceres); HNSW needs a fixed dimension. */
const DIM = 1024;
const BACKFILL_BATCH = 250;

/**
 * Creates face_vector when pgvector can be had and the table is missing; true when the table exists
 * afterwards. Idempotent and all-or-nothing (one transaction): a half-filled table would switch the
 * faces module to an index that misses templates.
 */
export async function installFaceVectors(db: Kysely<any>): Promise<boolean> {
  if (await hasTable(db)) return true;
  const available = await sql`select 1 from pg_available_extensions where name = 'vector'`.execute(
    db,
  );
  if (available.rows.length === 0) return false;
  const install = async (trx: Kysely<any>) => {
    // pgvector is not a trusted extension: a role that may not create it keeps brute force rather
    // than failing the whole migration (the DO block's handler rolls back only the attempt).
    await sql`
      do $$ begin
        create extension if not exists vector;
      exception when insufficient_privilege then
        raise notice 'pgvector is available but this role cannot create it: 1:N face search stays brute force';
      end $$`.execute(trx);
    const installed = await sql`select 1 from pg_extension where extname = 'vector'`.execute(trx);
    if (installed.rows.length === 0) return false;
    await sql`
      create table face_vector (
        template_id uuid primary key references face_template(id) on delete cascade,
        person_id uuid not null,
        region_code text not null,
        embedding vector(${sql.raw(String(DIM))}) not null
      )`.execute(trx);
    await sql`create index face_vector_region_idx on face_vector (region_code text_pattern_ops)`.execute(
      trx,
    );
    await backfill(trx);
    // Built after the backfill: one bulk build is much faster than inserting into a live graph.
    await sql`create index face_vector_embedding_idx on face_vector using hnsw (embedding vector_cosine_ops)`.execute(
      trx,
    );
    // A writer of face_template that forgets face_vector would make the index silently miss that face;
    // this check at commit turns it into an error. (Converting the bytea in SQL instead — a trigger that
    // fills face_vector itself — was measured at ~70 ms a template on PGlite: too slow for bulk writes.)
    await sql`
      create function face_template_has_vector() returns trigger language plpgsql as $$
      begin
        -- A template inserted and deleted again in the same transaction needs no vector.
        if exists (select 1 from face_template where id = new.id)
           and not exists (select 1 from face_vector where template_id = new.id) then
          raise exception 'face_template % has no face_vector row (write templates through faces.repository insertTemplate)', new.id;
        end if;
        return null;
      end $$`.execute(trx);
    await sql`
      create constraint trigger face_template_has_vector after insert on face_template
      deferrable initially deferred for each row execute function face_template_has_vector()`.execute(
      trx,
    );
    return true;
  };
  // The migrator already runs inside a transaction; migrateToLatest's second call does not.
  return db.isTransaction ? install(db) : db.transaction().execute(install);
}

async function hasTable(db: Kysely<any>): Promise<boolean> {
  const r = await sql<{
    present: boolean;
  }>`select to_regclass('face_vector') is not null as present`.execute(db);
  return r.rows[0]?.present === true;
}

/** Copies existing templates in batches (converting the bytes in SQL was far too slow, see above). */
async function backfill(trx: Kysely<any>): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await sql<{
      id: string;
      personId: string;
      regionCode: string;
      embedding: Uint8Array;
    }>`
      select id, person_id, region_code, embedding from face_template where id > ${after}::uuid order by id limit ${BACKFILL_BATCH}`.execute(
      trx,
    );
    if (rows.rows.length === 0) return;
    const values = rows.rows.map(
      (r) =>
        sql`(${r.id}::uuid, ${r.personId}::uuid, ${r.regionCode}, ${vectorParam(r.embedding)}::vector)`,
    );
    await sql`insert into face_vector (template_id, person_id, region_code, embedding) values ${sql.join(values)}`.execute(
      trx,
    );
    after = rows.rows[rows.rows.length - 1].id;
  }
}

/**
 * A little-endian float32 descriptor in pgvector's binary wire form (int16 dimension, int16 unused,
 * float32 big-endian), sent as a binary parameter: the server reads the same floats without parsing
 * text (~1.4 ms a descriptor on PGlite).
 */
function vectorParam(bytes: Uint8Array): Buffer {
  const b = Buffer.alloc(4 + bytes.byteLength);
  b.writeInt16BE(bytes.byteLength / 4, 0);
  Buffer.from(bytes).swap32().copy(b, 4);
  return b;
}
