import { z } from 'zod';
import { posts } from '../registry/registry.contract.js';

/** What a check of a declared certificate number found (certificate-check.rules.ts). */
export const certificateCheckOutcomes = [
  'valid',
  'review_due',
  'not_found',
  'other_holder',
  'other_item',
  'revoked',
  'expired',
  'cancelled',
] as const;
export type CertificateCheckOutcome = (typeof certificateCheckOutcomes)[number];
/** 持假证 (fake), 无证上岗 (uncertified), 证书过期 (expired). */
export const certificateCheckFlags = ['fake', 'uncertified', 'expired'] as const;
export type CertificateCheckFlag = (typeof certificateCheckFlags)[number];

/** Internal training (全员培训); the three 三级安全教育 levels are sessions of their level. */
export const trainingSessionKinds = [
  'pre_job',
  'three_level_company',
  'three_level_workshop',
  'three_level_team',
  'annual',
  'manager',
  'special',
  'other',
] as const;
export type TrainingSessionKind = (typeof trainingSessionKinds)[number];
export const trainingAssessments = ['passed', 'failed'] as const;
export type TrainingAssessment = (typeof trainingAssessments)[number];

export const obligationCodes = [
  'manager_certificate',
  'manager_retraining',
  'special_certificate',
  'certificate_review',
  'away_practical_exam',
  'pre_job_training',
  'three_level_education',
  'employee_annual_training',
  'in_house_trainers',
  'annual_plan',
] as const;
export type ObligationCode = (typeof obligationCodes)[number];
export const obligationStates = ['ok', 'due_soon', 'overdue'] as const;
export type ObligationState = (typeof obligationStates)[number];

export const EvidenceRefSchema = z.object({
  kind: z.enum([
    'employment',
    'certificate',
    'certificate_check',
    'training_record',
    'training_plan',
    'organization',
  ]),
  id: z.string(),
  label: z.string(),
});
export type EvidenceRef = z.infer<typeof EvidenceRefSchema>;

export const ObligationSchema = z
  .object({
    code: z.enum(obligationCodes),
    state: z.enum(obligationStates),
    /** The day by which it must be met (null when it has no date, e.g. a ratio). */
    dueDate: z.string().nullable(),
    /** Legal basis with its source (RULES.md §A/§B via the catalog). */
    rule: z.string(),
    /** What is required and what the records show, in words. */
    detail: z.string(),
    required: z.number().nullable(),
    actual: z.number().nullable(),
    employmentId: z.string().nullable(),
    personId: z.string().nullable(),
    personName: z.string().nullable(),
    evidence: z.array(EvidenceRefSchema),
  })
  .meta({ id: 'Obligation' });
export type Obligation = z.infer<typeof ObligationSchema>;

export const LedgerCertificateSchema = z.object({
  id: z.string(),
  number: z.string(),
  kind: z.enum(['special_operation', 'competency']),
  operationItemCode: z.string(),
  state: z.string(),
  validUntil: z.string(),
});

export const CertificateCheckViewSchema = z.object({
  id: z.string(),
  declaredNumber: z.string(),
  checkedOn: z.string(),
  outcome: z.enum(certificateCheckOutcomes),
  flag: z.enum(certificateCheckFlags).nullable(),
  message: z.string(),
});
export type CertificateCheckView = z.infer<typeof CertificateCheckViewSchema>;

export const LedgerEntrySchema = z
  .object({
    employmentId: z.string(),
    personId: z.string(),
    personName: z.string(),
    idNumberMasked: z.string(),
    post: z.enum(posts),
    operationItemCode: z.string().nullable(),
    startDate: z.string(),
    endDate: z.string().nullable(),
    department: z.string().nullable(),
    dispatchCompany: z.string().nullable(),
    declaredCertificateNumber: z.string().nullable(),
    certificates: z.array(LedgerCertificateSchema),
    lastCheck: CertificateCheckViewSchema.nullable(),
    trainingHoursThisYear: z.number(),
    overdue: z.number(),
    dueSoon: z.number(),
  })
  .meta({ id: 'LedgerEntry' });
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

export const LedgerQuerySchema = z.object({
  q: z.string().max(100).optional(),
  post: z.enum(posts).optional(),
  problems: z.enum(['true', 'false']).optional(),
  current: z.enum(['true', 'false']).default('true'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export const LedgerPageSchema = z.object({
  organization: z.object({
    id: z.string(),
    name: z.string(),
    industry: z.string().nullable(),
    highRisk: z.boolean(),
    regionCode: z.string(),
    employeeCount: z.number().nullable(),
  }),
  items: z.array(LedgerEntrySchema),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});

export const LedgerImportSchema = z.object({
  file: z.string().min(10).max(40_000_000).describe('the .xlsx file, base64'),
});

export const LedgerImportResultSchema = z.object({
  rows: z.number(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  personsCreated: z.number(),
  flagged: z.number(),
});

export const DeclareCertificateSchema = z.object({
  number: z.string().trim().min(4).max(40),
});

export const ObligationsAnswerSchema = z.object({
  organizationId: z.string(),
  organizationName: z.string(),
  asOf: z.string(),
  summary: z.object({ ok: z.number(), dueSoon: z.number(), overdue: z.number() }),
  items: z.array(ObligationSchema),
});
export type ObligationsAnswer = z.infer<typeof ObligationsAnswerSchema>;

export const TrainingPlanCreateSchema = z.object({
  year: z.number().int().min(2000).max(2100),
  title: z.string().trim().min(2).max(200),
  content: z.string().trim().min(2).max(4000),
  plannedHours: z.number().min(0).max(10000),
});

export const TrainingSessionCreateSchema = z
  .object({
    kind: z.enum(trainingSessionKinds),
    title: z.string().trim().min(2).max(200),
    content: z.string().trim().min(2).max(4000),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    hours: z.number().positive().max(200),
    trainerPersonId: z.uuid().nullable().optional(),
    participants: z
      .array(
        z.object({
          personId: z.uuid(),
          hours: z.number().min(0).max(200).optional(),
          assessment: z.enum(trainingAssessments).nullable().optional(),
        }),
      )
      .min(1)
      .max(5000),
  })
  .refine((s) => s.endsAt > s.startsAt, { message: 'ends before it starts', path: ['endsAt'] });
export type TrainingSessionCreate = z.infer<typeof TrainingSessionCreateSchema>;

export const DashboardSchema = z.object({
  organizationId: z.string(),
  organizationName: z.string(),
  asOf: z.string(),
  headcount: z.number(),
  specialOperators: z.number(),
  /** 持证上岗率: special operators and high-risk managers whose certificate is in force. */
  certifiedRate: z.number().nullable(),
  /** 参训率: people with training records this year, of those in post. */
  trainedRate: z.number().nullable(),
  /** Assessment pass rate of this year's internal training records with a result. */
  passRate: z.number().nullable(),
  overdue: z.number(),
  dueSoon: z.number(),
  dueThisMonth: z.array(ObligationSchema),
  worstPosts: z.array(z.object({ post: z.enum(posts), overdue: z.number() })),
  byCode: z.array(
    z.object({ code: z.enum(obligationCodes), overdue: z.number(), dueSoon: z.number() }),
  ),
});
export type Dashboard = z.infer<typeof DashboardSchema>;

export const EnterpriseListQuerySchema = z.object({
  q: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
