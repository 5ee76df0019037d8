import type { ColumnType, Generated } from 'kysely';

/** The one row saying from which seed and around which day the demo city was generated. */
export interface DemoCityTable {
  id: Generated<number>;
  seed: number;
  /** 'YYYY-MM-DD', the Beijing date of the first start. */
  anchorDate: string;
  seededAt: ColumnType<Date, Date | string | undefined, never>;
}
