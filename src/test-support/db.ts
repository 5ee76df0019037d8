import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadRegionTree } from '../modules/registry/registry.service.js';
import {
  type DatabaseHandle,
  type DatabaseMode,
  migrateToLatest,
  openDatabase,
} from '../platform/db/database.js';

/**
 * The databases the integration suite runs on: always an embedded PGlite, and a real PostgreSQL
 * too when TEST_DATABASE_URL is set (CI sets it). Use with describe.each(testDatabaseModes).
 */
export const testDatabaseModes: DatabaseMode[] = process.env.TEST_DATABASE_URL
  ? ['pglite', 'postgresql']
  : ['pglite'];

export interface TestDatabase extends DatabaseHandle {}

/** A fresh, migrated database per call: in-memory PGlite, or a new database on the test server. */
export async function createTestDatabase(
  mode: DatabaseMode = 'pglite',
  opts: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  let handle: DatabaseHandle;
  let drop: (() => Promise<void>) | undefined;
  if (mode === 'pglite') {
    handle = await openDatabase({ dataDir: 'memory://' });
  } else {
    const adminUrl = process.env.TEST_DATABASE_URL;
    if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
    const name = `zx_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    handle = await openDatabase({ url: url.toString(), poolSize: 5 });
    drop = async () => {
      // The pool has ended, but its last backends may still be leaving: wait for them rather than
      // terminating them (WITH (FORCE) kills clients that are mid-goodbye).
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            await c.query(`drop database if exists ${name}`);
            break;
          } catch (e) {
            if ((e as { code?: string }).code !== '55006' || attempt >= 50) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        await c.end();
      }
    };
  }
  if (opts.migrate !== false) await migrateToLatest(handle.db);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await drop?.();
    },
  };
}

/** Loads Shandong's part of the region tree (enough for the 泰安 demo and fast in tests). */
export function loadRegions(db: DatabaseHandle['db'], onlyUnder = '37'): Promise<number> {
  return loadRegionTree(db, 'system:test', { onlyUnder });
}
