import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileIntegrityError,
  type FileStorage,
  localFileStorage,
  s3FileStorage,
  sha256Of,
  signV4,
} from './storage.js';

describe('SigV4', () => {
  it('signs the S3 documentation example (GET Object with a Range header)', () => {
    const h = signV4({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: { range: 'bytes=0-9' },
      payloadSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      region: 'us-east-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      at: new Date('2013-05-24T00:00:00Z'),
    });
    expect(h.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });
});

/** A bucket in a Map behind the S3 REST calls the storage makes; refuses unsigned or mis-signed calls. */
function fakeS3(): Promise<{ server: Server; url: string; objects: Map<string, Buffer> }> {
  const objects = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const expected = signV4({
        method: req.method ?? 'GET',
        url,
        headers:
          req.method === 'PUT' ? { 'content-type': String(req.headers['content-type']) } : {},
        payloadSha256: String(req.headers['x-amz-content-sha256']),
        region: 'cn-north-1',
        accessKeyId: 'AK',
        secretAccessKey: 'SK',
        at: new Date(
          String(req.headers['x-amz-date']).replace(
            /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/,
            '$1-$2-$3T$4:$5:$6Z',
          ),
        ),
      });
      if (req.headers.authorization !== expected.authorization) {
        res.statusCode = 403;
        return res.end('SignatureDoesNotMatch');
      }
      if (req.method === 'PUT') {
        if (sha256Of(body) !== req.headers['x-amz-content-sha256']) {
          res.statusCode = 400;
          return res.end('XAmzContentSHA256Mismatch');
        }
        objects.set(url.pathname, body);
        return res.end();
      }
      const obj = objects.get(url.pathname);
      if (!obj) {
        res.statusCode = 404;
        return res.end();
      }
      if (req.method === 'HEAD') return res.end();
      res.end(obj);
    });
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      ok({ server, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, objects });
    }),
  );
}

function contract(name: string, make: () => FileStorage) {
  describe(name, () => {
    it('stores content-addressed, idempotently, and reads back what it stored', async () => {
      const s = make();
      const bytes = new TextEncoder().encode('整改后的灭火器配置照片');
      const a = await s.put(bytes);
      const b = await s.put(bytes);
      expect(a).toEqual({ sha256: sha256Of(bytes), size: bytes.byteLength });
      expect(b).toEqual(a);
      expect(await s.has(a.sha256)).toBe(true);
      expect(Buffer.from((await s.get(a.sha256))!)).toEqual(Buffer.from(bytes));
      expect(await s.get('0'.repeat(64))).toBeNull();
      expect(await s.has('0'.repeat(64))).toBe(false);
    });
    it('refuses a name that is not a digest (no path tricks)', async () => {
      await expect(make().get('../../etc/passwd')).rejects.toThrow(/not a SHA-256/);
    });
  });
}

describe('file storage', () => {
  let dir: string;
  let s3: Awaited<ReturnType<typeof fakeS3>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zx-files-'));
    s3 = await fakeS3();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    s3.server.close();
  });
  contract('local directory', () => localFileStorage(dir));
  contract('S3-compatible bucket', () =>
    s3FileStorage({
      endpoint: s3.url,
      bucket: 'evidence',
      region: 'cn-north-1',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      prefix: 'zx/',
    }),
  );

  it('keeps local files under their digest and refuses one changed on disk', async () => {
    const s = localFileStorage(dir);
    const { sha256 } = await s.put(new Uint8Array([1, 2, 3]));
    expect(readdirSync(join(dir, sha256.slice(0, 2)))).toContain(sha256);
    writeFileSync(join(dir, sha256.slice(0, 2), sha256), new Uint8Array([9, 9, 9]));
    await expect(s.get(sha256)).rejects.toBeInstanceOf(FileIntegrityError);
  });

  it('puts S3 objects under bucket/prefix/ab/digest and refuses a wrong secret', async () => {
    const { sha256 } = await s3FileStorage({
      endpoint: s3.url,
      bucket: 'evidence',
      region: 'cn-north-1',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      prefix: 'zx/',
    }).put(new Uint8Array([4, 5, 6]));
    expect(s3.objects.has(`/evidence/zx/${sha256.slice(0, 2)}/${sha256}`)).toBe(true);
    const wrong = s3FileStorage({
      endpoint: s3.url,
      bucket: 'evidence',
      region: 'cn-north-1',
      accessKeyId: 'AK',
      secretAccessKey: 'nope',
    });
    await expect(wrong.get(sha256)).rejects.toThrow(/S3 GET 403/);
  });
});
