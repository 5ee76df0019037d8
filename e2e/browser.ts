import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { demoAnchorFor } from '../src/demo/demo.seed.js';
import type { RgbImage } from '../src/modules/faces/face-engine.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { localFileStorage } from '../src/platform/files/storage.js';
import type { App } from '../src/platform/http/routing.js';
import { openDemoDatabase } from '../src/test-support/demo-database.js';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
export const webDist = fileURLToPath(new URL('../web/dist', import.meta.url));
export const artifacts = fileURLToPath(new URL('./artifacts', import.meta.url));

/**
 * The time a test file gives startDemoServer: a clone takes seconds, but the first file after a change
 * to src/ builds the demo city's template, which on a busy two-core machine has taken minutes.
 */
export const DEMO_SERVER_TIMEOUT = 600_000;

/** The built app on a fresh demo database, listening on a free port, as a user's browser reaches it. */
export async function startDemoServer(): Promise<{
  url: string;
  app: App;
  handle: DatabaseHandle;
  stop: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'zx-e2e-'));
  // A clone of the demo city built once per version of the code (test-support/demo-database.ts).
  const handle = await openDemoDatabase('pglite', { anchor: demoAnchorFor() });
  const app = await buildApp({
    db: handle.db,
    mode: handle.mode,
    version: 'e2e',
    sessionDays: 1,
    cookieSecure: false,
    demo: true,
    webDist,
    files: localFileStorage(join(dir, 'files')),
  });
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
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** One still frame as a Y4M file (4:2:0), which Chromium's fake camera plays in a loop. */
export function y4m(frame: RgbImage): Buffer {
  const { width: w, height: h, data } = frame;
  const y = Buffer.alloc(w * h);
  const u = Buffer.alloc((w / 2) * (h / 2));
  const v = Buffer.alloc((w / 2) * (h / 2));
  for (let i = 0; i < w * h; i++)
    y[i] = Math.round(0.299 * data[i * 3] + 0.587 * data[i * 3 + 1] + 0.114 * data[i * 3 + 2]);
  for (let yy = 0; yy < h / 2; yy++) {
    for (let xx = 0; xx < w / 2; xx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ]) {
        const p = ((yy * 2 + dy) * w + xx * 2 + dx) * 3;
        r += data[p] / 4;
        g += data[p + 1] / 4;
        b += data[p + 2] / 4;
      }
      u[yy * (w / 2) + xx] = Math.max(
        0,
        Math.min(255, Math.round(-0.168736 * r - 0.331264 * g + 0.5 * b + 128)),
      );
      v[yy * (w / 2) + xx] = Math.max(
        0,
        Math.min(255, Math.round(0.5 * r - 0.418688 * g - 0.081312 * b + 128)),
      );
    }
  }
  return Buffer.concat([
    Buffer.from(`YUV4MPEG2 W${w} H${h} F25:1 Ip A1:1 C420jpeg\n`),
    Buffer.from('FRAME\n'),
    y,
    u,
    v,
  ]);
}

export function onCanvas(face: RgbImage, width = 640, height = 480): RgbImage {
  const data = new Uint8Array(width * height * 3).fill(128);
  const ox = Math.floor((width - face.width) / 2);
  const oy = Math.floor((height - face.height) / 2);
  for (let yy = 0; yy < face.height; yy++)
    data.set(
      face.data.subarray(yy * face.width * 3, (yy + 1) * face.width * 3),
      ((oy + yy) * width + ox) * 3,
    );
  return { width, height, data };
}
