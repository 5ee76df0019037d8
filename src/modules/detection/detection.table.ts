import type { ColumnType, Generated } from 'kysely';

type DateString = ColumnType<string, string, string>;

export interface AlertEvidence {
  kind: string;
  id: string;
  label?: string;
}

export type AlertState = 'new' | 'acknowledged' | 'dismissed' | 'finding';

export interface AlertTable {
  id: Generated<string>;
  key: string;
  rule: string;
  code: string;
  severity: 'serious' | 'warning' | 'notice';
  organizationId: string | null;
  organizationKind: string | null;
  regionCode: string;
  recordKind: string;
  recordId: string | null;
  recordName: string | null;
  summary: string;
  evidence: ColumnType<AlertEvidence[], string, string>;
  figure: ColumnType<unknown | null, string | null, string | null>;
  source: string;
  occurredOn: DateString | null;
  state: ColumnType<AlertState, AlertState | undefined, AlertState>;
  stateReason: string | null;
  stateBy: string | null;
  stateAt: Date | null;
  detectedAt: Date;
  lastSeenAt: Date;
  clearedAt: Date | null;
}

export interface DetectionJobTable {
  id: Generated<number>;
  kind: string;
  organizationId: string | null;
  regionCode: string | null;
  payload: ColumnType<unknown, string | undefined, string>;
  createdAt: ColumnType<Date, Date | undefined, never>;
  lockedAt: Date | null;
  attempts: ColumnType<number, number | undefined, number>;
  doneAt: Date | null;
  error: string | null;
}

export interface DetectionRuleRunTable {
  rule: string;
  scope: string;
  status: 'evaluated' | 'not_evaluable';
  reason: string | null;
  alerts: number;
  evaluatedAt: Date;
  ms: number;
}
