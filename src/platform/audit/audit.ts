import { sql } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { Executor } from '../db/database.js';
import { canonicalJson, digestOf, sha256Hex } from './canonical.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntryInput {
  actor: Actor | string;
  action: string;
  entityType: string;
  entityId?: string | null;
  regionCode?: string | null;
  before?: unknown;
  after?: unknown;
  summary?: string;
  requestId?: string;
  at?: Date;
}

interface HashedFields {
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  regionCode: string | null;
  beforeDigest: string | null;
  afterDigest: string | null;
  summary: string | null;
  prevHash: string;
}

export function entryHash(fields: HashedFields): string {
  return sha256Hex(canonicalJson(fields));
}

function actorLabel(actor: Actor | string): string {
  if (typeof actor === 'string') return actor;
  if (actor.tokenId) return `token:${actor.tokenId}`;
  return actor.userId ? `user:${actor.userId}` : 'anonymous';
}

/**
 * Appends one entry to the hash-chained audit log inside the caller's transaction.
 * The advisory lock serializes writers so each entry links to the one committed before it; it is
 * released at commit, so the chain costs one short critical section per mutating transaction.
 */
export async function recordAudit(trx: Executor, input: AuditEntryInput): Promise<void> {
  if (!trx.isTransaction) throw new Error('recordAudit must run inside the mutation transaction');
  await sql`select pg_advisory_xact_lock(hashtext('zhenxun.audit_log'))`.execute(trx);
  const last = await trx
    .selectFrom('auditLog')
    .select('hash')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const fields: HashedFields = {
    at: (input.at ?? new Date()).toISOString(),
    actor: actorLabel(input.actor),
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId ?? null,
    regionCode: input.regionCode ?? null,
    beforeDigest: digestOf(input.before),
    afterDigest: digestOf(input.after),
    summary: input.summary ?? null,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  await trx
    .insertInto('auditLog')
    .values({
      ...fields,
      at: new Date(fields.at),
      requestId: input.requestId ?? null,
      hash: entryHash(fields),
    })
    .execute();
}

export interface AuditVerifyResult {
  ok: boolean;
  entries: number;
  /** The first entry whose stored hash or link does not match what its fields give. */
  firstBroken?: {
    seq: string;
    reason: 'hash_mismatch' | 'link_broken';
    action: string;
    entityType: string;
    entityId: string | null;
  };
}

/** Recomputes the whole chain in seq order, streaming in pages so it works on large logs. */
export async function verifyAuditChain(db: Executor, pageSize = 5000): Promise<AuditVerifyResult> {
  let prev = GENESIS_HASH;
  let count = 0;
  let after = '0';
  for (;;) {
    const rows = await db
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
      .where(sql<boolean>`audit_log.seq > ${after}::bigint`)
      // Order by the bigint column, not the text alias selected above.
      .orderBy(sql`audit_log.seq`)
      .limit(pageSize)
      .execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      count++;
      const broken = (reason: 'hash_mismatch' | 'link_broken'): AuditVerifyResult => ({
        ok: false,
        entries: count,
        firstBroken: {
          seq: r.seq,
          reason,
          action: r.action,
          entityType: r.entityType,
          entityId: r.entityId,
        },
      });
      if (r.prevHash !== prev) return broken('link_broken');
      const recomputed = entryHash({
        at: new Date(r.at).toISOString(),
        actor: r.actor,
        action: r.action,
        entityType: r.entityType,
        entityId: r.entityId,
        regionCode: r.regionCode,
        beforeDigest: r.beforeDigest,
        afterDigest: r.afterDigest,
        summary: r.summary,
        prevHash: r.prevHash,
      });
      if (recomputed !== r.hash) return broken('hash_mismatch');
      prev = r.hash;
    }
    after = rows[rows.length - 1].seq;
  }
  return { ok: true, entries: count };
}
