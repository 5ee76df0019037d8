import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { testFileStorage } from '../../test-support/app.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/db.js';
import type { App } from './routing.js';

/**
 * How the web app's files are served (issue 11 point 11): the build's .br/.gz copies to a browser
 * that accepts them, hashed assets cached for a year, index.html revalidated on every load.
 */
describe('web app files', () => {
  let t: TestDatabase;
  let app: App;
  let dist: string;
  const script = `export const answer = ${JSON.stringify('真训 '.repeat(2000))};\n`;
  const index = `<!doctype html><html><head><script type="module" src="/assets/index-AbC_12-x.js"></script></head><body>${' '.repeat(2000)}</body></html>`;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'zx-web-dist-'));
    mkdirSync(join(dist, 'assets'));
    mkdirSync(join(dist, 'media'));
    // As web/vite.config.ts's precompress step leaves them.
    for (const [name, body] of [
      ['index.html', index],
      ['assets/index-AbC_12-x.js', script],
    ]) {
      writeFileSync(join(dist, name), body);
      writeFileSync(join(dist, `${name}.br`), brotliCompressSync(body));
      writeFileSync(join(dist, `${name}.gz`), gzipSync(body));
    }
    writeFileSync(join(dist, 'media/course.webm'), Buffer.alloc(64));
    t = await createTestDatabase('pglite');
    app = await buildApp({
      db: t.db,
      mode: t.mode,
      version: '0.0.0-test',
      sessionDays: 1,
      cookieSecure: false,
      files: testFileStorage(),
      webDist: dist,
    });
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('sends a hashed script brotli-compressed to a browser that accepts it, cached for a year', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/assets/index-AbC_12-x.js',
      headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.rawPayload.length).toBeLessThan(Buffer.byteLength(script) / 5);
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(script);
  });

  it('sends gzip where brotli is not accepted, and the file itself where nothing is', async () => {
    const gz = await app.inject({
      method: 'GET',
      url: '/assets/index-AbC_12-x.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(script);
    const plain = await app.inject({
      method: 'GET',
      url: '/assets/index-AbC_12-x.js',
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('revalidates index.html on every load, at / and on a client-side route, compressed too', async () => {
    for (const url of ['/', '/classes/3f6d1c0e-0000-4000-8000-000000000000']) {
      const res = await app.inject({
        method: 'GET',
        url,
        headers: { 'accept-encoding': 'gzip, deflate, br' },
      });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/text\/html/);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.headers['content-encoding'], url).toBe('br');
      expect(brotliDecompressSync(res.rawPayload).toString(), url).toBe(index);
    }
  });

  it('does not make files under fixed names immutable', async () => {
    const res = await app.inject({ method: 'GET', url: '/media/course.webm' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
  });
});
