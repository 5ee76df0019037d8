import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CertificateKind } from '../certificates/certificates.contract.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** numeric columns come back from pg as strings; the repository turns them into numbers. */
type Numeric = ColumnType<string | null, number | null | undefined, number | null>;

export type QuestionKind = 'single' | 'multiple' | 'judge';

export interface QuestionTable {
  id: Generated<string>;
  authorityId: string;
  regionCode: string;
  itemCode: string;
  kind: QuestionKind;
  stem: string;
  options: string[];
  /** Indexes into `options`, in the order stored (never the order a candidate saw). */
  answer: number[];
  knowledgePoint: string;
  difficulty: number;
  status: Generated<'active' | 'retired'>;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
}

export interface BlueprintPart {
  kind: QuestionKind;
  /** null: any knowledge point of the item. */
  knowledgePoint: string | null;
  count: number;
  pointsEach: number;
}

export interface PaperBlueprintTable {
  id: Generated<string>;
  authorityId: string;
  regionCode: string;
  itemCode: string;
  name: string;
  durationMinutes: number;
  passMark: number;
  parts: ColumnType<BlueprintPart[], string, string>;
  createdAt: Generated<Date>;
}

export interface ExamPlanTable {
  id: Generated<string>;
  authorityId: string;
  regionCode: string;
  certificateKind: CertificateKind;
  itemCode: string;
  name: string;
  blueprintId: string;
  status: Generated<'open' | 'closed'>;
  createdAt: Generated<Date>;
}

export interface ExamSessionTable {
  id: Generated<string>;
  planId: string;
  siteId: string;
  regionCode: string;
  room: string;
  startsAt: Timestamp;
  endsAt: Timestamp;
  capacity: number;
  invigilatorIds: string[];
  examinerIds: string[];
  resultsPublishedAt: Date | null;
  createdAt: Generated<Date>;
}

export type RegistrationStatus = 'registered' | 'checked_in' | 'withdrawn';
export type ExamResult = 'pass' | 'fail' | 'cancelled' | 'absent';

export interface ExamRegistrationTable {
  id: Generated<string>;
  planId: string;
  sessionId: string;
  personId: string;
  regionCode: string;
  registeredByOrganizationId: string | null;
  /** 1 = first sitting, 2 = the one retake (补考). */
  attempt: number;
  /** A theory pass of the previous sitting still valid (12 months): only the practical is retaken. */
  theoryCarried: Generated<boolean>;
  /** The eligibility evidence as computed when registering, never recomputed. */
  eligibility: ColumnType<unknown, string, string>;
  status: Generated<RegistrationStatus>;
  checkedInAt: Date | null;
  checkinDecision: string | null;
  checkinScore: number | null;
  checkinVerificationId: string | null;
  /** Where the candidate was checked in, when not the session's own site (E01); null = the session's site. */
  checkinSiteId: ColumnType<string | null, string | null | undefined, string | null>;
  overrideReason: string | null;
  overrideBy: string | null;
  theoryScore: Numeric;
  practicalScore: Numeric;
  practicalVeto: string | null;
  cancelledReason: string | null;
  result: ExamResult | null;
  createdAt: Generated<Date>;
}

export interface PaperQuestion {
  questionId: string;
  kind: QuestionKind;
  stem: string;
  /** Options in the order this candidate sees them. */
  options: string[];
  /** Correct displayed indexes: server side only, stripped before the paper leaves the server. */
  answer: number[];
  points: number;
  knowledgePoint: string;
}

export interface TheoryAttemptTable {
  id: Generated<string>;
  registrationId: string;
  paper: ColumnType<PaperQuestion[], string, string>;
  /** The browser tab that holds the exam; opening it elsewhere takes over (the old tab gets 409). */
  clientToken: string;
  startedAt: Date;
  deadlineAt: Date;
  submittedAt: Date | null;
  autoSubmitted: Generated<boolean>;
  score: Numeric;
  /** Where the paper was taken, when not the session's own site (E01); null = the session's site. */
  siteId: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TheoryAnswerTable {
  attemptId: string;
  position: number;
  choice: number[];
  savedAt: Date;
}

export interface PracticalScoreTable {
  id: Generated<string>;
  registrationId: string;
  subjectCode: string;
  taskCode: string;
  examinerPersonId: string | null;
  startedAt: Date | null;
  scoredAt: Date | null;
  points: Numeric;
  vetoItem: string | null;
  note: string | null;
}

export interface PatrolEventTable {
  id: Generated<string>;
  sessionId: string;
  registrationId: string | null;
  regionCode: string;
  kind: 'observation' | 'warning' | 'cancel';
  note: string;
  recordedBy: string;
  at: Date;
}

export type QuestionRow = Selectable<QuestionTable>;
export type ExamPlanRow = Selectable<ExamPlanTable>;
export type ExamSessionRow = Selectable<ExamSessionTable>;
export type ExamRegistrationRow = Selectable<ExamRegistrationTable>;
