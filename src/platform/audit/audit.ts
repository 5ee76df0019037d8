import { sql } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { Executor } from '../db/database.js';
import { canonicalJson, digestOf, sha256Hex } from './canonical.js';
import { allCheckpoints, type Checkpoint, checkSignature } from './checkpoint.js';
import type { TrustedKey } from './checkpoint-key.js';

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

type EntryRow = HashedFields & { seq: string; hash: string };

/** The log's rows in seq order from `after` (exclusive), up to `until` (inclusive) when given, a page at a time. */
async function* entries(
  db: Executor,
  pageSize: number,
  after = '0',
  until?: string,
): AsyncGenerator<EntryRow> {
  for (;;) {
    let q = db
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
      .where(sql<boolean>`audit_log.seq > ${after}::bigint`);
    if (until !== undefined) q = q.where(sql<boolean>`audit_log.seq <= ${until}::bigint`);
    // Order by the bigint column, not the text alias selected above.
    const rows = await q.orderBy(sql`audit_log.seq`).limit(pageSize).execute();
    if (rows.length === 0) return;
    for (const r of rows) yield { ...r, at: new Date(r.at).toISOString() };
    after = rows[rows.length - 1].seq;
  }
}

function recompute(r: EntryRow): string {
  return entryHash({
    at: r.at,
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
}

const bigintOrder = (a: string, b: string) => {
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

export interface EntryRef {
  seq: string;
  action: string;
  entityType: string;
  entityId: string | null;
}

/** One thing found wrong. The verifier goes on past each one, so every break is listed. */
export type AuditBreak =
  /** The entry's fields no longer give its stored hash: it was edited in place. */
  | ({ kind: 'hash_mismatch' } & EntryRef)
  /** The entry does not link to the stored hash of the entry before it: entries before it were deleted, inserted or re-hashed, or its link was edited. */
  | ({ kind: 'link_broken'; expectedPrevHash: string } & EntryRef)
  /** The entry a signed checkpoint attests has another chain hash now: the history up to it was rewritten and re-hashed. */
  | ({ kind: 'checkpoint_mismatch'; checkpointAt: string; checkpointHash: string } & EntryRef)
  /** A signed checkpoint attests an entry that is no longer in the log (deleted). */
  | { kind: 'checkpoint_entry_missing'; seq: string; checkpointAt: string }
  /** The log ends before a signed checkpoint: its tail (or all of it) was deleted or truncated. */
  | {
      kind: 'truncated';
      lastSeq: string | null;
      checkpointSeq: string;
      checkpointAt: string;
      checkpointsBeyond: number;
    }
  /** A checkpoint claims a trusted key but its signature does not verify: forged or altered. */
  | {
      kind: 'checkpoint_bad_signature';
      seq: string;
      checkpointAt: string;
      source: CheckpointSource;
    }
  /** Two validly signed checkpoints disagree on one entry's hash (the signing key was misused). */
  | { kind: 'checkpoint_conflict'; seq: string; hashes: string[] }
  /** A validly signed checkpoint from the witness file is gone from the database's checkpoints. */
  | { kind: 'checkpoint_deleted'; seq: string; checkpointAt: string };

export type CheckpointSource = 'database' | 'file';

export interface AuditVerifyResult {
  ok: boolean;
  entries: number;
  firstSeq: string | null;
  lastSeq: string | null;
  breaks: AuditBreak[];
  checkpoints: {
    database: number;
    file: number;
    /** Checkpoints with a valid signature by a trusted key: the ones the log is checked against. */
    trusted: number;
    /** Checkpoints signed by a key the verifier was not given: ignored (listed in `warnings`). */
    untrusted: number;
    latest: { seq: string; at: string } | null;
  };
  /** Entries after the latest trusted checkpoint: not yet attested, so their loss would go unseen. */
  unanchored: number;
  warnings: string[];
}

export interface VerifyOptions {
  /** Checkpoints from a witness's file (parseCheckpointsFile), besides those in the database. */
  fileCheckpoints?: Checkpoint[];
  /** Public keys whose signatures count: the configured key's, and those of the witness file. */
  trustedKeys?: TrustedKey[];
  pageSize?: number;
}

/**
 * Recomputes the whole chain in seq order (streaming, so it works on large logs) and checks it
 * against every trusted checkpoint it knows, from the database and from a witness's file. Reports
 * every break, not only the first: an edit, a deleted or inserted entry, a re-hashed history, a
 * deleted tail, a truncation, a forged or deleted checkpoint.
 */
export async function verifyAuditLog(
  db: Executor,
  opts: VerifyOptions = {},
): Promise<AuditVerifyResult> {
  const pageSize = opts.pageSize ?? 5000;
  const trusted = new Map((opts.trustedKeys ?? []).map((k) => [k.keyId, k]));
  const fromDb = await allCheckpoints(db);
  const fromFile = opts.fileCheckpoints ?? [];
  const breaks: AuditBreak[] = [];
  const warnings: string[] = [];

  // Keep the checkpoints whose signatures verify; one per (seq, hash).
  const anchors = new Map<string, { seq: string; headHash: string; at: string }>();
  const bySeq = new Map<string, Set<string>>();
  let untrusted = 0;
  const consider = (c: Checkpoint, source: CheckpointSource) => {
    const check = checkSignature(c, trusted);
    if (check === 'untrusted_key') {
      untrusted++;
      warnings.push(
        `checkpoint seq ${c.seq} (${c.at}, ${source}) is signed by key ${c.keyId}, which this verifier was not given: ignored`,
      );
      return false;
    }
    if (check === 'bad_signature') {
      breaks.push({ kind: 'checkpoint_bad_signature', seq: c.seq, checkpointAt: c.at, source });
      return false;
    }
    const key = `${c.seq}\u0000${c.headHash}`;
    if (!anchors.has(key)) anchors.set(key, { seq: c.seq, headHash: c.headHash, at: c.at });
    const hashes = bySeq.get(c.seq) ?? new Set<string>();
    hashes.add(c.headHash);
    bySeq.set(c.seq, hashes);
    return true;
  };
  for (const c of fromDb) consider(c, 'database');
  const inDb = new Set(fromDb.map((c) => `${c.seq}\u0000${c.headHash}\u0000${c.signature}`));
  for (const c of fromFile) {
    if (consider(c, 'file') && !inDb.has(`${c.seq}\u0000${c.headHash}\u0000${c.signature}`))
      breaks.push({ kind: 'checkpoint_deleted', seq: c.seq, checkpointAt: c.at });
  }
  for (const [seq, hashes] of bySeq)
    if (hashes.size > 1) breaks.push({ kind: 'checkpoint_conflict', seq, hashes: [...hashes] });

  // Per seq, the latest-signed claim (the conflict, if any, is reported above).
  const points = [...anchors.values()].sort((a, b) => bigintOrder(a.seq, b.seq));
  const latest = points.at(-1) ?? null;

  let prev = GENESIS_HASH;
  let count = 0;
  let firstSeq: string | null = null;
  let lastSeq: string | null = null;
  let unanchored = 0;
  let next = 0; // the first checkpoint not yet reached
  for await (const r of entries(db, pageSize)) {
    count++;
    firstSeq ??= r.seq;
    lastSeq = r.seq;
    const ref: EntryRef = {
      seq: r.seq,
      action: r.action,
      entityType: r.entityType,
      entityId: r.entityId,
    };
    if (r.prevHash !== prev) breaks.push({ kind: 'link_broken', expectedPrevHash: prev, ...ref });
    if (recompute(r) !== r.hash) breaks.push({ kind: 'hash_mismatch', ...ref });
    while (next < points.length && bigintOrder(points[next].seq, r.seq) < 0) {
      const p = points[next++];
      breaks.push({ kind: 'checkpoint_entry_missing', seq: p.seq, checkpointAt: p.at });
    }
    while (next < points.length && points[next].seq === r.seq) {
      const p = points[next++];
      if (r.hash !== p.headHash)
        breaks.push({
          kind: 'checkpoint_mismatch',
          checkpointAt: p.at,
          checkpointHash: p.headHash,
          ...ref,
        });
    }
    if (latest && bigintOrder(r.seq, latest.seq) > 0) unanchored++;
    if (!latest) unanchored++;
    // Link the next entry to this one's stored hash, so one edited entry is one break, not all after it.
    prev = r.hash;
  }
  if (next < points.length) {
    const last = points[points.length - 1];
    breaks.push({
      kind: 'truncated',
      lastSeq,
      checkpointSeq: last.seq,
      checkpointAt: last.at,
      checkpointsBeyond: points.length - next,
    });
  }
  return {
    ok: breaks.length === 0,
    entries: count,
    firstSeq,
    lastSeq,
    breaks,
    checkpoints: {
      database: fromDb.length,
      file: fromFile.length,
      trusted: points.length,
      untrusted,
      latest: latest ? { seq: latest.seq, at: latest.at } : null,
    },
    unanchored,
    warnings,
  };
}

/** One line per break, for the CLI and the logs. */
export function describeBreak(b: AuditBreak): string {
  const entry = (r: EntryRef) => `${r.action} ${r.entityType}${r.entityId ? ` ${r.entityId}` : ''}`;
  switch (b.kind) {
    case 'hash_mismatch':
      return `seq ${b.seq}: hash_mismatch — the entry was edited (${entry(b)})`;
    case 'link_broken':
      return `seq ${b.seq}: link_broken — does not follow the entry before it (deleted, inserted or re-hashed entries before it) (${entry(b)})`;
    case 'checkpoint_mismatch':
      return `seq ${b.seq}: checkpoint_mismatch — the checkpoint signed at ${b.checkpointAt} attests hash ${b.checkpointHash.slice(0, 16)}…, the log now has another: history up to here was rewritten (${entry(b)})`;
    case 'checkpoint_entry_missing':
      return `seq ${b.seq}: checkpoint_entry_missing — attested by the checkpoint signed at ${b.checkpointAt}, gone from the log`;
    case 'truncated':
      return `truncated — the log ends at ${b.lastSeq === null ? 'nothing (empty)' : `seq ${b.lastSeq}`}, but the checkpoint signed at ${b.checkpointAt} attests seq ${b.checkpointSeq} (${b.checkpointsBeyond} checkpoint(s) beyond the end)`;
    case 'checkpoint_bad_signature':
      return `checkpoint seq ${b.seq} (${b.checkpointAt}, ${b.source}): checkpoint_bad_signature — forged or altered`;
    case 'checkpoint_conflict':
      return `checkpoint seq ${b.seq}: checkpoint_conflict — validly signed checkpoints disagree (${b.hashes.map((h) => h.slice(0, 16)).join(' vs ')})`;
    case 'checkpoint_deleted':
      return `checkpoint seq ${b.seq} (${b.checkpointAt}): checkpoint_deleted — in the witness file, gone from the database`;
  }
}

/** Whether one entry (a seal) is covered by a trusted checkpoint through an intact chain. */
export type AnchorResult =
  | { status: 'anchored'; checkpoint: { seq: string; at: string } }
  | { status: 'not_checkpointed' }
  | { status: 'broken'; seq: string; reason: string; checkpoint: { seq: string; at: string } };

/**
 * Walks the chain from the entry `seq` to the first trusted checkpoint at or after it: every link and
 * hash on the way must hold and the checkpointed entry must have the signed hash. Then the entry, as
 * it is, is part of the history the checkpoint signed — rewriting it with a recomputed chain shows.
 */
export async function anchorOfEntry(
  db: Executor,
  seq: string,
  trustedKeys: TrustedKey[],
): Promise<AnchorResult> {
  const trusted = new Map(trustedKeys.map((k) => [k.keyId, k]));
  const cps = (await allCheckpoints(db))
    .filter((c) => bigintOrder(c.seq, seq) >= 0 && checkSignature(c, trusted) === 'valid')
    .sort((a, b) => bigintOrder(a.seq, b.seq));
  const cp = cps[0];
  if (!cp) return { status: 'not_checkpointed' };
  const at = { seq: cp.seq, at: cp.at };
  let prev: string | null = null;
  let reached = false;
  for await (const r of entries(db, 5000, (BigInt(seq) - 1n).toString(), cp.seq)) {
    if (prev === null && r.seq !== seq)
      return { status: 'broken', seq, reason: 'entry_missing', checkpoint: at };
    if (prev !== null && r.prevHash !== prev)
      return { status: 'broken', seq: r.seq, reason: 'link_broken', checkpoint: at };
    if (recompute(r) !== r.hash)
      return { status: 'broken', seq: r.seq, reason: 'hash_mismatch', checkpoint: at };
    prev = r.hash;
    if (r.seq === cp.seq) {
      reached = true;
      if (r.hash !== cp.headHash)
        return { status: 'broken', seq: r.seq, reason: 'checkpoint_mismatch', checkpoint: at };
    }
  }
  if (!reached)
    return { status: 'broken', seq: cp.seq, reason: 'checkpoint_entry_missing', checkpoint: at };
  return { status: 'anchored', checkpoint: at };
}
