import type { ColumnType, Generated } from 'kysely';

export interface FaceTemplateTable {
  id: Generated<string>;
  personId: string;
  organizationId: string | null;
  regionCode: string;
  model: string;
  /** Float32 little-endian descriptor; never leaves the faces module. */
  embedding: Buffer;
  quality: unknown;
  createdAt: ColumnType<Date, Date | string | undefined, never>;
}

export interface FaceVerificationTable {
  id: Generated<string>;
  personId: string;
  organizationId: string | null;
  regionCode: string;
  at: Date;
  source: 'platform' | 'device';
  context: string;
  score: number | null;
  realScore: number | null;
  liveScore: number | null;
  decision: 'match' | 'mismatch' | 'review' | 'refused';
  reasons: ColumnType<string[], string[], string[]>;
}
