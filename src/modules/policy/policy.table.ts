import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Policy profile versions added by regulators; the built-in ones live in src/catalog. */
export interface PolicyProfileTable {
  id: string;
  regionCode: string;
  version: string;
  effectiveFrom: ColumnType<string, string, string>;
  effectiveTo: ColumnType<string | null, string | null | undefined, string | null>;
  source: string;
  figures: unknown;
  createdBy: string | null;
  createdAt: Timestamp;
}

export interface SyllabusVersionTable {
  id: ColumnType<string, string | undefined, never>;
  regionCode: string;
  operationItemCode: string;
  kind: 'initial' | 'refresher' | 'review';
  theoryHours: number;
  practicalHours: number;
  effectiveFrom: ColumnType<string, string, string>;
  source: string;
  createdBy: string | null;
  createdAt: Timestamp;
}
