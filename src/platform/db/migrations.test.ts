import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test-support/db.js';
import type { Db } from './database.js';
import { migrations } from './migrations/index.js';

/** Everything a migration decides about the schema, in a form two servers can be compared by. */
async function catalogOf(db: Db) {
  const columns = await sql<Record<string, unknown>>`
    select table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length
    from information_schema.columns where table_schema = 'public' order by table_name, column_name`.execute(
    db,
  );
  const indexes = await sql<Record<string, unknown>>`
    select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by tablename, indexname`.execute(
    db,
  );
  const constraints = await sql<Record<string, unknown>>`
    select conrelid::regclass::text as table_name, conname, contype, pg_get_constraintdef(oid) as def
    from pg_constraint where connamespace = 'public'::regnamespace
      -- PGlite's newer server also lists NOT NULL as constraints (contype 'n'); is_nullable above covers them.
      and contype <> 'n'
    order by 1, 2`.execute(db);
  const triggers = await sql<Record<string, unknown>>`
    select event_object_table, trigger_name, event_manipulation, action_timing
    from information_schema.triggers where trigger_schema = 'public' order by 1, 2, 3`.execute(db);
  return {
    columns: columns.rows,
    indexes: indexes.rows,
    constraints: constraints.rows,
    triggers: triggers.rows,
  };
}

/**
 * face_vector, its indexes and the check on face_template exist only where pgvector does (migration
 * 0011: PGlite loads it, a PostgreSQL server may not have it); the rest must still match.
 */
function withoutFaceVectors(catalog: Awaited<ReturnType<typeof catalogOf>>) {
  const optional = (r: Record<string, unknown>) =>
    r.tableName === 'face_vector' ||
    r.tablename === 'face_vector' ||
    r.conname === 'face_template_has_vector' ||
    r.triggerName === 'face_template_has_vector';
  return {
    columns: catalog.columns.filter((r) => !optional(r)),
    indexes: catalog.indexes.filter((r) => !optional(r)),
    constraints: catalog.constraints.filter((r) => !optional(r)),
    triggers: catalog.triggers.filter((r) => !optional(r)),
  };
}

describe('migrations', () => {
  it('apply from empty on PGlite, roll all the way down and up again', async () => {
    const t = await createTestDatabase('pglite');
    try {
      const before = await catalogOf(t.db);
      expect(before.columns.length).toBeGreaterThan(50);
      const migrator = new Migrator({
        db: t.db,
        provider: { getMigrations: async () => migrations },
      });
      for (let i = 0; i < Object.keys(migrations).length; i++) {
        const { error } = await migrator.migrateDown();
        expect(error).toBeUndefined();
      }
      const empty = await catalogOf(t.db);
      expect(empty.columns.filter((c) => !String(c.tableName).startsWith('kysely_'))).toEqual([]);
      const { error } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      expect(await catalogOf(t.db)).toEqual(before);
    } finally {
      await t.close();
    }
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'give identical catalogs on PGlite and PostgreSQL',
    async () => {
      const a = await createTestDatabase('pglite');
      const b = await createTestDatabase('postgresql');
      try {
        let [ca, cb] = await Promise.all([catalogOf(a.db), catalogOf(b.db)]);
        const vectors = (c: typeof ca) => c.columns.some((r) => r.tableName === 'face_vector');
        if (vectors(ca) !== vectors(cb))
          [ca, cb] = [withoutFaceVectors(ca), withoutFaceVectors(cb)];
        expect(cb.columns).toEqual(ca.columns);
        expect(cb.indexes).toEqual(ca.indexes);
        expect(cb.constraints).toEqual(ca.constraints);
        expect(cb.triggers).toEqual(ca.triggers);
      } finally {
        await a.close();
        await b.close();
      }
    },
  );
});
