import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * Where the platform keeps files (evidence photos, documents, course media): content-addressed by
 * the SHA-256 of their bytes, so a record stores the digest and anyone can check the file is the one
 * that was recorded. The same bytes stored twice are one file. Two implementations behind this one
 * interface: a local directory (default, under DATA_DIR) and an S3-compatible bucket.
 */
export interface StoredFile {
  sha256: string;
  size: number;
}

export interface FileStorage {
  readonly kind: 'local' | 's3';
  /** Stores the bytes (idempotent) and answers their digest. */
  put(bytes: Uint8Array): Promise<StoredFile>;
  /** The bytes stored under the digest, checked against it; null when absent. */
  get(sha256: string): Promise<Uint8Array | null>;
  has(sha256: string): Promise<boolean>;
}

export const SHA256_RE = /^[0-9a-f]{64}$/;

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A file read back whose digest differs from its name was changed on the storage: never serve it. */
export class FileIntegrityError extends Error {
  override name = 'FileIntegrityError';
}

function checkDigest(sha256: string): void {
  if (!SHA256_RE.test(sha256)) throw new Error(`not a SHA-256 digest: ${sha256}`);
}

function verified(sha256: string, bytes: Uint8Array): Uint8Array {
  if (sha256Of(bytes) !== sha256)
    throw new FileIntegrityError(`stored file ${sha256} does not match its digest`);
  return bytes;
}

/** Files under `dir/ab/abcdef…` (two-character fan-out keeps directories small). */
export function localFileStorage(dir: string): FileStorage {
  const root = resolve(dir);
  const pathOf = (sha256: string) => join(root, sha256.slice(0, 2), sha256);
  const exists = async (p: string) => {
    try {
      await stat(p);
      return true;
    } catch {
      return false;
    }
  };
  return {
    kind: 'local',
    async put(bytes) {
      const sha256 = sha256Of(bytes);
      const path = pathOf(sha256);
      if (!(await exists(path))) {
        await mkdir(join(root, sha256.slice(0, 2)), { recursive: true });
        // Written beside and renamed: a reader never sees half a file under its digest.
        const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
        await writeFile(tmp, bytes);
        await rename(tmp, path);
      }
      return { sha256, size: bytes.byteLength };
    },
    async get(sha256) {
      checkDigest(sha256);
      try {
        return verified(sha256, new Uint8Array(await readFile(pathOf(sha256))));
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return null;
        throw e;
      }
    },
    async has(sha256) {
      checkDigest(sha256);
      return exists(pathOf(sha256));
    },
  };
}

export interface S3Options {
  /** https://s3.example.com or http://127.0.0.1:9000 (MinIO); path-style addressing. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Key prefix inside the bucket ('zhenxun/files/'). */
  prefix?: string;
  fetch?: typeof fetch;
  now?: () => Date;
}

const hex = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const hmac = (key: Uint8Array | string, data: string) =>
  createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding as SigV4 wants it (S3: the path's slashes stay). */
const uriEncode = (s: string, keepSlash: boolean) =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(keepSlash ? /%2F/g : /$^/, '/');

export interface SignInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  payloadSha256: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  at: Date;
  service?: string;
}

/**
 * AWS Signature Version 4 (the S3 flavour: the path is encoded once, the payload hash is sent as
 * x-amz-content-sha256). Answers the headers to send, Authorization included. Tested against the
 * example of the S3 documentation ("GET Object" with a Range header).
 */
export function signV4(input: SignInput): Record<string, string> {
  const service = input.service ?? 's3';
  const amzDate = input.at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...input.headers,
    host: input.url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': input.payloadSha256,
  };
  const names = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = names.map((n) => `${n}:${String(lower[n]).trim()}\n`).join('');
  const signedHeaders = names.join(';');
  const query = [...input.url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const path = uriEncode(decodeURIComponent(input.url.pathname), true);
  const canonicalRequest = [
    input.method,
    path,
    query,
    canonicalHeaders,
    signedHeaders,
    input.payloadSha256,
  ].join('\n');
  const scope = `${day}/${input.region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${input.secretAccessKey}`, day);
  const kRegion = hmac(kDate, input.region);
  const kService = hmac(kRegion, service);
  const kSigning = hmac(kService, 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`,
  };
}

/**
 * An S3-compatible bucket (AWS S3, MinIO, Aliyun OSS / Tencent COS in S3 mode) through signed HTTP
 * requests: PUT, GET and HEAD of one object per digest. No SDK: three calls do not need one.
 */
export function s3FileStorage(o: S3Options): FileStorage {
  const doFetch = o.fetch ?? fetch;
  const now = o.now ?? (() => new Date());
  const base = o.endpoint.replace(/\/+$/, '');
  const urlOf = (sha256: string) =>
    new URL(`${base}/${o.bucket}/${o.prefix ?? ''}${sha256.slice(0, 2)}/${sha256}`);
  const send = (
    method: string,
    url: URL,
    body?: Uint8Array,
    extra: Record<string, string> = {},
  ) => {
    const headers = signV4({
      method,
      url,
      headers: extra,
      payloadSha256: body ? hex(body) : hex(''),
      region: o.region,
      accessKeyId: o.accessKeyId,
      secretAccessKey: o.secretAccessKey,
      at: now(),
    });
    delete headers.host;
    return doFetch(url, { method, headers, body: body as Uint8Array<ArrayBuffer> | undefined });
  };
  const has = async (sha256: string) => {
    checkDigest(sha256);
    const res = await send('HEAD', urlOf(sha256));
    if (res.status === 404) return false;
    if (!res.ok) throw new Error(`S3 HEAD ${res.status}`);
    return true;
  };
  return {
    kind: 's3',
    async put(bytes) {
      const sha256 = sha256Of(bytes);
      if (!(await has(sha256))) {
        const res = await send('PUT', urlOf(sha256), bytes, {
          'content-type': 'application/octet-stream',
        });
        if (!res.ok) throw new Error(`S3 PUT ${res.status}: ${await res.text()}`);
      }
      return { sha256, size: bytes.byteLength };
    },
    async get(sha256) {
      checkDigest(sha256);
      const res = await send('GET', urlOf(sha256));
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`S3 GET ${res.status}`);
      return verified(sha256, new Uint8Array(await res.arrayBuffer()));
    },
    has,
  };
}

/** What FILES_* variables choose: a bucket when S3_BUCKET is set, else DATA_DIR/files. */
export function fileStorageFromEnv(env: {
  DATA_DIR: string;
  FILES_DIR?: string;
  S3_ENDPOINT?: string;
  S3_BUCKET?: string;
  S3_REGION?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_PREFIX?: string;
}): FileStorage {
  if (env.S3_BUCKET && env.S3_ENDPOINT)
    return s3FileStorage({
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      region: env.S3_REGION ?? 'us-east-1',
      accessKeyId: env.S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? '',
      prefix: env.S3_PREFIX,
    });
  return localFileStorage(env.FILES_DIR ?? join(env.DATA_DIR, 'files'));
}
