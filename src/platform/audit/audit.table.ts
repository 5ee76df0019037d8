import type { ColumnType, Generated } from 'kysely';

export interface AuditLogTable {
  /** bigint comes back from pg as a string; kept as string to avoid precision loss. */
  seq: Generated<string>;
  at: ColumnType<Date, Date, never>;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  regionCode: string | null;
  beforeDigest: string | null;
  afterDigest: string | null;
  summary: string | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditCheckpointTable {
  id: Generated<string>;
  /** bigint as text, like audit_log.seq. */
  seq: string;
  headHash: string;
  at: ColumnType<Date, Date, never>;
  keyId: string;
  signature: string;
}

export interface AuditCheckpointKeyTable {
  keyId: string;
  publicKey: string;
  firstUsedAt: ColumnType<Date, Date, never>;
}
