import type { ColumnType, Generated } from 'kysely';
import type {
  CertificateCheckFlag,
  CertificateCheckOutcome,
  TrainingAssessment,
  TrainingSessionKind,
} from './enterprises.contract.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateString = ColumnType<string, string, string>;
/** numeric columns come back from the driver as strings. */
type Numeric = ColumnType<string, number | string, number | string>;

/** What the ledger keeps beside an employment (one row per employment, optional). */
export interface EmploymentDetailTable {
  employmentId: string;
  organizationId: string;
  regionCode: string;
  /** 劳务派遣: the dispatching company; null for the enterprise's own staff. */
  dispatchCompany: string | null;
  /** The certificate number the enterprise declared for this person (checked, never trusted). */
  declaredCertificateNumber: string | null;
  department: string | null;
  updatedAt: Timestamp;
}

/** One check of a declared certificate number against the registry; append-only evidence. */
export interface CertificateCheckTable {
  id: Generated<string>;
  employmentId: string;
  organizationId: string;
  regionCode: string;
  declaredNumber: string;
  checkedOn: DateString;
  outcome: CertificateCheckOutcome;
  flag: CertificateCheckFlag | null;
  certificateId: string | null;
  evidence: ColumnType<unknown, string, string>;
  checkedBy: string;
  createdAt: Generated<Date>;
}

export interface EnterpriseTrainingPlanTable {
  id: Generated<string>;
  organizationId: string;
  regionCode: string;
  year: number;
  title: string;
  content: string;
  plannedHours: Numeric;
  createdBy: string;
  createdAt: Generated<Date>;
}

export interface EnterpriseTrainingSessionTable {
  id: Generated<string>;
  organizationId: string;
  regionCode: string;
  planId: string | null;
  kind: TrainingSessionKind;
  title: string;
  content: string;
  startsAt: Timestamp;
  endsAt: Timestamp;
  hours: Numeric;
  trainerPersonId: string | null;
  createdBy: string;
  createdAt: Generated<Date>;
}

export interface EnterpriseTrainingRecordTable {
  id: Generated<string>;
  sessionId: string;
  organizationId: string;
  regionCode: string;
  personId: string;
  hours: Numeric;
  assessment: TrainingAssessment | null;
  createdAt: Generated<Date>;
}
