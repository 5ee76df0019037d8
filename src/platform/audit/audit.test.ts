import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDatabaseModes } from '../../test-support/db.js';
import { migrateToLatest, openDatabase } from '../db/database.js';
import { recordAudit, verifyAuditChain } from './audit.js';

async function appendEntries(t: TestDatabase, n: number) {
  for (let i = 0; i < n; i++) {
    await t.db.transaction().execute((trx) =>
      recordAudit(trx, {
        actor: 'system:test',
        action: 'thing.change',
        entityType: 'thing',
        entityId: `t${i}`,
        before: { v: i },
        after: { v: i + 1 },
      }),
    );
  }
}

/** Simulates a DBA who bypasses the append-only trigger: only the hash chain can still tell. */
async function tamper(t: TestDatabase, statement: ReturnType<typeof sql>) {
  await t.db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger audit_log_no_update_delete`.execute(trx);
    await statement.execute(trx);
    await sql`alter table audit_log enable trigger audit_log_no_update_delete`.execute(trx);
  });
}

describe.each(testDatabaseModes)('audit chain on %s', (mode) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(mode);
  });
  afterAll(() => t?.close());

  it('verifies an untouched chain and links each entry to the previous one', async () => {
    await appendEntries(t, 5);
    const result = await verifyAuditChain(t.db, 2);
    expect(result).toEqual({ ok: true, entries: 5 });
  });

  it('refuses UPDATE and DELETE through the append-only trigger', async () => {
    await expect(sql`update audit_log set action = 'x'`.execute(t.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it('names the first edited entry', async () => {
    const third = await t.db
      .selectFrom('auditLog')
      .select(sql<string>`seq::text`.as('seq'))
      .orderBy(sql`audit_log.seq`)
      .offset(2)
      .limit(1)
      .executeTakeFirstOrThrow();
    await tamper(
      t,
      sql`update audit_log set entity_id = 'forged' where seq = ${third.seq}::bigint`,
    );
    const result = await verifyAuditChain(t.db);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({
      seq: third.seq,
      reason: 'hash_mismatch',
      entityId: 'forged',
    });
  });

  it('names the entry after a deleted one', async () => {
    const t2 = await createTestDatabase(mode);
    try {
      await appendEntries(t2, 4);
      const rows = await t2.db
        .selectFrom('auditLog')
        .select(sql<string>`seq::text`.as('seq'))
        .orderBy(sql`audit_log.seq`)
        .execute();
      await tamper(t2, sql`delete from audit_log where seq = ${rows[1].seq}::bigint`);
      const result = await verifyAuditChain(t2.db);
      expect(result.ok).toBe(false);
      expect(result.firstBroken).toMatchObject({ seq: rows[2].seq, reason: 'link_broken' });
    } finally {
      await t2.close();
    }
  });

  it('refuses to record outside a transaction', async () => {
    await expect(
      recordAudit(t.db, { actor: 'system:test', action: 'x', entityType: 'y' }),
    ).rejects.toThrow(/inside the mutation transaction/);
  });
});

describe('zhenxun audit verify (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zx-audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on an intact log and 1 naming the first broken entry after tampering', async () => {
    const h = await openDatabase({ dataDir: dir });
    await migrateToLatest(h.db);
    await appendEntries(h as TestDatabase, 3);
    await h.close();
    const run = promisify(execFile);
    const env = { ...process.env, DATA_DIR: dir, ZHENXUN_FROM_SOURCE: '1' };
    const ok = await run('node', ['bin/zhenxun.js', 'audit', 'verify'], { env });
    expect(ok.stdout).toMatch(/intact: 3 entries/);

    const h2 = await openDatabase({ dataDir: dir });
    await tamper(
      h2 as TestDatabase,
      sql`update audit_log set summary = 'rewritten' where seq = (select min(seq) + 1 from audit_log)`,
    );
    const second = await h2.db
      .selectFrom('auditLog')
      .select(sql<string>`seq::text`.as('seq'))
      .orderBy(sql`audit_log.seq`)
      .offset(1)
      .limit(1)
      .executeTakeFirstOrThrow();
    await h2.close();
    const broken = await run('node', ['bin/zhenxun.js', 'audit', 'verify'], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((broken as { code: number }).code).toBe(1);
    expect((broken as { stderr: string }).stderr).toContain(`BROKEN at seq ${second.seq}`);
  });
});
