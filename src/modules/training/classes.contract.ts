import { z } from 'zod';
import { classKinds } from './classes.table.js';

const isoDate = z.iso.date();

/**
 * Where a class is in its life, from its dates (Beijing day) and its seal: 未开班 before the start,
 * 培训中 from the start to the end date, 已结业 after it (not yet sealed), 已结业封档 once sealed.
 */
export const classPhases = ['upcoming', 'running', 'finished', 'sealed'] as const;
export type ClassPhase = (typeof classPhases)[number];
const isoDateTime = z.iso.datetime({ offset: true });

export const TraineeInputSchema = z.object({
  /** 居民身份证号码; with the name it identifies the person (一人一档), creating the file if new. */
  idNumber: z.string().min(15).max(18),
  name: z.string().min(1).max(50),
  /** The kind of training this trainee needs; must equal the class's kind (培训班不得混编). */
  trainingKind: z.enum(classKinds).optional(),
});

export const ClassCreateSchema = z.object({
  code: z.string().min(1).max(50),
  name: z.string().min(1).max(200),
  operationItemCode: z.string().min(1).max(50),
  kind: z.enum(classKinds),
  headTeacherId: z.uuid(),
  startDate: isoDate,
  endDate: isoDate,
  trainees: z.array(TraineeInputSchema).max(500).optional(),
});
export type ClassCreate = z.infer<typeof ClassCreateSchema>;

export const LessonCreateSchema = z.object({
  content: z.enum(['theory', 'practical']),
  online: z.boolean().default(false),
  topic: z.string().min(1).max(200),
  teacherId: z.uuid(),
  roomId: z.uuid().nullable().optional(),
  startsAt: isoDateTime,
  endsAt: isoDateTime,
});
export type LessonCreate = z.infer<typeof LessonCreateSchema>;

export const MakeupCreateSchema = z.object({
  personId: z.uuid(),
  /** Defaults to the whole lesson. */
  startsAt: isoDateTime.optional(),
  endsAt: isoDateTime.optional(),
  reason: z.string().trim().min(4, '补录必须写明原因（至少4个字）').max(500),
});

export const ClassListQuerySchema = z.object({
  q: z.string().max(100).optional(),
  status: z.enum(['open', 'closed']).optional(),
  phase: z.enum(classPhases).optional(),
  organizationId: z.uuid().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export const ClassSummarySchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  organizationId: z.string(),
  organizationName: z.string(),
  regionCode: z.string(),
  operationItemCode: z.string(),
  kind: z.enum(classKinds),
  startDate: z.string(),
  endDate: z.string(),
  status: z.enum(['open', 'closed']),
  phase: z.enum(classPhases),
  traineeCount: z.number(),
  lessonCount: z.number(),
  warningCount: z.number(),
  /** The planning rules over the whole plan, counted by severity: what the class page lists. */
  findingCounts: z.object({ refuse: z.number(), warn: z.number() }),
});

const FindingSchema = z.object({
  rule: z.string(),
  severity: z.enum(['refuse', 'warn']),
  message: z.string(),
  source: z.string(),
});

export const LessonSchema = z.object({
  id: z.string(),
  mode: z.enum(['theory', 'practical', 'online']),
  topic: z.string(),
  teacherId: z.string(),
  teacherName: z.string(),
  roomId: z.string().nullable(),
  roomName: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  warnings: z.array(z.object({ rule: z.string(), message: z.string() })),
});

export const ClassDetailSchema = ClassSummarySchema.extend({
  headTeacherId: z.string(),
  headTeacherName: z.string(),
  syllabus: z.object({ theoryHours: z.number(), practicalHours: z.number() }),
  policy: z.object({
    applied: z.array(z.string()),
    offlineMinutesPerHour: z.number(),
    onlineMinutesPerHour: z.number(),
    onlineTheoryShareMax: z.number(),
    practicalHoursPerDayMax: z.number().nullable(),
    uncoveredTimeCounts: z.boolean(),
  }),
  roster: z.array(z.object({ personId: z.string(), name: z.string(), idNumberMasked: z.string() })),
  lessons: z.array(LessonSchema),
  /** The planning rules run again over the whole plan (catches what came in by import). */
  findings: z.array(FindingSchema.extend({ lessonId: z.string() })),
});

/** not_started: the lesson has not begun, so nobody is absent yet. */
export const rosterStatuses = [
  'not_started',
  'present',
  'left',
  'absent',
  'face_failed',
  'makeup',
] as const;

export const RosterEntrySchema = z.object({
  personId: z.string(),
  name: z.string(),
  status: z.enum(rosterStatuses),
  firstIn: z.string().nullable(),
  lastOut: z.string().nullable(),
  lastMatchScore: z.number().nullable(),
  events: z.number(),
  makeupReason: z.string().nullable(),
});

export const IntervalSchema = z.object({ from: z.string(), to: z.string() });

export const CoverageSchema = z.object({
  lessonId: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  lessonMinutes: z.number(),
  coveredMinutes: z.number(),
  covered: z.array(IntervalSchema),
  gaps: z.array(IntervalSchema),
  recordings: z.array(
    z.object({
      id: z.string(),
      deviceName: z.string(),
      startsAt: z.string(),
      endsAt: z.string(),
      sha256: z.string(),
      storageUri: z.string(),
    }),
  ),
});

export const LedgerRowSchema = z.object({
  classId: z.string(),
  classCode: z.string(),
  personId: z.string(),
  name: z.string(),
  theoryHours: z.number(),
  practicalHours: z.number(),
  onlineHours: z.number(),
  onlineHoursCounted: z.number(),
  syllabusTheoryHours: z.number(),
  syllabusPracticalHours: z.number(),
  theoryMet: z.boolean(),
  practicalMet: z.boolean(),
  makeups: z.number(),
});

export const LedgerEvidenceSchema = z.object({
  lessons: z.array(
    z.object({
      lessonId: z.string(),
      mode: z.string(),
      topic: z.string(),
      startsAt: z.string(),
      endsAt: z.string(),
      presence: z.array(IntervalSchema),
      coverage: z.array(IntervalSchema),
      countedMinutes: z.number(),
      makeupReason: z.string().nullable(),
      eventIds: z.array(z.string()),
    }),
  ),
  online: z.object({
    verifiedMinutes: z.number(),
    segments: z.number(),
    unverifiedSegments: z.number(),
  }),
});

export const RecordingUploadSchema = z.object({ recordings: z.array(z.unknown()).min(1).max(500) });
export const DeviceRecordingSchema = z.object({
  recordingId: z.string().min(1).max(200),
  startedAt: isoDateTime,
  endedAt: isoDateTime,
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'sha256 must be 64 hex digits'),
  storageUri: z.string().min(1).max(1000),
  sizeBytes: z.number().int().min(0).optional(),
});
export type DeviceRecording = z.infer<typeof DeviceRecordingSchema>;
