import pino, { type Logger } from 'pino';

/**
 * The server's log: JSON lines (one per request, see app.ts) to stdout, or to `dest`. Written
 * asynchronously: a line is handed to the kernel as soon as the previous write is done, and lines
 * that arrive meanwhile go out together. Writing each line synchronously was a sixth of a public
 * check's throughput in bench:verify. The cost is that a crash can lose the lines still in flight;
 * `flushLogger` writes what is pending on an orderly close.
 */
export function serverLogger(level: string, dest: string | number = 1): Logger {
  return pino({ level }, pino.destination({ dest, sync: false }));
}

export function flushLogger(logger: {
  flush?: (cb?: (err?: Error) => void) => void;
}): Promise<void> {
  return new Promise((resolve) => (logger.flush ? logger.flush(() => resolve()) : resolve()));
}
