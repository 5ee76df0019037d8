import { z } from 'zod';
import {
  certificateEventKinds,
  certificateKinds,
} from '../modules/certificates/certificates.contract.js';
import {
  AnswerBodySchema,
  BlueprintCreateSchema,
  BlueprintPartSchema,
  PatrolBodySchema,
  PracticalScoreBodySchema,
  QuestionCreateSchema,
  SessionCreateSchema,
  StoredEligibilitySchema,
} from '../modules/exams/exams.contract.js';
import { faceDecisions } from '../modules/faces/faces.contract.js';
import {
  duties,
  educationLevels,
  FacilitiesSchema,
  industries,
  organizationKinds,
  organizationStatuses,
  posts,
} from '../modules/registry/registry.contract.js';
import { archiveDocumentParts } from '../modules/training/classes.table.js';
import {
  CourseCreateSchema,
  segmentReasons,
  sessionEndReasons,
} from '../modules/training/online.contract.js';

/**
 * Exchange bundle v1 (CONTRACTS.md "Data exchange bundle", docs/bundle.md). Sections are optional
 * arrays; a later module adds its section as a new optional property, so every v1 file stays valid.
 * Unknown top-level keys are refused: a misspelt section must not silently drop data.
 *
 * A field the API also writes is held to the API's own schema (the module contracts' pieces are
 * reused here, not copied): the read routes trust what they stored, so an imported record of another
 * shape — an eligibility without checks, a face decision the engine never makes — would break them
 * for everyone who reads it (issue 12 point 10).
 */
const Ref = z.string().min(1).max(200);
const DateOnly = z.iso.date();

export const BundleOrganizationSchema = z
  .object({
    ref: Ref,
    kind: z.enum(organizationKinds),
    name: z.string().min(2).max(200),
    creditCode: z.string().min(1).max(18),
    regionCode: z.string().regex(/^\d{2,9}$/),
    industry: z.enum(industries).nullable().optional(),
    highRisk: z.boolean().optional(),
    scale: z.enum(['micro', 'small', 'medium', 'large']).nullable().optional(),
    address: z.string().max(300).nullable().optional(),
    contactPhone: z.string().max(40).nullable().optional(),
    status: z.enum(organizationStatuses).optional(),
    statusDecision: z.string().max(300).nullable().optional(),
    operatorRef: Ref.nullable().optional(),
    employeeCount: z.number().int().min(0).nullable().optional(),
    facilities: FacilitiesSchema.nullable().optional(),
  })
  .strict();

export const BundlePersonSchema = z
  .object({
    ref: Ref,
    /** Birth date and gender are derived from it; they are never carried separately. */
    idNumber: z.string().min(1).max(18),
    name: z.string().min(1).max(50),
    education: z.enum(educationLevels).nullable().optional(),
    phone: z.string().max(40).nullable().optional(),
  })
  .strict();

export const BundleStaffSchema = z
  .object({
    ref: Ref,
    personRef: Ref,
    organizationRef: Ref,
    duty: z.enum(duties),
    fullTime: z.boolean().optional(),
    laborContract: z.boolean().optional(),
    practiceYears: z.number().int().min(0).max(70).nullable().optional(),
    operationItems: z.array(z.string()).optional(),
    startDate: DateOnly,
    endDate: DateOnly.nullable().optional(),
  })
  .strict();

export const BundleEmploymentSchema = z
  .object({
    ref: Ref,
    personRef: Ref,
    organizationRef: Ref,
    post: z.enum(posts),
    operationItemCode: z.string().nullable().optional(),
    startDate: DateOnly,
    endDate: DateOnly.nullable().optional(),
  })
  .strict();

const DateTime = z.iso.datetime({ offset: true });

/** A regulator's syllabus version for its jurisdiction (the catalog default applies where none is). */
export const BundleSyllabusSchema = z
  .object({
    ref: Ref,
    regionCode: z.string().regex(/^\d{2,9}$/),
    operationItemCode: z.string().min(1).max(50),
    kind: z.enum(['initial', 'refresher', 'review']),
    theoryHours: z.number().min(0).max(1000),
    practicalHours: z.number().min(0).max(1000),
    effectiveFrom: DateOnly,
    source: z.string().min(2).max(500),
  })
  .strict();

export const BundleRoomSchema = z
  .object({
    ref: Ref,
    organizationRef: Ref,
    name: z.string().min(1).max(100),
    kind: z.enum(['theory', 'practical', 'exam']),
    capacity: z.number().int().min(0).nullable().optional(),
    areaM2: z.number().min(0).nullable().optional(),
  })
  .strict();

/** A terminal or camera; its API token is never in a bundle (the institution issues a new one). */
export const BundleDeviceSchema = z
  .object({
    ref: Ref,
    roomRef: Ref,
    kind: z.enum(['face_terminal', 'camera']),
    serial: z.string().min(1).max(100),
    name: z.string().min(1).max(100),
  })
  .strict();

export const BundleClassSchema = z
  .object({
    ref: Ref,
    organizationRef: Ref,
    code: z.string().min(1).max(50),
    name: z.string().min(1).max(200),
    operationItemCode: z.string().min(1).max(50),
    kind: z.enum(['initial', 'refresher', 'review']),
    headTeacherRef: Ref,
    startDate: DateOnly,
    endDate: DateOnly,
    traineeRefs: z.array(Ref).optional(),
    /**
     * Each trainee's own kind of training as the source system recorded it (initial / refresher /
     * review); they are on the roster whether or not traineeRefs lists them too. Detection (T06)
     * flags a class whose trainees' kinds differ from its own (初训、复训混合编班).
     */
    trainees: z
      .array(
        z
          .object({ personRef: Ref, trainingKind: z.enum(['initial', 'refresher', 'review']) })
          .strict(),
      )
      .optional(),
    /** The documents of its archive (一期一档: 课件清单, 教学日志, 查课记录, 评教, 总结, 质量评估). */
    documents: z
      .array(
        z
          .object({
            part: z.enum(archiveDocumentParts),
            title: z.string().min(1).max(200),
            content: z.string().max(100_000),
            createdAt: DateTime.optional(),
          })
          .strict(),
      )
      .optional(),
    /**
     * When the class was closed (结业). A closed class is sealed on import over the records this
     * bundle brings for it (the seal on the platform is made at closing), unless `sealed` is false:
     * the source system closed it without a seal. Detection (T11) judges a closed class's archive
     * for completeness and a sealed one for changes after sealing.
     */
    closedAt: DateTime.nullable().optional(),
    sealed: z.boolean().optional(),
  })
  .strict();

export const BundleLessonSchema = z
  .object({
    ref: Ref,
    classRef: Ref,
    mode: z.enum(['theory', 'practical', 'online']),
    topic: z.string().min(1).max(200),
    teacherRef: Ref,
    /** Who actually taught, as the teaching log records it, when not the planned teacher (T09). */
    taughtByRef: Ref.nullable().optional(),
    roomRef: Ref.nullable().optional(),
    startsAt: DateTime,
    endsAt: DateTime,
  })
  .strict();

/** A terminal's attendance event; its ref is the device event id (idempotency key). */
export const BundleAttendanceSchema = z
  .object({
    ref: Ref,
    deviceRef: Ref,
    personRef: Ref,
    type: z.enum(['check_in', 'check_out', 'random_check']),
    occurredAt: DateTime,
    matchScore: z.number().min(0).max(1).nullable().optional(),
    liveness: z.number().min(0).max(1).nullable().optional(),
    photoRef: z.string().max(500).nullable().optional(),
  })
  .strict();

export const BundleMakeupSchema = z
  .object({
    ref: Ref,
    lessonRef: Ref,
    personRef: Ref,
    startsAt: DateTime,
    endsAt: DateTime,
    reason: z.string().min(4).max(500),
  })
  .strict();

export const BundleRecordingSchema = z
  .object({
    ref: Ref,
    deviceRef: Ref,
    startsAt: DateTime,
    endsAt: DateTime,
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    storageUri: z.string().min(1).max(1000),
    sizeBytes: z.number().int().min(0).nullable().optional(),
  })
  .strict();

export const BundleOnlineCourseSchema = z
  .object({
    ref: Ref,
    classRef: Ref,
    title: CourseCreateSchema.shape.title,
    mediaKind: CourseCreateSchema.shape.mediaKind,
    mediaUrl: CourseCreateSchema.shape.mediaUrl,
    durationSeconds: CourseCreateSchema.shape.durationSeconds,
    /** The 学时 the course claims (T03: each needs onlineMinutesPerHour of real media). */
    claimedHours: z.number().positive().max(1000).nullable().optional(),
  })
  .strict();

/** An online learning session with its face checks and the segments the server accepted or refused. */
export const BundleOnlineSessionSchema = z
  .object({
    ref: Ref,
    courseRef: Ref,
    personRef: Ref,
    startedAt: DateTime,
    lastSeenAt: DateTime,
    positionSeconds: z.number().min(0).optional(),
    endedAt: DateTime.nullable().optional(),
    endReason: z.enum(sessionEndReasons).nullable().optional(),
    faceChecks: z
      .array(
        z
          .object({
            checkedAt: DateTime,
            passed: z.boolean(),
            decision: z.enum(faceDecisions),
            score: z.number().nullable().optional(),
          })
          .strict(),
      )
      .optional(),
    segments: z
      .array(
        z
          .object({
            startsAt: DateTime,
            endsAt: DateTime,
            positionFrom: z.number().min(0),
            positionTo: z.number().min(0),
            verified: z.boolean(),
            reason: z.enum(segmentReasons).nullable().optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

// ——— exams (src/bundle/exam-sections.ts) ———

const Score = z.number().min(0).max(1000);

/** A question of an exam authority's bank; a stem already in the authority's bank for the item is linked. */
export const BundleQuestionSchema = z
  .object({
    ref: Ref,
    authorityRef: Ref,
    itemCode: QuestionCreateSchema.shape.itemCode,
    kind: QuestionCreateSchema.shape.kind,
    stem: QuestionCreateSchema.shape.stem,
    options: QuestionCreateSchema.shape.options,
    /** Indexes into options (0 = A). */
    answer: QuestionCreateSchema.shape.answer,
    knowledgePoint: QuestionCreateSchema.shape.knowledgePoint,
    difficulty: z.number().int().min(1).max(5),
    status: z.enum(['active', 'retired']).optional(),
  })
  .strict();

export const BundleBlueprintSchema = z
  .object({
    ref: Ref,
    authorityRef: Ref,
    itemCode: BlueprintCreateSchema.shape.itemCode,
    name: BlueprintCreateSchema.shape.name,
    durationMinutes: BlueprintCreateSchema.shape.durationMinutes.unwrap(),
    passMark: z.number().int().min(0).max(1000),
    parts: z.array(BlueprintPartSchema.strict()).min(1).max(20),
  })
  .strict();

export const BundleExamPlanSchema = z
  .object({
    ref: Ref,
    authorityRef: Ref,
    certificateKind: z.enum(certificateKinds),
    itemCode: z.string().min(1).max(50),
    name: z.string().min(1).max(200),
    blueprintRef: Ref,
    status: z.enum(['open', 'closed']).optional(),
  })
  .strict();

export const BundleExamSessionSchema = z
  .object({
    ref: Ref,
    planRef: Ref,
    /** An exam site (考点). */
    siteRef: Ref,
    room: SessionCreateSchema.shape.room,
    startsAt: DateTime,
    endsAt: DateTime,
    capacity: SessionCreateSchema.shape.capacity,
    invigilatorRefs: z.array(Ref).max(50),
    examinerRefs: z.array(Ref).max(50),
    resultsPublishedAt: DateTime.nullable().optional(),
  })
  .strict();

/** A registration with its check-in, scores and result (the result of a sitting lives on it). */
export const BundleExamRegistrationSchema = z
  .object({
    ref: Ref,
    /** The plan is the session's. */
    sessionRef: Ref,
    personRef: Ref,
    registeredByOrganizationRef: Ref.nullable().optional(),
    attempt: z.number().int().min(1).max(2),
    theoryCarried: z.boolean().optional(),
    /** The eligibility evidence as judged when registering, carried verbatim (never re-judged). */
    eligibility: StoredEligibilitySchema,
    status: z.enum(['registered', 'checked_in', 'withdrawn']),
    checkedInAt: DateTime.nullable().optional(),
    /** The exam site whose check-in the candidate passed, when not the session's own (E01). */
    checkinSiteRef: Ref.nullable().optional(),
    checkinDecision: z.enum(faceDecisions).nullable().optional(),
    checkinScore: z.number().nullable().optional(),
    overrideReason: z.string().max(500).nullable().optional(),
    overrideBy: z.string().max(200).nullable().optional(),
    theoryScore: Score.nullable().optional(),
    practicalScore: PracticalScoreBodySchema.shape.points.nullable().optional(),
    practicalVeto: PracticalScoreBodySchema.shape.vetoItem.unwrap().optional(),
    cancelledReason: z.string().max(500).nullable().optional(),
    result: z.enum(['pass', 'fail', 'cancelled', 'absent']).nullable().optional(),
  })
  .strict();

/** A candidate's machine theory paper (questions in the order shown, with their keys) and answers. */
export const BundleTheoryAttemptSchema = z
  .object({
    ref: Ref,
    registrationRef: Ref,
    paper: z
      .array(
        z
          .object({
            questionRef: Ref,
            kind: QuestionCreateSchema.shape.kind,
            stem: QuestionCreateSchema.shape.stem,
            /** In the order this candidate saw them. */
            options: QuestionCreateSchema.shape.options,
            answer: QuestionCreateSchema.shape.answer,
            points: BlueprintPartSchema.shape.pointsEach,
            knowledgePoint: QuestionCreateSchema.shape.knowledgePoint,
          })
          .strict(),
      )
      .min(1)
      .max(1000),
    startedAt: DateTime,
    deadlineAt: DateTime,
    submittedAt: DateTime.nullable().optional(),
    autoSubmitted: z.boolean().optional(),
    score: Score.nullable().optional(),
    /** The exam site where the paper was taken, when not the session's own (E01). */
    siteRef: Ref.nullable().optional(),
    /** One per paper position answered; `choice` indexes the options as shown. */
    answers: z
      .array(
        z
          .object({
            position: z.number().int().min(0),
            choice: AnswerBodySchema.shape.choice,
            savedAt: DateTime,
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export const BundlePracticalScoreSchema = z
  .object({
    ref: Ref,
    registrationRef: Ref,
    /** A subject and task of the item's practical standard (catalog/practical.ts); checked in exam-sections. */
    subjectCode: z.string().min(1).max(50),
    taskCode: z.string().min(1).max(50),
    examinerRef: Ref.nullable().optional(),
    startedAt: DateTime.nullable().optional(),
    scoredAt: DateTime.nullable().optional(),
    points: PracticalScoreBodySchema.shape.points.nullable().optional(),
    vetoItem: PracticalScoreBodySchema.shape.vetoItem.unwrap().optional(),
    note: PracticalScoreBodySchema.shape.note.unwrap().nullable().optional(),
  })
  .strict();

export const BundlePatrolEventSchema = z
  .object({
    ref: Ref,
    sessionRef: Ref,
    registrationRef: Ref.nullable().optional(),
    kind: PatrolBodySchema.shape.kind,
    note: PatrolBodySchema.shape.note,
    recordedBy: z.string().min(1).max(200),
    at: DateTime,
  })
  .strict();

// ——— certificates (src/bundle/certificate-sections.ts) ———

/**
 * An exam authority's signing key: its public part only. The encrypted private key never leaves the
 * database; a key that comes in is stored retired (the target cannot sign with it), so old cards verify
 * and the authority signs new ones with a key of the target's own. Keyed by its kid, not by a ref.
 */
export const BundleAuthorityKeySchema = z
  .object({
    kid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    organizationRef: Ref,
    /** Raw 32-byte Ed25519 public key, base64url. */
    publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    createdAt: DateTime,
    retiredAt: DateTime.nullable().optional(),
  })
  .strict();

/** A certificate as issued, with its current card's signed QR; it keeps the id the QR names. */
export const BundleCertificateSchema = z
  .object({
    ref: Ref,
    number: z.string().min(1).max(50),
    kind: z.enum(certificateKinds),
    personRef: Ref,
    operationItemCode: z.string().min(1).max(50),
    authorityRef: Ref,
    issuedOn: DateOnly,
    validUntil: DateOnly,
    cardEdition: z.number().int().min(1).max(9999),
    /** The key that signed the current card: in authorityKeys or already in the database. */
    kid: z.string().min(1).max(64),
    qrPayload: z.string().min(1).max(1000),
    /** The exam registration (sitting) it was issued from, if any. */
    registrationRef: Ref.nullable().optional(),
  })
  .strict();

export const BundleCertificateEventSchema = z
  .object({
    ref: Ref,
    certificateRef: Ref,
    kind: z.enum(certificateEventKinds),
    occurredOn: DateOnly,
    extended: z.boolean().optional(),
    fraud: z.boolean().optional(),
    banUntil: DateOnly.nullable().optional(),
    reason: z.string().max(500).nullable().optional(),
    cardEdition: z.number().int().min(1).max(9999).nullable().optional(),
    recordedBy: z.string().min(1).max(200),
  })
  .strict();

export const BundleSchema = z
  .object({
    format: z.literal('zhenxun.bundle'),
    version: z.literal(1),
    generatedAt: z.iso.datetime({ offset: true }).optional(),
    source: z
      .object({ system: z.string().max(200).optional(), note: z.string().max(2000).optional() })
      .strict()
      .optional(),
    organizations: z.array(BundleOrganizationSchema).optional(),
    persons: z.array(BundlePersonSchema).optional(),
    staff: z.array(BundleStaffSchema).optional(),
    employments: z.array(BundleEmploymentSchema).optional(),
    syllabi: z.array(BundleSyllabusSchema).optional(),
    rooms: z.array(BundleRoomSchema).optional(),
    devices: z.array(BundleDeviceSchema).optional(),
    classes: z.array(BundleClassSchema).optional(),
    lessons: z.array(BundleLessonSchema).optional(),
    attendance: z.array(BundleAttendanceSchema).optional(),
    makeups: z.array(BundleMakeupSchema).optional(),
    recordings: z.array(BundleRecordingSchema).optional(),
    onlineCourses: z.array(BundleOnlineCourseSchema).optional(),
    onlineSessions: z.array(BundleOnlineSessionSchema).optional(),
    questions: z.array(BundleQuestionSchema).optional(),
    blueprints: z.array(BundleBlueprintSchema).optional(),
    examPlans: z.array(BundleExamPlanSchema).optional(),
    examSessions: z.array(BundleExamSessionSchema).optional(),
    examRegistrations: z.array(BundleExamRegistrationSchema).optional(),
    theoryAttempts: z.array(BundleTheoryAttemptSchema).optional(),
    practicalScores: z.array(BundlePracticalScoreSchema).optional(),
    patrolEvents: z.array(BundlePatrolEventSchema).optional(),
    authorityKeys: z.array(BundleAuthorityKeySchema).optional(),
    certificates: z.array(BundleCertificateSchema).optional(),
    certificateEvents: z.array(BundleCertificateEventSchema).optional(),
  })
  .strict();

export type Bundle = z.infer<typeof BundleSchema>;
export type BundleOrganization = z.infer<typeof BundleOrganizationSchema>;
export type BundlePerson = z.infer<typeof BundlePersonSchema>;
export type BundleStaff = z.infer<typeof BundleStaffSchema>;
export type BundleEmployment = z.infer<typeof BundleEmploymentSchema>;
export type BundleClass = z.infer<typeof BundleClassSchema>;

/** The sections in dependency order: a section refers only to sections before it. */
export const registrySections = ['organizations', 'persons', 'staff', 'employments'] as const;
export const trainingSections = [
  'syllabi',
  'rooms',
  'devices',
  'classes',
  'lessons',
  'attendance',
  'makeups',
  'recordings',
  'onlineCourses',
  'onlineSessions',
] as const;
export const examSections = [
  'questions',
  'blueprints',
  'examPlans',
  'examSessions',
  'examRegistrations',
  'theoryAttempts',
  'practicalScores',
  'patrolEvents',
] as const;
export const certificateSections = ['authorityKeys', 'certificates', 'certificateEvents'] as const;
export const bundleSections = [
  ...registrySections,
  ...trainingSections,
  ...examSections,
  ...certificateSections,
] as const;
export type TrainingSection = (typeof trainingSections)[number];
export type BundleSection = (typeof bundleSections)[number];
/** Sections whose records are keyed by a natural key instead of an author's ref (an authority key by its kid). */
export const keyOf = (section: BundleSection, record: { ref?: string; kid?: string }): string =>
  section === 'authorityKeys' ? record.kid! : record.ref!;

export const BundleErrorSchema = z.object({
  section: z.string().nullable(),
  index: z.number().nullable(),
  ref: z.string().nullable(),
  field: z.string(),
  code: z.string(),
  message: z.string(),
});
export type BundleError = z.infer<typeof BundleErrorSchema>;

export function bundleJsonSchema(): Record<string, unknown> {
  return {
    $id: '/schemas/bundle.json',
    title: '真训 ZhenXun exchange bundle v1',
    description:
      'Registry (organizations, persons, staff, employments), training (rooms, devices, classes, lessons, attendance, make-ups, recordings, online courses and sessions), exams (questions, blueprints, plans, sessions, registrations with results, theory attempts, practical scores, patrol events) and certificates (authority public keys, certificates, certificate events); every section optional. See docs/bundle.md.',
    ...z.toJSONSchema(BundleSchema, { target: 'draft-2020-12' }),
  };
}
