import { z } from 'zod';
import { checklistSubjectKinds, prefillSources } from '../../catalog/checklists.js';
import { findingSeverities } from '../../catalog/findings.js';

/** Requests of the supervision API (PRODUCT.md §2.6); isomorphic, the web imports them. */

const DateOnly = z.iso.date();
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 hex');
const Base64 = z.string().min(4).max(14_000_000).describe('file content, base64');

export const subjectKindSchema = z.enum(checklistSubjectKinds);

export const ChecklistItemSchema = z.object({
  code: z.string().min(1).max(40),
  text: z.string().min(2).max(1000),
  basis: z.string().min(2).max(500),
  severity: z.enum(findingSeverities),
  prefill: z.enum(prefillSources).nullable().optional(),
});

export const TemplateVersionCreateSchema = z.object({
  name: z.string().min(2).max(200).optional(),
  source: z.string().min(2).max(500).optional(),
  items: z.array(ChecklistItemSchema).min(1).max(200),
});
export type TemplateVersionCreate = z.infer<typeof TemplateVersionCreateSchema>;

export const PlanCreateSchema = z.object({
  year: z.number().int().min(2000).max(2100),
  name: z.string().min(2).max(200),
  subjectKinds: z.array(subjectKindSchema).min(1),
  targetCount: z.number().int().min(0).max(100_000),
  notes: z.string().max(2000).optional(),
});
export type PlanCreate = z.infer<typeof PlanCreateSchema>;

export const DrawCreateSchema = z.object({
  regionCode: z
    .string()
    .regex(/^\d{2,12}$/)
    .optional(),
  subjectKinds: z.array(subjectKindSchema).min(1).optional(),
  count: z.number().int().min(1).max(1000),
  inspectorsPerTarget: z.number().int().min(1).max(5).default(2),
  scheduledOn: DateOnly,
  /** Omit to let the server draw 128 random bits; either way the seed is recorded with the draw. */
  seed: z.string().min(1).max(200).optional(),
});
export type DrawCreate = z.infer<typeof DrawCreateSchema>;

export const RelativeCreateSchema = z.object({
  relativePersonId: z.uuid(),
  relation: z.string().min(1).max(40),
});

export const InspectionCreateSchema = z.object({
  organizationId: z.uuid(),
  scheduledOn: DateOnly,
  inspectorPersonIds: z.array(z.uuid()).min(1).max(5),
  templateId: z.uuid().optional(),
  planId: z.uuid().optional(),
  reportId: z.uuid().optional(),
});
export type InspectionCreate = z.infer<typeof InspectionCreateSchema>;

export const InspectionListQuerySchema = z.object({
  date: DateOnly.optional(),
  from: DateOnly.optional(),
  to: DateOnly.optional(),
  mine: z.enum(['true', 'false']).optional(),
  status: z.enum(['scheduled', 'in_progress', 'signed']).optional(),
  organizationId: z.uuid().optional(),
});

export const ItemAnswerSchema = z.object({
  result: z.enum(['pass', 'fail', 'na']),
  note: z.string().max(2000).nullable().optional(),
  photoSha256s: z.array(Sha256).max(20).optional(),
});
export type ItemAnswer = z.infer<typeof ItemAnswerSchema>;

export const UploadSchema = z.object({
  contentBase64: Base64,
  contentType: z.string().max(100),
  name: z.string().max(200).optional(),
});
export type Upload = z.infer<typeof UploadSchema>;

export const SignSchema = z.object({
  signerName: z.string().min(1).max(50),
  signaturePngBase64: Base64,
  summary: z.string().max(2000).optional(),
});
export type SignInput = z.infer<typeof SignSchema>;

export const spotPopulations = ['workers', 'trainees', 'staff'] as const;
export const SpotExamCreateSchema = z.object({
  population: z.enum(spotPopulations).optional(),
  count: z.number().int().min(1).max(50),
  questionCount: z.number().int().min(3).max(50).optional(),
  itemCode: z.string().max(20).optional(),
  seed: z.string().min(1).max(200).optional(),
});
export type SpotExamCreate = z.infer<typeof SpotExamCreateSchema>;

export const SpotAnswersSchema = z.object({
  answers: z.array(z.array(z.number().int().min(0).max(7)).max(8)).max(50),
});

export const OrderCreateSchema = z.object({
  findingIds: z.array(z.uuid()).min(1).max(100),
  deadline: DateOnly,
  responsibleName: z.string().min(1).max(50),
  responsiblePhone: z.string().max(30).optional(),
  requirements: z.string().min(2).max(4000),
});
export type OrderCreate = z.infer<typeof OrderCreateSchema>;

export const OrderListQuerySchema = z.object({
  state: z.enum(['issued', 'responded', 'verified', 'closed']).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  organizationId: z.uuid().optional(),
});

export const OrderRespondSchema = z.object({
  statement: z.string().min(2).max(4000),
  fileIds: z.array(z.uuid()).max(30).default([]),
});
export type OrderRespond = z.infer<typeof OrderRespondSchema>;

export const OrderVerifySchema = z.object({
  outcome: z.enum(['accepted', 'rejected']),
  note: z.string().min(1).max(2000),
});

export const FindingListQuerySchema = z.object({
  status: z.enum(['open', 'ordered', 'closed']).optional(),
  organizationId: z.uuid().optional(),
  inspectionId: z.uuid().optional(),
});

export const FromAlertSchema = z.object({ alertId: z.uuid() });

export const PenaltyCreateSchema = z.object({
  organizationId: z.uuid(),
  kind: z.enum(['warning', 'fine', 'suspension', 'exit', 'score_cancellation', 'referral']),
  amountYuan: z.number().min(0).max(100_000_000).optional(),
  basis: z.string().min(2).max(1000),
  decisionNumber: z.string().min(2).max(100),
  decidedOn: DateOnly,
  inspectionId: z.uuid().optional(),
  findingId: z.uuid().optional(),
  personId: z.uuid().optional(),
  note: z.string().max(2000).optional(),
});
export type PenaltyCreate = z.infer<typeof PenaltyCreateSchema>;

export const PenaltyLiftSchema = z.object({
  decisionNumber: z.string().min(2).max(100),
  liftedOn: DateOnly,
});

export const PeriodQuerySchema = z.object({
  from: DateOnly,
  to: DateOnly,
  regionCode: z
    .string()
    .regex(/^\d{2,12}$/)
    .optional(),
});

export const reportCategories = [
  'fake_training',
  'fake_certificate',
  'exam_cheating',
  'no_certificate',
  'archive_fraud',
  'other',
] as const;

export const PublicReportCreateSchema = z.object({
  regionCode: z.string().regex(/^\d{6}$/),
  subjectText: z.string().min(2).max(200),
  subjectOrganizationId: z.uuid().optional(),
  category: z.enum(reportCategories),
  content: z.string().min(10).max(5000),
  anonymous: z.boolean(),
  reporterName: z.string().max(50).optional(),
  reporterPhone: z.string().max(30).optional(),
  attachments: z
    .array(
      z.object({
        name: z.string().max(200),
        contentType: z.string().max(100),
        contentBase64: Base64,
      }),
    )
    .max(5)
    .default([]),
  challenge: z.string().max(200),
  nonce: z.string().max(40),
  /** Left empty by people; robots fill every field. */
  website: z.string().max(200).optional(),
});
export type PublicReportCreate = z.infer<typeof PublicReportCreateSchema>;

export const ReportMessageSchema = z.object({ body: z.string().min(1).max(4000) });
export const ReportTriageSchema = z.object({ note: z.string().min(1).max(2000) });
export const ReportAssignSchema = z.object({ userId: z.uuid() });
export const ReportReplySchema = z.object({ reply: z.string().min(2).max(4000) });
export const ReportInvestigateSchema = z.object({
  organizationId: z.uuid(),
  scheduledOn: DateOnly,
  inspectorPersonIds: z.array(z.uuid()).min(1).max(5),
});

export const GradeComputeSchema = z.object({ on: DateOnly.optional() });
export const PublicationCreateSchema = z
  .object({
    orderId: z.uuid().optional(),
    penaltyId: z.uuid().optional(),
    title: z.string().max(200).optional(),
  })
  .refine((x) => Boolean(x.orderId) !== Boolean(x.penaltyId), { message: 'orderId or penaltyId' });
