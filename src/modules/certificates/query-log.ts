import { type Insertable, sql } from 'kysely';
import { type Executor, queryPrepared } from '../../platform/db/database.js';
import type { VerificationQueryTable } from './certificates.table.js';

type Row = Insertable<VerificationQueryTable>;

/** How often pending rows are written, and how many wait at most (a database outage drops the oldest). */
export const QUERY_LOG_FLUSH_MS = 50;
const MAX_PENDING = 50_000;
const BATCH = 1_000;

/**
 * The public-verification query log, written behind the answers: each check appends its row here and
 * a timer writes what has gathered in one multi-row INSERT every 50 ms. A check is then one read
 * (public verification runs at thousands a second, and a write with its commit per check was most of
 * its cost). Readers of the log flush first; the app flushes on close. A crash loses at most the last
 * 50 ms of the log, never an answer or a record.
 */
export class QueryLog {
  private pending: Row[] = [];
  private writing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly db: Executor) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), QUERY_LOG_FLUSH_MS);
    this.timer.unref();
  }

  append(row: Row): void {
    if (this.pending.length >= MAX_PENDING) this.pending.shift();
    this.pending.push(row);
  }

  /** Writes everything appended so far (waits for a write already under way). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.pending.length === 0) return;
    this.writing = this.write().finally(() => {
      this.writing = undefined;
    });
    await this.writing;
  }

  private async write(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, BATCH);
      try {
        await insertRows(this.db, batch);
      } catch (e) {
        // Kept for the next tick (a database restart must not lose the signal).
        this.pending.unshift(...batch.slice(0, MAX_PENDING - this.pending.length));
        throw e;
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/**
 * One statement text whatever the batch size (the rows travel as seven arrays), so PostgreSQL parses and
 * plans it once per connection; a multi-row VALUES of 7 parameters a row was a new statement every time,
 * and building it was a fifth of a public check's CPU in bench:verify.
 */
function insertRows(db: Executor, rows: Row[]) {
  const column = <T>(pick: (r: Row) => T) => rows.map(pick);
  const query =
    sql`insert into verification_query (at, ip, source, number, found, outcome, number_region)
    select * from unnest(${column((r) => r.at)}::timestamptz[], ${column((r) => r.ip)}::text[], ${column((r) => r.source)}::text[],
      ${column((r) => r.number ?? null)}::text[], ${column((r) => r.found)}::boolean[], ${column((r) => r.outcome)}::text[],
      ${column((r) => r.numberRegion ?? null)}::text[])`.compile(db);
  return queryPrepared(db, 'verification-query-log', query);
}

const logs = new WeakMap<object, QueryLog>();

/** The one log of a database handle in this process. */
export function queryLogOf(db: Executor): QueryLog {
  let log = logs.get(db);
  if (!log) {
    log = new QueryLog(db);
    logs.set(db, log);
  }
  return log;
}
