import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test-support/app.js';
import { createTestDatabase, type TestDatabase, testDatabaseModes } from '../../test-support/db.js';
import { asDatabaseAdmin, rehashChain, storedEntries } from '../../test-support/tamper.js';
import { type Executor, migrateToLatest, openDatabase } from '../db/database.js';
import type { Database } from '../db/schema.js';
import type { App } from '../http/routing.js';
import { anchorOfEntry, recordAudit, verifyAuditLog } from './audit.js';
import { canonicalJson, digestOf, findIllFormedString } from './canonical.js';
import {
  checkpointMessage,
  parseCheckpointsFile,
  signCheckpoint,
  startCheckpointer,
  writeCheckpoint,
} from './checkpoint.js';
import {
  defaultCheckpointKey,
  generateCheckpointKey,
  trustedKeyOf,
  trustedKeyOfCheckpointKey,
  verifyBytes,
} from './checkpoint-key.js';

const key = generateCheckpointKey().key;
const trustedKeys = [trustedKeyOfCheckpointKey(key)];

async function appendEntries(db: Executor, n: number, from = 0) {
  for (let i = from; i < from + n; i++) {
    const write = (trx: Executor) =>
      recordAudit(trx, {
        actor: 'system:test',
        action: 'thing.change',
        entityType: 'thing',
        entityId: `t${i}`,
        before: { v: i },
        after: { v: i + 1 },
        summary: `change ${i}`,
      });
    await (db.isTransaction ? write(db) : db.transaction().execute(write));
  }
}

/**
 * Runs `fn` on an empty log in a transaction that is rolled back: each test starts clean without
 * paying for a new database (PGlite takes seconds to migrate).
 */
async function clean(db: Executor, fn: (trx: Transaction<Database>) => Promise<void>) {
  const rollback = new Error('rollback');
  await db
    .transaction()
    .execute(async (trx) => {
      await asDatabaseAdmin(trx, async (a) => {
        await sql`truncate audit_log, audit_checkpoint, audit_checkpoint_key`.execute(a);
      });
      await fn(trx);
      throw rollback;
    })
    .catch((err) => {
      if (err !== rollback) throw err;
    });
}

/** One attack on its own, inside `clean`: a savepoint rolled back after verifying. */
async function attempt(
  trx: Transaction<Database>,
  tamper: (trx: Transaction<Database>) => Promise<unknown>,
) {
  await sql`savepoint attack`.execute(trx);
  await asDatabaseAdmin(trx, tamper);
  const result = await verifyAuditLog(trx, { trustedKeys });
  await sql`rollback to savepoint attack`.execute(trx);
  return result;
}

const kinds = (r: { breaks: { kind: string }[] }) => r.breaks.map((b) => b.kind);

describe('canonical values', () => {
  it('hashes a lone surrogate as the U+FFFD the database stores, and finds where it is', () => {
    expect(canonicalJson({ t: '\ud800x' })).toBe(canonicalJson({ t: '\ufffdx' }));
    expect(digestOf('a\udc00')).toBe(digestOf('a\ufffd'));
    // A proper pair is one character and stays as it is.
    expect(canonicalJson('😀')).toBe('"😀"');
    expect(findIllFormedString({ a: [{ b: 'ok' }, { c: 'x\ud800' }] })).toEqual(['a', '1', 'c']);
    expect(findIllFormedString({ a: ['😀', '安全'] })).toBeNull();
  });
});

describe.each(testDatabaseModes)('audit chain and checkpoints on %s', (mode) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(mode);
  });
  afterAll(() => t?.close());

  it('verifies an untouched chain and refuses UPDATE, DELETE and TRUNCATE', async () => {
    await appendEntries(t.db, 5);
    const result = await verifyAuditLog(t.db, { trustedKeys, pageSize: 2 });
    expect(result).toMatchObject({ ok: true, entries: 5, breaks: [], unanchored: 5 });
    await expect(sql`update audit_log set action = 'x'`.execute(t.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
    await writeCheckpoint(t.db, key);
    await expect(sql`truncate audit_checkpoint`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_checkpoint`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it('goes on past the first break and lists every edited and deleted entry', () =>
    clean(t.db, async (trx) => {
      await appendEntries(trx, 8);
      const e = await storedEntries(trx);
      const r = await attempt(trx, async (a) => {
        await sql`update audit_log set entity_id = 'forged' where seq = ${e[1].seq}::bigint`.execute(
          a,
        );
        await sql`delete from audit_log where seq = ${e[4].seq}::bigint`.execute(a);
        await sql`update audit_log set summary = 'rewritten' where seq = ${e[6].seq}::bigint`.execute(
          a,
        );
      });
      expect(r.ok).toBe(false);
      expect(r.breaks).toEqual([
        expect.objectContaining({ kind: 'hash_mismatch', seq: e[1].seq, entityId: 'forged' }),
        expect.objectContaining({ kind: 'link_broken', seq: e[5].seq }),
        expect.objectContaining({ kind: 'hash_mismatch', seq: e[6].seq }),
      ]);
      // Paging does not change what is found.
      expect((await verifyAuditLog(trx, { trustedKeys, pageSize: 3 })).ok).toBe(true);
    }));

  it('signs the head, and catches against it a deleted tail, a truncation and a re-hashed history', () =>
    clean(t.db, async (trx) => {
      await appendEntries(trx, 6);
      const written = await writeCheckpoint(trx, key, new Date('2026-11-01T00:00:00Z'));
      const e = await storedEntries(trx);
      expect(written?.checkpoint).toMatchObject({ seq: e[5].seq, headHash: e[5].hash });
      // Nothing new since: the same checkpoint, not another one.
      expect((await writeCheckpoint(trx, key))?.created).toBe(false);
      expect(
        verifyBytes(
          trustedKeys[0],
          checkpointMessage(written!.checkpoint),
          written!.checkpoint.signature,
        ),
      ).toBe(true);
      await appendEntries(trx, 2, 6);
      expect(await verifyAuditLog(trx, { trustedKeys })).toMatchObject({ ok: true, unanchored: 2 });

      // The last checkpointed entries deleted, with the entries after them: the log ends early.
      const tail = await attempt(trx, (a) =>
        sql`delete from audit_log where seq >= ${e[3].seq}::bigint`.execute(a),
      );
      expect(tail.breaks).toEqual([
        expect.objectContaining({ kind: 'truncated', lastSeq: e[2].seq, checkpointSeq: e[5].seq }),
      ]);
      expect(kinds(await attempt(trx, (a) => sql`truncate audit_log`.execute(a)))).toEqual([
        'truncated',
      ]);
      // An edit, then the whole chain recomputed: every link holds; the signed head does not.
      const rehashed = await attempt(trx, async (a) => {
        await sql`update audit_log set entity_id = 'forged' where seq = ${e[2].seq}::bigint`.execute(
          a,
        );
        expect(await rehashChain(a)).toBeGreaterThan(0);
      });
      expect(rehashed.breaks).toEqual([
        expect.objectContaining({ kind: 'checkpoint_mismatch', seq: e[5].seq }),
      ]);
      // The checkpointed entry itself deleted and the chain recomputed.
      expect(
        kinds(
          await attempt(trx, async (a) => {
            await sql`delete from audit_log where seq = ${e[5].seq}::bigint`.execute(a);
            await rehashChain(a);
          }),
        ),
      ).toEqual(['checkpoint_entry_missing']);
      // Without the checkpoint none of these would show: the same re-hash verifies "intact".
      const blind = await attempt(trx, async (a) => {
        await sql`update audit_log set entity_id = 'forged' where seq = ${e[2].seq}::bigint`.execute(
          a,
        );
        await rehashChain(a);
        await sql`delete from audit_checkpoint`.execute(a);
      });
      expect(blind.ok).toBe(true);
    }));

  it('refuses forged checkpoints and ignores those of keys it was not given', () =>
    clean(t.db, async (trx) => {
      await appendEntries(trx, 3);
      await writeCheckpoint(trx, key);
      const e = await storedEntries(trx);
      const other = generateCheckpointKey().key;
      const forged = signCheckpoint(other, {
        seq: e[1].seq,
        headHash: 'f'.repeat(64),
        at: new Date().toISOString(),
      });
      // A checkpoint claiming the real key but not signed by it, and one signed by a stranger's key.
      await trx
        .insertInto('auditCheckpoint')
        .values({ ...forged, keyId: key.keyId, at: new Date(forged.at) })
        .execute();
      await trx
        .insertInto('auditCheckpoint')
        .values({ ...forged, at: new Date(forged.at) })
        .execute();
      const r = await verifyAuditLog(trx, { trustedKeys });
      expect(kinds(r)).toEqual(['checkpoint_bad_signature']);
      expect(r.checkpoints).toMatchObject({ database: 3, trusted: 1, untrusted: 1 });
      expect(r.warnings[0]).toMatch(/not given: ignored/);
    }));

  it('anchors one entry (a seal) to the next checkpoint through an intact chain', () =>
    clean(t.db, async (trx) => {
      await appendEntries(trx, 5);
      const e = await storedEntries(trx);
      expect(await anchorOfEntry(trx, e[1].seq, trustedKeys)).toEqual({
        status: 'not_checkpointed',
      });
      await writeCheckpoint(trx, key);
      expect(await anchorOfEntry(trx, e[1].seq, trustedKeys)).toMatchObject({
        status: 'anchored',
        checkpoint: { seq: e[4].seq },
      });
      await asDatabaseAdmin(trx, async (a) => {
        await sql`update audit_log set summary = 'rewritten' where seq = ${e[1].seq}::bigint`.execute(
          a,
        );
        await rehashChain(a);
      });
      expect(await anchorOfEntry(trx, e[1].seq, trustedKeys)).toMatchObject({
        status: 'broken',
        reason: 'checkpoint_mismatch',
      });
    }));

  it('checkpoints on an interval and once more when stopped', () =>
    clean(t.db, async (trx) => {
      const errors: unknown[] = [];
      const c = startCheckpointer(trx, key, { intervalMs: 60_000, onError: (e) => errors.push(e) });
      await c.tick();
      expect(await trx.selectFrom('auditCheckpoint').selectAll().execute()).toHaveLength(0);
      await appendEntries(trx, 2);
      await c.stop();
      expect(await trx.selectFrom('auditCheckpoint').selectAll().execute()).toHaveLength(1);
      expect(errors).toEqual([]);
    }));

  // Committed, because the published page is read through the app's own connection.
  it('catches, with a witness’s copy, a truncation that also deleted every checkpoint', async () => {
    await appendEntries(t.db, 4);
    await writeCheckpoint(t.db, key);
    const app: App = await buildTestApp(t);
    const page = await app.inject({ method: 'GET', url: '/api/public/audit/checkpoints' });
    await app.close();
    expect(page.statusCode).toBe(200);
    const witness = parseCheckpointsFile(page.body);
    expect(witness.checkpoints.length).toBeGreaterThan(0);
    await asDatabaseAdmin(t.db, async (trx) => {
      await sql`truncate audit_log`.execute(trx);
      await sql`truncate audit_checkpoint`.execute(trx);
    });
    // The database alone now looks like a fresh install…
    expect(await verifyAuditLog(t.db, { trustedKeys })).toMatchObject({ ok: true, entries: 0 });
    // …the witness's copy (keys from the copy itself) does not.
    const r = await verifyAuditLog(t.db, {
      fileCheckpoints: witness.checkpoints,
      trustedKeys: witness.keys,
    });
    expect(kinds(r).sort()).toEqual([
      ...witness.checkpoints.map(() => 'checkpoint_deleted'),
      'truncated',
    ]);
  });

  it('refuses to record outside a transaction', async () => {
    await expect(
      recordAudit(t.db, { actor: 'system:test', action: 'x', entityType: 'y' }),
    ).rejects.toThrow(/inside the mutation transaction/);
  });
});

describe.each(testDatabaseModes)('lone surrogates never reach the chain, on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  beforeAll(async () => {
    t = await createTestDatabase(mode);
    app = await buildTestApp(t);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('answers 400 in the contract’s shape, naming the field, on every JSON route', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [url, payload, path] of [
      [
        `/api/classes/${id}/documents`,
        '{"part":"summary","title":"\\ud800x","content":"c"}',
        'body.title',
      ],
      ['/api/exams/patrol', '{"sessionId":"x","note":"巡考\\udc00"}', 'body.note'],
      ['/api/auth/login', '{"username":"a","password":"b","x":{"\\ud83dk":1}}', 'body.x.\ufffdk'],
    ] as const) {
      const res = await app.inject({
        method: 'POST',
        url,
        payload,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual({
        error: {
          code: 'validation_failed',
          message: expect.any(String),
          details: [expect.objectContaining({ path, code: 'invalid_unicode' })],
        },
      });
    }
    // A proper pair is a character like any other, and malformed JSON is still Fastify's 400.
    const pair = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: '{"username":"\\ud83d\\ude00","password":"b"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(pair.statusCode).toBe(401);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: '{"username":',
          headers: { 'content-type': 'application/json' },
        })
      ).json().error.code,
    ).toBe('bad_request');
    expect(await t.db.selectFrom('auditLog').select('seq').execute()).toEqual([]);
  });
});

describe('GET /api/public/audit/checkpoints', () => {
  let t: TestDatabase;
  let app: App;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    app = await buildTestApp(t);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('publishes every checkpoint, oldest first, with the keys; full pages are cacheable for good', async () => {
    for (let i = 0; i < 5; i++) {
      await appendEntries(t.db, 1, i);
      await writeCheckpoint(t.db, key, new Date(Date.UTC(2026, 10, 1, 0, i)));
    }
    const first = await app.inject({
      method: 'GET',
      url: '/api/public/audit/checkpoints?pageSize=2',
    });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('public, max-age=86400, immutable');
    const body = first.json();
    expect(body).toMatchObject({
      format: 'zhenxun-audit-checkpoints/1',
      total: 5,
      page: 1,
      pageSize: 2,
    });
    expect(body.keys).toEqual([
      { keyId: key.keyId, publicKey: key.publicKey, firstUsedAt: expect.any(String) },
    ]);
    expect(body.items.map((c: { at: string }) => c.at)).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-11-01T00:01:00.000Z',
    ]);
    // Anyone holding the published key can check each one.
    const published = trustedKeyOf(body.keys[0].publicKey);
    for (const c of [...body.items, body.latest])
      expect(verifyBytes(published, checkpointMessage(c), c.signature)).toBe(true);
    const last = await app.inject({
      method: 'GET',
      url: '/api/public/audit/checkpoints?page=3&pageSize=2',
    });
    expect(last.headers['cache-control']).toBe('public, max-age=30');
    expect(last.json().items).toHaveLength(1);
  });
});

/** `zhenxun audit verify` as a subprocess, on an on-disk PGlite (closed while the CLI runs). */
describe('zhenxun audit verify (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zx-audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = promisify(execFile);
  const { DATABASE_URL: _u, AUDIT_CHECKPOINT_KEY: _k, ...base } = process.env;
  const env = { ...base, DATA_DIR: dir, ZHENXUN_FROM_SOURCE: '1' };
  const cli = (...args: string[]) =>
    run('node', ['bin/zhenxun.js', 'audit', ...args], { env }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        out: e.stdout,
        err: e.stderr,
      }),
    );

  it('exits 0 on an intact log; 1 listing every break, against the database and a witness file', {
    timeout: 300_000,
  }, async () => {
    const h = await openDatabase({ dataDir: dir });
    await migrateToLatest(h.db);
    await appendEntries(h.db, 4);
    await h.close();
    expect((await cli('checkpoint')).out).toMatch(/checkpoint signed: seq \d+/);
    const ok = await cli('verify');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/intact: 4 entries, checked against 1 signed checkpoint/);

    // The witness saved the published page; then a DBA truncates the log and the checkpoints.
    const h2 = await openDatabase({ dataDir: dir });
    const app = await buildTestApp(h2);
    const page = (await app.inject({ method: 'GET', url: '/api/public/audit/checkpoints' })).body;
    await app.close();
    const file = join(dir, 'witness.json');
    writeFileSync(file, page);
    const e = await storedEntries(h2.db);
    await asDatabaseAdmin(h2.db, async (trx) => {
      await sql`update audit_log set summary = 'rewritten' where seq = ${e[1].seq}::bigint`.execute(
        trx,
      );
      await sql`update audit_log set summary = 'rewritten' where seq = ${e[2].seq}::bigint`.execute(
        trx,
      );
    });
    await h2.close();
    const broken = await cli('verify');
    expect(broken.code).toBe(1);
    expect(broken.err).toContain(`seq ${e[1].seq}: hash_mismatch`);
    expect(broken.err).toContain(`seq ${e[2].seq}: hash_mismatch`);

    const h3 = await openDatabase({ dataDir: dir });
    await asDatabaseAdmin(h3.db, async (trx) => {
      await sql`truncate audit_log`.execute(trx);
      await sql`truncate audit_checkpoint`.execute(trx);
    });
    await h3.close();
    const caught = await cli('verify', '--checkpoints', file);
    expect(caught.code).toBe(1);
    expect(caught.err).toMatch(/truncated — the log ends at nothing \(empty\)/);
    expect(caught.err).toMatch(/checkpoint_deleted/);
  });

  it('does not trust checkpoints of the development key when another key is configured', () => {
    expect(defaultCheckpointKey().isDefault).toBe(true);
    expect(defaultCheckpointKey().keyId).not.toBe(key.keyId);
  });
});
