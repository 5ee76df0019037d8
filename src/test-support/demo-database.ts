import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEFAULT_DEMO_SEED, seedDemoCity } from '../demo/demo.seed.js';
import {
  type DatabaseHandle,
  type DatabaseMode,
  migrateToLatest,
  openDatabase,
} from '../platform/db/database.js';

/**
 * The demo city, built once per version of the code and cloned for each test that needs it (issue 16
 * point 10): seeding it costs tens of seconds of CPU, and the suite used to pay that in every file that
 * wanted it, so a busy machine pushed those files past their time limits. PGlite: a closed data
 * directory kept under node_modules/.cache and copied; PostgreSQL: a template database, cloned with
 * CREATE DATABASE … TEMPLATE. Both are keyed by a hash of the server sources, the lockfile, the seed
 * and the anchor date, so any change to what seeding runs builds a new one.
 */
export interface DemoDatabase extends DatabaseHandle {
  /** Where the PGlite clone lives (so a server under test can keep files beside it), if PGlite. */
  dataDir?: string;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const cacheRoot = join(root, 'node_modules', '.cache', 'zhenxun-demo');

function sourcesDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.test.ts')) {
        hash.update(relative(root, path));
        hash.update(readFileSync(path));
      }
    }
  };
  walk(join(root, 'src'));
  hash.update(readFileSync(join(root, 'package-lock.json')));
  return hash.digest('hex');
}

let digest: string | undefined;
function templateKey(seed: number, anchor: string): string {
  digest ??= sourcesDigest();
  return createHash('sha256').update(`${digest}|${seed}|${anchor}`).digest('hex').slice(0, 20);
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A lock file holding the builder's pid; a lock left by a dead process is taken over. */
async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(path, 'utf8') || '0');
      if (holder && !pidAlive(holder)) unlinkSync(path);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}

async function pgliteTemplate(seed: number, anchor: string): Promise<string> {
  const dir = join(cacheRoot, templateKey(seed, anchor));
  if (existsSync(dir)) return dir;
  mkdirSync(cacheRoot, { recursive: true });
  return withFileLock(`${dir}.lock`, async () => {
    if (existsSync(dir)) return dir;
    const building = `${dir}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    const handle = await openDatabase({ dataDir: building });
    try {
      await migrateToLatest(handle.db);
      await seedDemoCity(handle.db, seed, anchor);
    } finally {
      await handle.close();
    }
    renameSync(building, dir);
    return dir;
  });
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const urlOf = (name: string) => {
  const url = new URL(process.env.TEST_DATABASE_URL as string);
  url.pathname = `/${name}`;
  return url.toString();
};

async function postgresTemplate(seed: number, anchor: string): Promise<string> {
  const name = `zx_demo_${templateKey(seed, anchor)}`;
  await withAdmin(async (c) => {
    // One builder per template across processes; the others wait here and then find it.
    await c.query('select pg_advisory_lock(hashtext($1))', [name]);
    try {
      const exists = await c.query('select 1 from pg_database where datname = $1', [name]);
      if (exists.rowCount) return;
      const building = `${name}_b${randomBytes(3).toString('hex')}`;
      await c.query(`create database ${building}`);
      const handle = await openDatabase({ url: urlOf(building), poolSize: 5 });
      try {
        await migrateToLatest(handle.db);
        await seedDemoCity(handle.db, seed, anchor);
      } finally {
        await handle.close();
      }
      await c.query(`alter database ${building} rename to ${name}`);
    } finally {
      await c.query('select pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
  return name;
}

/**
 * A fresh database holding the demo city of this seed and anchor, private to the caller (a clone);
 * `close()` removes it. Default anchor: today in Beijing, as `npm start` would place it.
 */
export async function openDemoDatabase(
  mode: DatabaseMode = 'pglite',
  opts: { seed?: number; anchor: string },
): Promise<DemoDatabase> {
  const seed = opts.seed ?? DEFAULT_DEMO_SEED;
  if (mode === 'pglite') {
    const template = await pgliteTemplate(seed, opts.anchor);
    const dataDir = mkdtempSync(join(tmpdir(), 'zx-demo-'));
    cpSync(template, dataDir, { recursive: true });
    const handle = await openDatabase({ dataDir });
    return {
      ...handle,
      dataDir,
      close: async () => {
        await handle.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const template = await postgresTemplate(seed, opts.anchor);
  const name = `zx_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`create database ${name} template ${template}`));
  const handle = await openDatabase({ url: urlOf(name), poolSize: 5 });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await withAdmin(async (c) => {
        for (let attempt = 0; ; attempt++) {
          try {
            await c.query(`drop database if exists ${name}`);
            return;
          } catch (e) {
            if ((e as { code?: string }).code !== '55006' || attempt >= 50) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      });
    },
  };
}
