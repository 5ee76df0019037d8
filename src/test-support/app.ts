import type { FastifyServerOptions } from 'fastify';
import { buildApp } from '../app.js';
import type { DatabaseHandle } from '../platform/db/database.js';
import type { App } from '../platform/http/routing.js';

/**
 * TEST_LOG=error (or any pino level) shows the server's log while a test runs; silent otherwise. A test
 * about the log itself passes its own `logger`.
 */
export function buildTestApp(
  h: DatabaseHandle,
  opts: { now?: () => Date; logger?: FastifyServerOptions['logger'] } = {},
): Promise<App> {
  const level = process.env.TEST_LOG;
  const logger = opts.logger ?? (level ? { level } : undefined);
  return buildApp(
    {
      db: h.db,
      mode: h.mode,
      version: '0.0.0-test',
      sessionDays: 1,
      cookieSecure: false,
      now: opts.now,
    },
    logger ? { logger } : {},
  );
}
