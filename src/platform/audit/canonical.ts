import { createHash } from 'node:crypto';

/** A lone UTF-16 surrogate: JSON can carry one ("\ud800"), UTF-8 and so the database cannot. */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

/**
 * The well-formed form of a string: each lone surrogate becomes U+FFFD, exactly what the `pg` driver
 * writes for it (UTF-8 has no form for a lone surrogate), so what is hashed is what is stored.
 * Requests never get this far with one (platform/http/json-body.ts refuses them with a 400); this
 * keeps every other path (CLI import, internal code) hashing what the database will read back.
 */
export function wellFormed(s: string): string {
  return LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATES, '\uFFFD') : s;
}

/**
 * Where in a parsed JSON value a string (or an object key) holds a lone surrogate: the path of the
 * first one (`['lessons', '2', 'title']`), or null when every string is well-formed.
 */
export function findIllFormedString(value: unknown, path: string[] = []): string[] | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findIllFormedString(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (LONE_SURROGATE.test(k)) return [...path, wellFormed(k)];
      const found = findIllFormedString(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

/**
 * JSON with sorted keys, ISO dates and well-formed strings, so the same record always hashes the
 * same way, and the same way after a round trip through the database.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'string') return wellFormed(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[wellFormed(key)] = normalize(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function digestOf(value: unknown): string | null {
  return value === null || value === undefined ? null : sha256Hex(canonicalJson(value));
}
