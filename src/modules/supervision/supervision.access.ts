import type { Actor } from '../../platform/auth/actor.js';
import { hasRole } from '../../platform/auth/actor.js';
import type { Executor } from '../../platform/db/database.js';
import { DomainError, forbidden } from '../../platform/errors.js';
import * as repo from './supervision.repository.js';

/** Mutations of supervision are the jurisdiction's: regulators, and inspectors for what they inspect. */
export function requireJurisdiction(actor: Actor, ...roles: ('regulator' | 'inspector')[]) {
  const wanted = roles.length ? roles : (['regulator', 'inspector'] as const);
  if (actor.scope.kind !== 'region' || !hasRole(actor, ...wanted))
    throw forbidden('只有监管部门或执法人员可以执行此操作');
  return actor.scope;
}

/** The person behind a signed-in inspector or regulator (inspectors act as themselves). */
export async function personOf(db: Executor, actor: Actor): Promise<string | null> {
  if (actor.personId) return actor.personId;
  if (!actor.userId) return null;
  return (await repo.personIdOfUser(db, actor.userId))?.personId ?? null;
}

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const DOCUMENT_TYPES = [...PHOTO_TYPES, 'application/pdf'] as const;

export function decodeUpload(
  base64: string,
  contentType: string,
  allowed: readonly string[],
  path = 'body.contentBase64',
): Uint8Array {
  if (!allowed.includes(contentType))
    throw new DomainError('validation_failed', `不支持的文件类型 ${contentType}`, [
      { path: 'body.contentType', message: `one of ${allowed.join(', ')}` },
    ]);
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  const magic: Record<string, (b: Uint8Array) => boolean> = {
    'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8,
    'image/png': (b) => b[0] === 0x89 && b[1] === 0x50,
    'image/webp': (b) => b[8] === 0x57 && b[9] === 0x45,
    'application/pdf': (b) => b[0] === 0x25 && b[1] === 0x50,
  };
  if (bytes.length === 0 || !magic[contentType]?.(bytes))
    throw new DomainError('validation_failed', '文件内容与类型不符', [
      { path, message: 'content does not match its type' },
    ]);
  return bytes;
}
