import type { Insertable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
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
        await this.db.insertInto('verificationQuery').values(batch).execute();
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
