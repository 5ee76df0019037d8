import { z } from 'zod';
import { certificateKinds } from '../certificates/certificates.contract.js';

export const questionKinds = ['single', 'multiple', 'judge'] as const;
const Id = z.uuid();
const Text = (max: number) => z.string().trim().min(1).max(max);
const Reason = Text(500);

export const QuestionCreateSchema = z
  .object({
    itemCode: Text(20),
    kind: z.enum(questionKinds),
    stem: Text(2000),
    options: z.array(Text(500)).min(2).max(8),
    /** Indexes into options (0 = A). */
    answer: z.array(z.number().int().min(0).max(7)).min(1).max(8),
    knowledgePoint: Text(100),
    difficulty: z.number().int().min(1).max(5).default(3),
  })
  .meta({ id: 'QuestionCreate' });
export type QuestionCreate = z.infer<typeof QuestionCreateSchema>;

export const QuestionSchema = QuestionCreateSchema.extend({
  id: z.string(),
  status: z.string(),
}).meta({ id: 'Question' });

export const QuestionImportSchema = z.object({
  fileName: z.string().max(200).optional(),
  file: z.string().min(10).max(20_000_000).describe('the .xlsx file, base64'),
});
export const QuestionImportResultSchema = z.object({
  created: z.number(),
  updated: z.number(),
  total: z.number(),
});

export const BlueprintPartSchema = z.object({
  kind: z.enum(questionKinds),
  knowledgePoint: z.string().trim().min(1).max(100).nullable().default(null),
  count: z.number().int().min(1).max(200),
  pointsEach: z.number().positive().max(100),
});
export const BlueprintCreateSchema = z
  .object({
    itemCode: Text(20),
    name: Text(100),
    parts: z.array(BlueprintPartSchema).min(1).max(20),
    durationMinutes: z.number().int().min(10).max(240).optional(),
  })
  .meta({ id: 'BlueprintCreate' });
export const BlueprintSchema = z.object({
  id: z.string(),
  itemCode: z.string(),
  name: z.string(),
  durationMinutes: z.number(),
  passMark: z.number(),
  parts: z.array(BlueprintPartSchema),
  available: z.array(z.number()),
});

export const PlanCreateSchema = z
  .object({
    certificateKind: z.enum(certificateKinds),
    itemCode: Text(20),
    name: Text(100),
    blueprintId: Id,
  })
  .meta({ id: 'ExamPlanCreate' });
export const SessionCreateSchema = z
  .object({
    siteId: Id,
    room: Text(100),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    capacity: z.number().int().min(1).max(500),
    invigilatorIds: z.array(Id).min(1).max(20),
    examinerIds: z.array(Id).max(20).default([]),
  })
  .meta({ id: 'ExamSessionCreate' });
export type SessionCreate = z.infer<typeof SessionCreateSchema>;

export const SessionSchema = z.object({
  id: z.string(),
  planId: z.string(),
  siteId: z.string(),
  siteName: z.string(),
  room: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  capacity: z.number(),
  registered: z.number(),
  invigilatorIds: z.array(z.string()),
  examinerIds: z.array(z.string()),
  resultsPublishedAt: z.string().nullable(),
  /** The last day for publishing results (10 working days after the session, 30号令 第十五条). */
  resultsDueOn: z.string(),
  resultsOverdue: z.boolean(),
});
export const PlanSchema = z.object({
  id: z.string(),
  authorityId: z.string(),
  authorityName: z.string(),
  regionCode: z.string(),
  certificateKind: z.enum(certificateKinds),
  itemCode: z.string(),
  itemName: z.string(),
  name: z.string(),
  blueprintId: z.string(),
  status: z.string(),
  sessions: z.array(SessionSchema),
});

export const RegistrationCreateSchema = z
  .object({ personId: Id.optional(), sessionId: Id.optional() })
  .meta({ id: 'ExamRegistrationCreate' });

export const EligibilityCheckSchema = z.object({
  code: z.string(),
  passed: z.boolean(),
  message: z.string(),
  evidence: z.record(z.string(), z.unknown()),
});
/**
 * The eligibility a registration keeps, as registering stores it (exams.service register): the checks
 * with their evidence, when they were judged and for which exam day. The registration views read it
 * back as is, so a record of any other shape (an import, a bundle) must be refused where it comes in.
 */
export const StoredEligibilitySchema = z
  .object({
    eligible: z.boolean(),
    checks: z.array(
      EligibilityCheckSchema.extend({
        code: z.string().min(1).max(100),
        message: z.string().max(2000),
      }).strict(),
    ),
    judgedAt: z.iso.datetime({ offset: true }).optional(),
    examDate: z.iso.date().optional(),
  })
  .strict();
export type StoredEligibility = z.infer<typeof StoredEligibilitySchema>;
export const PracticalTaskViewSchema = z.object({
  subjectCode: z.string(),
  subjectName: z.string(),
  weight: z.number(),
  taskCode: z.string(),
  taskName: z.string(),
  vetoItems: z.array(z.string()),
  points: z.number().nullable(),
  vetoItem: z.string().nullable(),
  examinerPersonId: z.string().nullable(),
  state: z.enum(['waiting', 'scoring', 'scored']),
});
export const PatrolEventSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  registrationId: z.string().nullable(),
  kind: z.enum(['observation', 'warning', 'cancel']),
  note: z.string(),
  recordedBy: z.string(),
  at: z.string(),
});

export const RegistrationSchema = z.object({
  id: z.string(),
  planId: z.string(),
  planName: z.string(),
  certificateKind: z.enum(certificateKinds),
  itemCode: z.string(),
  itemName: z.string(),
  sessionId: z.string(),
  siteName: z.string(),
  room: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  personId: z.string(),
  name: z.string(),
  attempt: z.number(),
  theoryCarried: z.boolean(),
  status: z.string(),
  eligibility: z.object({ eligible: z.boolean(), checks: z.array(EligibilityCheckSchema) }),
  checkedInAt: z.string().nullable(),
  checkinDecision: z.string().nullable(),
  overrideReason: z.string().nullable(),
  theoryScore: z.number().nullable(),
  theoryState: z.enum(['not_started', 'running', 'submitted', 'carried']),
  practicalScore: z.number().nullable(),
  practicalVeto: z.string().nullable(),
  practical: z.array(PracticalTaskViewSchema),
  result: z.string().nullable(),
  cancelledReason: z.string().nullable(),
  /** Results are shown to the candidate once the session's results are published. */
  published: z.boolean(),
  certificateId: z.string().nullable(),
  warnings: z.array(PatrolEventSchema),
});

export const CheckInBodySchema = z.object({ image: z.string().min(100).max(12_000_000) });
export const CheckInResultSchema = z.object({
  checkedIn: z.boolean(),
  decision: z.string(),
  score: z.number().nullable(),
  message: z.string(),
  overridable: z.boolean(),
});
export const OverrideBodySchema = z.object({ reason: Reason });

export const AttemptQuestionSchema = z.object({
  position: z.number(),
  kind: z.enum(questionKinds),
  stem: z.string(),
  options: z.array(z.string()),
  points: z.number(),
});
export const AttemptSchema = z.object({
  id: z.string(),
  registrationId: z.string(),
  clientToken: z.string(),
  startedAt: z.string(),
  deadlineAt: z.string(),
  remainingSeconds: z.number(),
  submitted: z.boolean(),
  score: z.number().nullable(),
  questions: z.array(AttemptQuestionSchema),
  answers: z.array(z.object({ position: z.number(), choice: z.array(z.number()) })),
  warnings: z.array(PatrolEventSchema),
});
export const AnswerBodySchema = z.object({
  clientToken: z.string().min(10).max(100),
  choice: z.array(z.number().int().min(0).max(7)).max(8),
});
export const AnswerResultSchema = z.object({
  position: z.number(),
  savedAt: z.string(),
  remainingSeconds: z.number(),
});
export const SubmitBodySchema = z.object({ clientToken: z.string().min(10).max(100) });
export const SubmitResultSchema = z.object({
  score: z.number(),
  passed: z.boolean(),
  passMark: z.number(),
  autoSubmitted: z.boolean(),
});

export const PracticalScoreBodySchema = z.object({
  points: z.number().min(0).max(100),
  vetoItem: z.string().trim().min(1).max(200).nullable().default(null),
  note: z.string().trim().max(500).optional(),
});
export const PatrolBodySchema = z.object({
  kind: z.enum(['observation', 'warning', 'cancel']),
  note: Reason,
  registrationId: Id.optional(),
});

export const RunningSessionSchema = SessionSchema.extend({
  planName: z.string(),
  itemName: z.string(),
  candidates: z.array(
    z.object({
      registrationId: z.string(),
      name: z.string(),
      status: z.string(),
      theoryState: z.string(),
      answered: z.number(),
      questions: z.number(),
      result: z.string().nullable(),
      cancelledReason: z.string().nullable(),
    }),
  ),
  events: z.array(PatrolEventSchema),
});
