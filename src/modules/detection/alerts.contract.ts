import { z } from 'zod';
import { detectionRuleIds, findingSeverities } from '../../catalog/findings.js';

/** CONTRACTS.md "Detection": the alert as the CLI prints it and the API returns it. */
export const alertStates = ['new', 'acknowledged', 'dismissed', 'finding'] as const;

export const AlertRecordRefSchema = z.object({
  kind: z.string(),
  id: z.string().nullable(),
  ref: z.string().nullable(),
  name: z.string().nullable().optional(),
});

export const AlertEvidenceSchema = z.object({
  kind: z.string(),
  id: z.string(),
  ref: z.string().nullable(),
  label: z.string().optional(),
});

export const AlertSchema = z
  .object({
    id: z.string(),
    rule: z.enum(detectionRuleIds),
    code: z.string(),
    /** The organization the alert is raised against (PRODUCT.md §2.7 "subject"). */
    subject: z.object({
      kind: z.literal('organization'),
      id: z.string().nullable(),
      ref: z.string().nullable(),
      name: z.string().nullable(),
      organizationKind: z.string().nullable(),
      regionCode: z.string(),
    }),
    /** The record the alert is about: the class, lesson, exam registration… a regulator opens first. */
    record: AlertRecordRefSchema,
    severity: z.enum(findingSeverities),
    summary: z.string(),
    evidence: z.array(AlertEvidenceSchema),
    figure: z.object({ key: z.string(), expected: z.unknown(), actual: z.unknown() }).nullable(),
    source: z.string(),
    occurredOn: z.string().nullable(),
    state: z.enum(alertStates),
    stateReason: z.string().nullable(),
    detectedAt: z.string(),
    lastSeenAt: z.string(),
    /** Set when the latest evaluation no longer finds it (the records changed); such alerts are not listed by default. */
    clearedAt: z.string().nullable(),
  })
  .meta({ id: 'Alert' });
export type Alert = z.infer<typeof AlertSchema>;

export const AlertListQuerySchema = z.object({
  rule: z.enum(detectionRuleIds).optional(),
  severity: z.enum(findingSeverities).optional(),
  /** 'open': new or acknowledged (what the cockpit counts as open). */
  state: z.enum([...alertStates, 'open']).optional(),
  /** Only alerts of organizations under this region (inside the caller's jurisdiction). */
  regionCode: z
    .string()
    .regex(/^\d{2,12}$/)
    .optional(),
  organizationId: z.uuid().optional(),
  /** Problems that happened on or after this day. */
  since: z.iso.date().optional(),
  until: z.iso.date().optional(),
  /** Include alerts the latest evaluation no longer finds. */
  includeCleared: z.coerce.boolean().optional(),
  q: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type AlertListQuery = z.infer<typeof AlertListQuerySchema>;

export const AlertTransitionSchema = z.object({
  state: z.enum(['acknowledged', 'dismissed', 'new']),
  /** Required to dismiss (≥ 4 characters): why this is not a problem. */
  reason: z.string().trim().max(1000).optional(),
});
export type AlertTransition = z.infer<typeof AlertTransitionSchema>;

export const ResolvedEvidenceSchema = AlertEvidenceSchema.extend({
  /** What the record says, in words, resolved from the database for the caller. */
  title: z.string(),
  details: z.array(z.object({ label: z.string(), value: z.string() })),
  /** Where the screen that shows it is (a web route), when there is one. */
  link: z.string().nullable(),
});

export const AlertDetailSchema = AlertSchema.extend({
  evidence: z.array(ResolvedEvidenceSchema),
  ruleName: z.object({ zh: z.string(), en: z.string() }),
  history: z.array(
    z.object({
      at: z.string(),
      action: z.string(),
      actor: z.string(),
      summary: z.string().nullable(),
    }),
  ),
});
export type AlertDetail = z.infer<typeof AlertDetailSchema>;

export const RuleStatusSchema = z.object({
  rule: z.enum(detectionRuleIds),
  status: z.enum(['evaluated', 'not_evaluable', 'never_run']),
  reason: z.string().nullable(),
  evaluatedAt: z.string().nullable(),
  open: z.number(),
});
