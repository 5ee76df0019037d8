import { existsSync, mkdirSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { seedDemoCity } from '../src/demo/demo.seed.js';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../src/platform/db/database.js';
import type { App } from '../src/platform/http/routing.js';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
export const webDist = fileURLToPath(new URL('../web/dist', import.meta.url));
export const artifacts = fileURLToPath(new URL('./artifacts', import.meta.url));

/** The built app on a fresh demo database, listening on a free port, as a user's browser reaches it. */
export async function startDemoServer(): Promise<{ url: string; app: App; handle: DatabaseHandle; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'zx-e2e-'));
  const handle = await openDatabase({ dataDir: dir });
  await migrateToLatest(handle.db);
  await seedDemoCity(handle.db, 20241012);
  const app = await buildApp({ db: handle.db, mode: handle.mode, version: 'e2e', sessionDays: 1, cookieSecure: false, webDist });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    handle,
    stop: async () => {
      await app.close();
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  mkdirSync(artifacts, { recursive: true });
  // The machine has no network but the registries: background services would only fail loudly.
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
