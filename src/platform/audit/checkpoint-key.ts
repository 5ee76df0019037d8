import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The Ed25519 key that signs the audit log's checkpoints. It is never stored in the database: it
 * comes from the environment (AUDIT_CHECKPOINT_KEY) or a file (AUDIT_CHECKPOINT_KEY_FILE), so an
 * administrator of the database alone cannot sign a checkpoint for a rewritten log.
 */
export interface CheckpointKey {
  keyId: string;
  /** The raw 32-byte public key, base64. */
  publicKey: string;
  privateKey: KeyObject;
  publicKeyObject: KeyObject;
  /** The development key: published in this source, so anyone can sign with it (demo mode only). */
  isDefault: boolean;
}

/** A public key the verifier trusts: the configured key's, or one given in a witness's file. */
export interface TrustedKey {
  keyId: string;
  publicKey: string;
  key: KeyObject;
}

// PKCS#8 and SPKI DER prefixes of an Ed25519 key (RFC 8410): the 32 raw bytes follow them.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The development default: a seed everyone can read here. Refused outside demo mode (config.ts). */
export const DEV_AUDIT_CHECKPOINT_SEED = createHash('sha256')
  .update('zhenxun-development-only-audit-checkpoint-key')
  .digest();

function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

/** The key id: the first 16 hex digits of SHA-256 over the raw public key. */
export function keyIdOf(rawPublic: Buffer): string {
  return createHash('sha256').update(rawPublic).digest('hex').slice(0, 16);
}

function fromPrivate(privateKey: KeyObject, isDefault: boolean): CheckpointKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 private key');
  const publicKeyObject = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKeyObject);
  return {
    keyId: keyIdOf(raw),
    publicKey: raw.toString('base64'),
    privateKey,
    publicKeyObject,
    isDefault,
  };
}

function fromSeed(seed: Buffer, isDefault = false): CheckpointKey {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  return fromPrivate(
    createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    }),
    isDefault,
  );
}

/** A key as written in the environment or a file: a PKCS#8 PEM, or the 32-byte seed in base64/base64url/hex. */
export function parseCheckpointKey(text: string): CheckpointKey {
  const s = text.trim();
  if (s.startsWith('-----BEGIN')) return fromPrivate(createPrivateKey(s), false);
  const bytes = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64url');
  if (bytes.length !== 32)
    throw new Error(
      'expected a PKCS#8 PEM private key or a 32-byte Ed25519 seed (base64, base64url or hex)',
    );
  return fromSeed(bytes);
}

export function defaultCheckpointKey(): CheckpointKey {
  return fromSeed(DEV_AUDIT_CHECKPOINT_SEED, true);
}

/** A new random key, as `npx zhenxun audit keygen` prints it. */
export function generateCheckpointKey(): { seed: string; key: CheckpointKey } {
  const seed = randomBytes(32);
  return { seed: seed.toString('base64url'), key: fromSeed(seed) };
}

/**
 * The checkpoint key from the environment: AUDIT_CHECKPOINT_KEY, else the file AUDIT_CHECKPOINT_KEY_FILE,
 * else the development default (config.ts refuses to serve with it outside demo mode).
 */
export function checkpointKeyFromEnv(env: NodeJS.ProcessEnv = process.env): CheckpointKey {
  if (env.AUDIT_CHECKPOINT_KEY) {
    try {
      return parseCheckpointKey(env.AUDIT_CHECKPOINT_KEY);
    } catch (e) {
      throw new Error(`AUDIT_CHECKPOINT_KEY: ${(e as Error).message}`);
    }
  }
  if (env.AUDIT_CHECKPOINT_KEY_FILE) {
    let text: string;
    try {
      text = readFileSync(env.AUDIT_CHECKPOINT_KEY_FILE, 'utf8');
    } catch (e) {
      throw new Error(
        `AUDIT_CHECKPOINT_KEY_FILE: cannot read ${env.AUDIT_CHECKPOINT_KEY_FILE}: ${(e as Error).message}`,
      );
    }
    try {
      return parseCheckpointKey(text);
    } catch (e) {
      throw new Error(
        `AUDIT_CHECKPOINT_KEY_FILE ${env.AUDIT_CHECKPOINT_KEY_FILE}: ${(e as Error).message}`,
      );
    }
  }
  return defaultCheckpointKey();
}

/** A public key (raw 32 bytes, base64 or base64url) as published, for the verifier. */
export function trustedKeyOf(publicKey: string): TrustedKey {
  const raw = Buffer.from(publicKey, 'base64url');
  if (raw.length !== 32) throw new Error(`not a 32-byte Ed25519 public key: ${publicKey}`);
  return {
    keyId: keyIdOf(raw),
    publicKey: raw.toString('base64'),
    key: createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' }),
  };
}

export function trustedKeyOfCheckpointKey(k: CheckpointKey): TrustedKey {
  return { keyId: k.keyId, publicKey: k.publicKey, key: k.publicKeyObject };
}

export function signBytes(k: CheckpointKey, message: string): string {
  return sign(null, Buffer.from(message, 'utf8'), k.privateKey).toString('base64');
}

export function verifyBytes(k: TrustedKey, message: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(message, 'utf8'), k.key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
