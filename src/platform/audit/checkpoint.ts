import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import {
  type CheckpointKey,
  signBytes,
  type TrustedKey,
  trustedKeyOf,
  verifyBytes,
} from './checkpoint-key.js';

/** A signed statement that the audit log's entry `seq` had the chain hash `headHash` at `at`. */
export interface Checkpoint {
  seq: string;
  headHash: string;
  /** ISO 8601 UTC, milliseconds. */
  at: string;
  keyId: string;
  /** Ed25519 over checkpointMessage(), base64. */
  signature: string;
}

/**
 * The exact bytes that are signed (UTF-8), one field a line, so a verifier in any language can
 * rebuild them: `zhenxun-audit-checkpoint/1`, `seq=…`, `head=…`, `at=…`.
 */
export function checkpointMessage(c: { seq: string; headHash: string; at: string }): string {
  return `zhenxun-audit-checkpoint/1\nseq=${c.seq}\nhead=${c.headHash}\nat=${c.at}`;
}

export function signCheckpoint(
  key: CheckpointKey,
  c: { seq: string; headHash: string; at: string },
): Checkpoint {
  return { ...c, keyId: key.keyId, signature: signBytes(key, checkpointMessage(c)) };
}

export type SignatureCheck = 'valid' | 'bad_signature' | 'untrusted_key';

export function checkSignature(
  c: Checkpoint,
  trusted: ReadonlyMap<string, TrustedKey>,
): SignatureCheck {
  const key = trusted.get(c.keyId);
  if (!key) return 'untrusted_key';
  return verifyBytes(key, checkpointMessage(c), c.signature) ? 'valid' : 'bad_signature';
}

function rowToCheckpoint(r: {
  seq: string;
  headHash: string;
  at: Date;
  keyId: string;
  signature: string;
}): Checkpoint {
  return {
    seq: String(r.seq),
    headHash: r.headHash,
    at: new Date(r.at).toISOString(),
    keyId: r.keyId,
    signature: r.signature,
  };
}

/**
 * Signs the log's current head and stores the checkpoint, unless the latest checkpoint already
 * covers that head with this key (then that one is returned: nothing new to attest). Null while the
 * log is empty. The head is read without the writers' lock: writers commit in seq order (they hold
 * the log's advisory lock until commit), so the highest committed seq is a consistent head.
 */
export async function writeCheckpoint(
  db: Executor,
  key: CheckpointKey,
  now = new Date(),
): Promise<{ checkpoint: Checkpoint; created: boolean } | null> {
  const head = await db
    .selectFrom('auditLog')
    .select([sql<string>`seq::text`.as('seq'), 'hash'])
    .orderBy(sql`audit_log.seq`, 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!head) return null;
  const last = await latestCheckpoint(db);
  if (last && last.seq === head.seq && last.headHash === head.hash && last.keyId === key.keyId)
    return { checkpoint: last, created: false };
  const checkpoint = signCheckpoint(key, {
    seq: head.seq,
    headHash: head.hash,
    at: now.toISOString(),
  });
  await db
    .insertInto('auditCheckpointKey')
    .values({ keyId: key.keyId, publicKey: key.publicKey, firstUsedAt: now })
    .onConflict((oc) => oc.column('keyId').doNothing())
    .execute();
  await db
    .insertInto('auditCheckpoint')
    .values({
      seq: checkpoint.seq,
      headHash: checkpoint.headHash,
      at: now,
      keyId: checkpoint.keyId,
      signature: checkpoint.signature,
    })
    .execute();
  return { checkpoint, created: true };
}

export async function latestCheckpoint(db: Executor): Promise<Checkpoint | undefined> {
  const row = await db
    .selectFrom('auditCheckpoint')
    .select([sql<string>`seq::text`.as('seq'), 'headHash', 'at', 'keyId', 'signature'])
    .orderBy(sql`audit_checkpoint.seq`, 'desc')
    .orderBy(sql`audit_checkpoint.id`, 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? rowToCheckpoint(row) : undefined;
}

/** Oldest first, so a full page never changes (cacheable); `total` says how many pages there are. */
export async function listCheckpoints(db: Executor, page: number, pageSize: number) {
  const [rows, count, keys, latest] = await Promise.all([
    db
      .selectFrom('auditCheckpoint')
      .select([sql<string>`seq::text`.as('seq'), 'headHash', 'at', 'keyId', 'signature'])
      .orderBy(sql`audit_checkpoint.seq`)
      .orderBy(sql`audit_checkpoint.id`)
      .offset((page - 1) * pageSize)
      .limit(pageSize)
      .execute(),
    db
      .selectFrom('auditCheckpoint')
      .select(sql<string>`count(*)::text`.as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('auditCheckpointKey')
      .select(['keyId', 'publicKey', 'firstUsedAt'])
      .orderBy('firstUsedAt')
      .execute(),
    latestCheckpoint(db),
  ]);
  return {
    items: rows.map(rowToCheckpoint),
    total: Number(count.n),
    latest: latest ?? null,
    keys: keys.map((k) => ({
      keyId: k.keyId,
      publicKey: k.publicKey,
      firstUsedAt: new Date(k.firstUsedAt).toISOString(),
    })),
  };
}

/** Every checkpoint stored in the database, oldest first. */
export async function allCheckpoints(db: Executor): Promise<Checkpoint[]> {
  const rows = await db
    .selectFrom('auditCheckpoint')
    .select([sql<string>`seq::text`.as('seq'), 'headHash', 'at', 'keyId', 'signature'])
    .orderBy(sql`audit_checkpoint.seq`)
    .orderBy(sql`audit_checkpoint.id`)
    .execute();
  return rows.map(rowToCheckpoint);
}

/**
 * A witness's copy of checkpoints: the JSON of GET /api/public/audit/checkpoints (one page, or an
 * array of pages), a JSON array of checkpoints, or JSON Lines of checkpoints. Public keys found in it
 * (`keys`) are trusted: it is the witness's own record.
 */
export function parseCheckpointsFile(text: string): {
  checkpoints: Checkpoint[];
  keys: TrustedKey[];
} {
  const checkpoints: Checkpoint[] = [];
  const keys: TrustedKey[] = [];
  const take = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) take(x);
      return;
    }
    if (!v || typeof v !== 'object') throw new Error('not a checkpoint, a page or a list of them');
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.items) || Array.isArray(o.keys)) {
      if (Array.isArray(o.items)) take(o.items);
      if (o.latest) take(o.latest);
      for (const k of (o.keys as { publicKey?: unknown }[] | undefined) ?? [])
        if (typeof k?.publicKey === 'string') keys.push(trustedKeyOf(k.publicKey));
      return;
    }
    const { seq, headHash, at, keyId, signature } = o;
    if (
      (typeof seq !== 'string' && typeof seq !== 'number') ||
      typeof headHash !== 'string' ||
      typeof at !== 'string' ||
      typeof keyId !== 'string' ||
      typeof signature !== 'string'
    )
      throw new Error(`not a checkpoint: ${JSON.stringify(v).slice(0, 200)}`);
    checkpoints.push({ seq: String(seq), headHash, at, keyId, signature });
  };
  const trimmed = text.trim();
  if (trimmed === '') return { checkpoints, keys };
  try {
    take(JSON.parse(trimmed));
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    for (const line of trimmed.split(/\r?\n/)) if (line.trim()) take(JSON.parse(line));
  }
  return { checkpoints, keys };
}

/**
 * Writes a checkpoint now and then every `intervalMs` (at most a minute, config.ts), one at a time;
 * `stop()` writes the last one (shutdown) before the database closes.
 */
export function startCheckpointer(
  db: Executor,
  key: CheckpointKey,
  opts: { intervalMs: number; onError: (err: unknown) => void; now?: () => Date },
) {
  let chain: Promise<unknown> = Promise.resolve();
  const tick = () => {
    chain = chain
      .then(() => writeCheckpoint(db, key, opts.now?.() ?? new Date()))
      .catch(opts.onError);
    return chain;
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  return {
    tick,
    stop: async () => {
      clearInterval(timer);
      await tick();
    },
  };
}
