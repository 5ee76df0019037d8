import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AppUserTable {
  id: Generated<string>;
  username: string;
  /** argon2id PHC string. */
  passwordHash: string;
  displayName: string;
  organizationId: string | null;
  personId: string | null;
  roles: ColumnType<string[], string[], string[]>;
  disabled: Generated<boolean>;
  createdAt: Timestamp;
}

export interface UserSessionTable {
  tokenHash: string;
  userId: string;
  createdAt: Timestamp;
  expiresAt: Timestamp;
}

export interface ApiTokenTable {
  id: Generated<string>;
  organizationId: string;
  name: string;
  tokenHash: string;
  scopes: ColumnType<string[], string[], string[]>;
  createdBy: string | null;
  createdAt: Timestamp;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** Null only for a device's token (bound to one terminal or camera). */
  expiresAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type AppUserRow = Selectable<AppUserTable>;
export type ApiTokenRow = Selectable<ApiTokenTable>;
