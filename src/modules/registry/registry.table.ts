import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Duty, OrganizationKind, OrganizationStatus, Post } from './registry.contract.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** Dates (no time) travel as 'YYYY-MM-DD' strings: the driver is told not to turn them into Dates. */
type DateString = ColumnType<string, string, string>;

export interface RegionTable {
  code: string;
  name: string;
  level: number;
  parentCode: string | null;
}

export interface OrganizationTable {
  id: Generated<string>;
  kind: OrganizationKind;
  name: string;
  /** 统一社会信用代码, GB 32100 checksum verified before insert. */
  creditCode: string;
  regionCode: string;
  industry: string | null;
  highRisk: Generated<boolean>;
  scale: string | null;
  address: string | null;
  contactPhone: string | null;
  status: ColumnType<OrganizationStatus, OrganizationStatus | undefined, OrganizationStatus>;
  /** The decision (document number and date) that set the current status: 停业整顿/退出 need one. */
  statusDecision: string | null;
  statusChangedAt: Date | null;
  operatorId: string | null;
  facilities: unknown | null;
  employeeCount: number | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface PersonTable {
  id: Generated<string>;
  /** 居民身份证号码, GB 11643 checksum verified; birth date and gender are derived from it. */
  idNumber: string;
  name: string;
  birthDate: DateString;
  gender: 'male' | 'female';
  education: string | null;
  phone: string | null;
  regionCode: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface StaffAssignmentTable {
  id: Generated<string>;
  personId: string;
  organizationId: string;
  regionCode: string;
  duty: Duty;
  fullTime: Generated<boolean>;
  laborContract: Generated<boolean>;
  practiceYears: number | null;
  /** Operation items this person teaches or examines (teachers, examiners). */
  operationItems: ColumnType<string[], string[] | undefined, string[]>;
  startDate: DateString;
  endDate: DateString | null;
  /** Made by the organization itself and not yet confirmed by the person (migration 0014). */
  awaitingConfirmation: Generated<boolean>;
  createdAt: Timestamp;
}

export interface EmploymentTable {
  id: Generated<string>;
  personId: string;
  organizationId: string;
  regionCode: string;
  post: Post;
  operationItemCode: string | null;
  startDate: DateString;
  /** The day the person left this post; a return after ≥ 6 months away triggers re-training. */
  endDate: DateString | null;
  /** Made by the organization itself and not yet confirmed by the person (migration 0014). */
  awaitingConfirmation: Generated<boolean>;
  createdAt: Timestamp;
}

/** A regulator's decision letting an institution that fails the registration check open classes. */
export interface RegistrationExemptionTable {
  id: Generated<string>;
  organizationId: string;
  regionCode: string;
  /** The decision's document number and date, as the regulator issued it. */
  decision: string;
  reason: string;
  validFrom: DateString;
  validTo: DateString;
  grantedBy: string | null;
  grantedByName: string;
  createdAt: Timestamp;
  revokedAt: Date | null;
  revokedReason: string | null;
}

export type OrganizationRow = Selectable<OrganizationTable>;
export type NewOrganizationRow = Insertable<OrganizationTable>;
export type OrganizationRowUpdate = Updateable<OrganizationTable>;
export type PersonRow = Selectable<PersonTable>;
export type NewPersonRow = Insertable<PersonTable>;
export type StaffAssignmentRow = Selectable<StaffAssignmentTable>;
export type NewStaffAssignmentRow = Insertable<StaffAssignmentTable>;
export type EmploymentRow = Selectable<EmploymentTable>;
export type NewEmploymentRow = Insertable<EmploymentTable>;
export type RegionRow = Selectable<RegionTable>;
