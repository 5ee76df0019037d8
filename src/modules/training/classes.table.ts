import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** `date` columns come back as 'YYYY-MM-DD' strings (the pg type parser is set in database.ts). */
type DateString = ColumnType<string, string, string>;

export const classKinds = ['initial', 'refresher', 'review'] as const;
export type ClassKind = (typeof classKinds)[number];
export const lessonModes = ['theory', 'practical', 'online'] as const;
export type LessonMode = (typeof lessonModes)[number];
export const archiveDocumentParts = [
  'courseware_list',
  'teaching_log',
  'expert_check',
  'evaluation',
  'summary',
  'quality_assessment',
] as const;
export type ArchiveDocumentPart = (typeof archiveDocumentParts)[number];

export interface TrainingClassTable {
  id: Generated<string>;
  organizationId: string;
  regionCode: string;
  code: string;
  name: string;
  operationItemCode: string;
  kind: ClassKind;
  headTeacherId: string;
  startDate: DateString;
  endDate: DateString;
  syllabusTheoryHours: number;
  syllabusPracticalHours: number;
  status: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>;
  closedAt: Date | null;
  createdAt: Timestamp;
}

export interface ClassTraineeTable {
  id: Generated<string>;
  classId: string;
  personId: string;
  organizationId: string;
  regionCode: string;
  enrolledAt: Timestamp;
  /** The trainee's own kind of training as enrolled or recorded by the source system (T06). */
  trainingKind: ColumnType<ClassKind | null, ClassKind | null | undefined, ClassKind | null>;
}

export interface LessonWarning {
  rule: string;
  message: string;
}

export interface LessonTable {
  id: Generated<string>;
  classId: string;
  organizationId: string;
  regionCode: string;
  mode: LessonMode;
  topic: string;
  teacherId: string;
  /** Who actually taught, as the teaching log records it (T09); null = the planned teacher. */
  taughtById: ColumnType<string | null, string | null | undefined, string | null>;
  roomId: string | null;
  startsAt: Timestamp;
  endsAt: Timestamp;
  warnings: ColumnType<LessonWarning[], string | undefined, string>;
  createdAt: Timestamp;
}

export interface AttendanceMakeupTable {
  id: Generated<string>;
  lessonId: string;
  classId: string;
  personId: string;
  organizationId: string;
  regionCode: string;
  startsAt: Timestamp;
  endsAt: Timestamp;
  reason: string;
  enteredBy: string | null;
  createdAt: Timestamp;
}

export interface RecordingTable {
  id: Generated<string>;
  organizationId: string;
  regionCode: string;
  roomId: string;
  deviceId: string;
  deviceRecordingId: string;
  startsAt: Timestamp;
  endsAt: Timestamp;
  sha256: string;
  storageUri: string;
  sizeBytes: number | null;
  receivedAt: Timestamp;
}

export interface OnlineCourseTable {
  id: Generated<string>;
  classId: string;
  organizationId: string;
  regionCode: string;
  title: string;
  mediaKind: 'video' | 'document';
  mediaUrl: string;
  durationSeconds: number;
  /** 学时 the course claims (numeric: comes back as a string); null = not stated (T02, T03). */
  claimedHours: ColumnType<string | null, number | null | undefined, number | null>;
  createdAt: Timestamp;
}

export interface OnlineSessionTable {
  id: Generated<string>;
  classId: string;
  courseId: string;
  personId: string;
  organizationId: string;
  regionCode: string;
  startedAt: Timestamp;
  lastSeenAt: Timestamp;
  positionSeconds: Generated<number>;
  lastPassedCheckAt: Date | null;
  endedAt: Date | null;
  endReason: string | null;
}

export interface OnlineFaceCheckTable {
  id: Generated<string>;
  sessionId: string;
  personId: string;
  checkedAt: Timestamp;
  passed: boolean;
  decision: string;
  score: number | null;
  faceVerificationId: string | null;
}

export interface OnlineSegmentTable {
  id: Generated<string>;
  sessionId: string;
  classId: string;
  personId: string;
  regionCode: string;
  startsAt: Timestamp;
  endsAt: Timestamp;
  positionFrom: number;
  positionTo: number;
  verified: boolean;
  reason: string | null;
}

export interface ClassDocumentTable {
  id: Generated<string>;
  classId: string;
  organizationId: string;
  regionCode: string;
  part: ArchiveDocumentPart;
  title: string;
  content: string;
  createdBy: string | null;
  createdAt: Timestamp;
}

export interface ClassSealTable {
  classId: string;
  root: string;
  leaves: ColumnType<SealLeaf[], string, string>;
  sealedAt: Timestamp;
  sealedBy: string | null;
  /** The sealed records (canonical JSON values), so verify can say which field changed; null before 0020. */
  records: ColumnType<SealedRecord[] | null, string | null | undefined, string | null>;
}

/** One record as it was sealed. */
export interface SealedRecord {
  kind: string;
  id: string;
  record: Record<string, unknown>;
}

/** One record of a sealed archive: what it is and the SHA-256 of its canonical JSON. */
export interface SealLeaf {
  kind: string;
  id: string;
  hash: string;
}
