import type { ColumnType } from 'kysely';

export interface ExternalRefTable {
  /** The bundle section the record came from: 'organizations', 'persons', 'staff', 'employments', … */
  entityType: string;
  ref: string;
  entityId: string;
  regionCode: string | null;
  createdAt: ColumnType<Date, Date | string | undefined, never>;
}
