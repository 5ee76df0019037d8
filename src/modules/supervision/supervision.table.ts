import type { ColumnType, Generated, Selectable } from 'kysely';
import {
  type ChecklistItemDef,
  type ChecklistSubjectKind,
  checklistSubjectKinds,
  type PrefillSource,
} from '../../catalog/checklists.js';
import type { FindingSeverity } from '../../catalog/findings.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateString = ColumnType<string, string, string>;
type Json<T> = ColumnType<T, string, string>;
type Numeric = ColumnType<number, number | string, number | string>;

export type SubjectKind = ChecklistSubjectKind;
export const subjectKinds = checklistSubjectKinds;
export type { ChecklistItemDef, PrefillSource };

export interface ChecklistTemplateTable {
  id: Generated<string>;
  code: string;
  version: number;
  subjectKind: SubjectKind;
  name: string;
  source: string;
  items: Json<ChecklistItemDef[]>;
  regionCode: string;
  createdBy: string;
  createdAt: Timestamp;
}

export interface InspectorRelativeTable {
  id: Generated<string>;
  inspectorPersonId: string;
  relativePersonId: string;
  relation: string;
  regionCode: string;
  declaredAt: Timestamp;
}

export interface InspectionPlanTable {
  id: Generated<string>;
  regulatorId: string;
  regionCode: string;
  year: number;
  name: string;
  subjectKinds: ColumnType<SubjectKind[], SubjectKind[], SubjectKind[]>;
  targetCount: number;
  notes: string | null;
  createdBy: string;
  createdAt: Timestamp;
}

export interface InspectionDrawTable {
  id: Generated<string>;
  planId: string;
  regionCode: string;
  algorithm: string;
  seed: string;
  params: Json<unknown>;
  pool: Json<unknown>;
  inspectors: Json<unknown>;
  result: Json<unknown>;
  drawnBy: string;
  drawnAt: Date;
}

export type InspectionStatus = 'scheduled' | 'in_progress' | 'signed';

export interface InspectionTable {
  id: Generated<string>;
  planId: string | null;
  drawId: string | null;
  reportId: string | null;
  regulatorId: string;
  organizationId: string;
  regionCode: string;
  subjectKind: SubjectKind;
  templateId: string;
  scheduledOn: DateString;
  inspectorPersonIds: ColumnType<string[], string[], string[]>;
  status: ColumnType<InspectionStatus, InspectionStatus | undefined, InspectionStatus>;
  startedAt: Date | null;
  signedAt: Date | null;
  signerName: string | null;
  signatureSha256: string | null;
  summary: string | null;
  createdBy: string;
  createdAt: Timestamp;
}

export type ItemResult = 'pass' | 'fail' | 'na';

export interface Prefill {
  source: PrefillSource;
  /** What the platform's records say: 'pass' | 'fail' | 'unknown' (not evaluable here). */
  suggestion: 'pass' | 'fail' | 'unknown';
  summary: string;
  evidence: { kind: string; id: string; label: string }[];
}

export interface InspectionItemTable {
  inspectionId: string;
  position: number;
  code: string;
  text: string;
  basis: string;
  severity: FindingSeverity;
  result: ItemResult | null;
  note: string | null;
  photoSha256s: ColumnType<string[], string[] | undefined, string[]>;
  prefill: Json<Prefill | null> | null;
  answeredBy: string | null;
  answeredAt: Date | null;
}

export type FileOwnerKind = 'inspection' | 'order' | 'report' | 'signature';

export interface SupervisionFileTable {
  id: Generated<string>;
  sha256: string;
  size: number;
  contentType: string;
  name: string | null;
  ownerKind: FileOwnerKind;
  ownerId: string;
  regionCode: string;
  uploadedBy: string;
  uploadedAt: Timestamp;
}

export interface SpotQuestion {
  questionId: string;
  kind: 'single' | 'multiple' | 'judge';
  stem: string;
  options: string[];
  answer: number[];
}

export interface SpotExamTable {
  id: Generated<string>;
  inspectionId: string;
  regionCode: string;
  seed: string;
  population: string;
  pool: Json<unknown>;
  authorityId: string;
  itemCode: string;
  questionCount: number;
  passRatio: Numeric;
  createdBy: string;
  createdAt: Timestamp;
}

export interface SpotExamSittingTable {
  id: Generated<string>;
  spotExamId: string;
  personId: string;
  paper: Json<SpotQuestion[]>;
  answers: Json<number[][]> | null;
  score: Numeric | null;
  passed: boolean | null;
  submittedAt: Date | null;
}

export const orderStates = ['issued', 'responded', 'verified', 'closed'] as const;
export type OrderState = (typeof orderStates)[number];

export interface RectificationOrderTable {
  id: Generated<string>;
  number: string;
  inspectionId: string | null;
  organizationId: string;
  regulatorId: string;
  regionCode: string;
  requirements: string;
  deadline: DateString;
  responsibleName: string;
  responsiblePhone: string | null;
  state: ColumnType<OrderState, OrderState | undefined, OrderState>;
  issuedBy: string;
  issuedByPersonId: string | null;
  issuedAt: Date;
  respondedAt: Date | null;
  verifiedBy: string | null;
  verifiedByPersonId: string | null;
  verifiedAt: Date | null;
  verificationNote: string | null;
  closedBy: string | null;
  closedAt: Date | null;
  escalatedAt: Date | null;
  escalatedTo: string | null;
}

export type FindingStatus = 'open' | 'ordered' | 'closed';

export interface SupervisionFindingTable {
  id: Generated<string>;
  inspectionId: string | null;
  itemPosition: number | null;
  alertId: string | null;
  orderId: string | null;
  organizationId: string;
  regionCode: string;
  rule: string | null;
  code: string;
  severity: FindingSeverity;
  message: string;
  basis: string;
  evidence: Json<{ kind: string; id: string; label?: string }[]>;
  status: ColumnType<FindingStatus, FindingStatus | undefined, FindingStatus>;
  createdBy: string;
  createdAt: Date;
  closedAt: Date | null;
}

export interface OrderResponseTable {
  id: Generated<string>;
  orderId: string;
  statement: string;
  fileIds: ColumnType<string[], string[], string[]>;
  via: 'account' | 'link';
  responder: string;
  respondedAt: Date;
  outcome: 'accepted' | 'rejected' | null;
  outcomeNote: string | null;
}

export interface OrderLinkTable {
  id: Generated<string>;
  orderId: string;
  tokenHash: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export const penaltyKinds = [
  'warning',
  'fine',
  'suspension',
  'exit',
  'score_cancellation',
  'referral',
] as const;
export type PenaltyKind = (typeof penaltyKinds)[number];

export interface PenaltyTable {
  id: Generated<string>;
  organizationId: string;
  regionCode: string;
  regulatorId: string;
  inspectionId: string | null;
  findingId: string | null;
  personId: string | null;
  kind: PenaltyKind;
  amountYuan: Numeric | null;
  basis: string;
  decisionNumber: string;
  decidedOn: DateString;
  decidedBy: string;
  note: string | null;
  liftedOn: DateString | null;
  liftedDecision: string | null;
  liftedBy: string | null;
  createdAt: Timestamp;
}

export const reportStatuses = [
  'received',
  'triaged',
  'assigned',
  'investigating',
  'replied',
  'closed',
] as const;
export type ReportStatus = (typeof reportStatuses)[number];

export interface PublicReportTable {
  id: Generated<string>;
  trackingHash: string;
  regionCode: string;
  subjectOrganizationId: string | null;
  subjectText: string;
  category: string;
  content: string;
  anonymous: boolean;
  reporterName: string | null;
  reporterPhone: string | null;
  status: ColumnType<ReportStatus, ReportStatus | undefined, ReportStatus>;
  triageNote: string | null;
  assignedToUserId: string | null;
  assignedBy: string | null;
  inspectionId: string | null;
  reply: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReportMessageTable {
  id: Generated<string>;
  reportId: string;
  author: 'reporter' | 'officer';
  body: string;
  fileIds: ColumnType<string[], string[] | undefined, string[]>;
  createdAt: Date;
}

export type Grade = 'A' | 'B' | 'C' | 'D';

export interface OrganizationGradeTable {
  id: Generated<string>;
  organizationId: string;
  regionCode: string;
  period: string;
  score: Numeric;
  grade: Grade;
  inputs: Json<unknown>;
  computedBy: string;
  computedAt: Date;
}

export interface CasePublicationTable {
  id: Generated<string>;
  orderId: string | null;
  penaltyId: string | null;
  organizationId: string;
  regionCode: string;
  title: string;
  body: string;
  publishedBy: string;
  publishedAt: Date;
}

export type InspectionRow = Selectable<InspectionTable>;
export type OrderRow = Selectable<RectificationOrderTable>;
export type FindingRow = Selectable<SupervisionFindingTable>;
export type PenaltyRow = Selectable<PenaltyTable>;
export type PublicReportRow = Selectable<PublicReportTable>;
