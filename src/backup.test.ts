import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyArchiveByRef } from './modules/training/archive.service.js';
import { verifyAuditLog } from './platform/audit/audit.js';
import {
  checkpointKeyFromEnv,
  trustedKeyOfCheckpointKey,
} from './platform/audit/checkpoint-key.js';
import { type Executor, migrateToLatest, openDatabase } from './platform/db/database.js';
import { createTestDatabase, loadRegions } from './test-support/db.js';
import { buildTamperFixture } from './test-support/tamper-campaign.js';

/**
 * Backup and restore (issue 12 point 11, docs/security.md "Backup and restore"): the procedures the
 * page documents, round-tripping sealed archives, the audit log and its signed checkpoints, which
 * still verify afterwards.
 */
const run = promisify(execFile);
const key = checkpointKeyFromEnv();

async function everythingVerifies(db: Executor, classIds: string[]) {
  const audit = await verifyAuditLog(db, { trustedKeys: [trustedKeyOfCheckpointKey(key)] });
  expect(audit.breaks).toEqual([]);
  expect(audit.entries).toBeGreaterThan(20);
  expect(audit.checkpoints.trusted).toBeGreaterThan(0);
  expect(audit.unanchored).toBe(0);
  for (const id of classIds) {
    const r = await verifyArchiveByRef(db, id);
    expect(r.outcome === 'verified' && r.result.ok && r.result.anchoredBy !== null).toBe(true);
  }
  return audit.entries;
}

describe('backup and restore', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('PGlite: a copy of the stopped data directory', { timeout: 600_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zx-backup-'));
    dirs.push(dir);
    const data = join(dir, 'data');
    const h = await openDatabase({ dataDir: data });
    await migrateToLatest(h.db);
    await loadRegions(h.db);
    const fixture = await buildTamperFixture(h.db, key);
    const before = await everythingVerifies(h.db, fixture.classIds);
    await h.close();
    cpSync(data, join(dir, 'restored'), { recursive: true });
    const r = await openDatabase({ dataDir: join(dir, 'restored') });
    try {
      expect(await everythingVerifies(r.db, fixture.classIds)).toBe(before);
    } finally {
      await r.close();
    }
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'PostgreSQL: pg_dump -Fc, then pg_restore into a new database',
    { timeout: 600_000 },
    async () => {
      const t = await createTestDatabase('postgresql');
      const dir = mkdtempSync(join(tmpdir(), 'zx-backup-pg-'));
      dirs.push(dir);
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      const target = `zx_restore_${Date.now().toString(36)}`;
      try {
        await loadRegions(t.db);
        const fixture = await buildTamperFixture(t.db, key);
        const before = await everythingVerifies(t.db, fixture.classIds);
        const source = t.pool.options.connectionString as string;
        const file = join(dir, 'zhenxun.dump');
        await run('pg_dump', ['-Fc', '--no-owner', '-f', file, source]);
        await admin.connect();
        await admin.query(`create database ${target}`);
        const url = new URL(process.env.TEST_DATABASE_URL as string);
        url.pathname = `/${target}`;
        await run('pg_restore', ['--no-owner', '--exit-on-error', '-d', url.toString(), file]);
        const r = await openDatabase({ url: url.toString(), poolSize: 2 });
        try {
          expect(await everythingVerifies(r.db, fixture.classIds)).toBe(before);
        } finally {
          await r.close();
        }
      } finally {
        await t.close();
        await admin.query(`drop database if exists ${target}`).catch(() => {});
        await admin.end().catch(() => {});
      }
    },
  );
});
