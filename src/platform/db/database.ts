import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { vector } from '@electric-sql/pglite-pgvector';
import {
  CamelCasePlugin,
  type CompiledQuery,
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { installFaceVectors } from './migrations/0011_face_vectors.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type DatabaseMode = 'pglite' | 'postgresql';
export type Db = Kysely<Database>;
/** A service takes an executor so it composes: the whole Kysely instance or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

export interface DatabaseHandle {
  db: Db;
  mode: DatabaseMode;
  pool: pg.Pool;
  close(): Promise<void>;
}

// DATE columns stay 'YYYY-MM-DD' strings: a JS Date would shift them by the server's time zone.
pg.types.setTypeParser(1082, (v) => v);
// int8 (counts, bigserial) as number where safe; audit seq is read as text explicitly.
pg.types.setTypeParser(20, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});

/**
 * PostgreSQL pools by their Kysely instance, for the few hot statements run as named prepared
 * statements: each connection parses and plans them once instead of on every call.
 */
const preparedPools = new WeakMap<object, pg.Pool>();

/** Column names seen by queryPrepared, camelCased once (a regex per column per row showed in profiles). */
const camelNames = new Map<string, string>();
const camel = (k: string) => {
  let c = camelNames.get(k);
  if (c === undefined) {
    c = k.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
    camelNames.set(k, c);
  }
  return c;
};

/**
 * Runs a compiled query as a named prepared statement when `db` is a PostgreSQL root instance, else
 * (PGlite, inside a transaction) as an ordinary query; rows come back camelCased either way. `name`
 * must stand for one SQL text.
 */
export async function queryPrepared<R>(
  db: Executor,
  name: string,
  query: CompiledQuery<R>,
): Promise<R[]> {
  const pool = preparedPools.get(db);
  if (!pool) return (await db.executeQuery(query)).rows;
  const result = await pool.query({ name, text: query.sql, values: query.parameters as unknown[] });
  const names = result.fields.map((f) => camel(f.name));
  return result.rows.map((row: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) out[names[i]] = row[result.fields[i].name];
    return out as R;
  });
}

export interface OpenDatabaseOptions {
  /** postgres:// URL; without it the embedded PGlite in `dataDir` is used. */
  url?: string;
  /** Directory of the embedded database; 'memory://' for a throw-away one. */
  dataDir?: string;
  poolSize?: number;
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // pg's documented contract: an idle client that the server drops (restart, terminate) emits
    // 'error' on the pool; unhandled, that would crash the process. The next query reconnects.
    pool.on('error', (err) =>
      process.emitWarning(`idle PostgreSQL client dropped: ${err.message}`),
    );
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
      plugins: [new CamelCasePlugin()],
    });
    preparedPools.set(db, pool);
    return { db, mode: 'postgresql', pool, close: () => db.destroy() };
  }
  const dataDir = opts.dataDir ?? './data';
  // pgvector is always loaded: a data directory whose face_vector table was created with it cannot
  // be read without it, and loading it costs little next to starting PGlite (docs/faces.md).
  const extensions = { vector };
  let pglite: PGlite;
  if (dataDir.startsWith('memory://')) {
    pglite = new PGlite(dataDir, { extensions });
  } else {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    pglite = new PGlite(dir, { extensions });
  }
  await pglite.waitReady;
  // PGlite is one connection: the pool has size 1 and everything queues on it.
  const pool = new pg.Pool(createPgConfig(pglite) as unknown as pg.PoolConfig);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new CamelCasePlugin()],
  });
  return {
    db,
    mode: 'pglite',
    pool,
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/** Applies pending migrations; throws (and the CLI exits non-zero) on the first failure. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  // Modules are built in parallel and their migrations land in any order of their numbers; a data
  // directory that already ran a higher number still takes a lower one that landed after it.
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(),
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed?.migrationName ?? 'unknown';
    throw new Error(
      `migration ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // Migration 0011 is a no-op where pgvector is missing; a server that has gained it since gets the
  // face index now instead of never.
  await installFaceVectors(db);
  return (results ?? []).map((r) => r.migrationName);
}

export function transaction<T>(
  db: Executor,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Database>);
  return (db as Kysely<Database>).transaction().execute(fn);
}
