import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyServerOptions } from 'fastify';
import { buildApp } from '../app.js';
import type { DatabaseHandle } from '../platform/db/database.js';
import { type FileStorage, localFileStorage } from '../platform/files/storage.js';
import type { App } from '../platform/http/routing.js';

/**
 * TEST_LOG=error (or any pino level) shows the server's log while a test runs; silent otherwise. A test
 * about the log itself passes its own `logger`.
 */
export function buildTestApp(
  h: DatabaseHandle,
  opts: { now?: () => Date; logger?: FastifyServerOptions['logger']; files?: FileStorage } = {},
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
      files: opts.files ?? testFileStorage(),
    },
    logger ? { logger } : {},
  );
}

/** A throw-away local file storage (the default kind) in the system's temp directory. */
export function testFileStorage(): FileStorage {
  return localFileStorage(mkdtempSync(join(tmpdir(), 'zx-test-files-')));
}
