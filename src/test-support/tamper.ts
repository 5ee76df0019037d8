import { sql, type Transaction } from 'kysely';
import { entryHash, GENESIS_HASH } from '../platform/audit/audit.js';
import type { Executor } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';

/**
 * What an administrator of the database can do that the application never does: switch off the
 * append-only triggers and rewrite anything. `fn` runs in one transaction with the triggers off.
 */
export async function asDatabaseAdmin<T>(
  db: Executor,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const run = async (trx: Transaction<Database>) => {
    await sql`alter table audit_log disable trigger user`.execute(trx);
    await sql`alter table audit_checkpoint disable trigger user`.execute(trx);
    const out = await fn(trx);
    await sql`alter table audit_log enable trigger user`.execute(trx);
    await sql`alter table audit_checkpoint enable trigger user`.execute(trx);
    return out;
  };
  if (db.isTransaction) return run(db as Transaction<Database>);
  return db.transaction().execute(run);
}

export interface StoredEntry {
  seq: string;
  at: Date;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  regionCode: string | null;
  beforeDigest: string | null;
  afterDigest: string | null;
  summary: string | null;
  prevHash: string;
  hash: string;
}

export function storedEntries(db: Executor): Promise<StoredEntry[]> {
  return db
    .selectFrom('auditLog')
    .select([
      sql<string>`seq::text`.as('seq'),
      'at',
      'actor',
      'action',
      'entityType',
      'entityId',
      'regionCode',
      'beforeDigest',
      'afterDigest',
      'summary',
      'prevHash',
      'hash',
    ])
    .orderBy(sql`audit_log.seq`)
    .execute();
}

/**
 * The forger's last step: recompute every link and hash of the chain (as the application would have
 * written them), so the log is self-consistent again. Only a signed checkpoint can still tell.
 */
export async function rehashChain(trx: Transaction<Database>): Promise<number> {
  let prev = GENESIS_HASH;
  let changed = 0;
  for (const e of await storedEntries(trx)) {
    const hash = entryHash({
      at: new Date(e.at).toISOString(),
      actor: e.actor,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      regionCode: e.regionCode,
      beforeDigest: e.beforeDigest,
      afterDigest: e.afterDigest,
      summary: e.summary,
      prevHash: prev,
    });
    if (hash !== e.hash || prev !== e.prevHash) {
      await sql`update audit_log set prev_hash = ${prev}, hash = ${hash} where seq = ${e.seq}::bigint`.execute(
        trx,
      );
      changed++;
    }
    prev = hash;
  }
  return changed;
}
