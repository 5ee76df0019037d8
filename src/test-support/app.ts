import { buildApp } from '../app.js';
import type { DatabaseHandle } from '../platform/db/database.js';
import type { App } from '../platform/http/routing.js';

export function buildTestApp(h: DatabaseHandle, opts: { now?: () => Date } = {}): Promise<App> {
  return buildApp({ db: h.db, mode: h.mode, version: '0.0.0-test', sessionDays: 1, cookieSecure: false, now: opts.now });
}
