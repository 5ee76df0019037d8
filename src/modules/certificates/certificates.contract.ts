import { z } from 'zod';

/** 特种作业操作证 ('special_operation') and 安全生产知识和管理能力考核合格证 ('competency'). */
export const certificateKinds = ['special_operation', 'competency'] as const;
export type CertificateKind = (typeof certificateKinds)[number];

/** Computed, never stored (certificates.rules.ts `certificateStatus`). */
export const certificateStates = [
  'valid',
  'review_due',
  'expired',
  'revoked',
  'cancelled',
] as const;
export type CertificateState = (typeof certificateStates)[number];

/**
 * What happens to a certificate after issuance:
 * review — 复审 passed (special operations; for a 合格证 the extension 延期 at the end of its validity),
 * retraining — the 合格证 holder's annual re-training (每年再培训) done,
 * revoke — 撤销 (fraud/false information bans re-application), cancel — 注销, replace — 补证 (same number, new card).
 */
export const certificateEventKinds = [
  'review',
  'retraining',
  'revoke',
  'cancel',
  'replace',
] as const;
export type CertificateEventKind = (typeof certificateEventKinds)[number];

/** What a public query found; queries that found nothing feed the fake-certificate signal. */
export const queryOutcomes = [
  'found',
  'no_such_number',
  'name_mismatch',
  'bad_signature',
  'unknown_key',
  'malformed',
  'no_such_certificate',
] as const;
export type QueryOutcome = (typeof queryOutcomes)[number];

const DateOnly = z.iso.date();
const Reason = z.string().trim().min(2).max(500);

export const CertificateIssueSchema = z
  .object({
    personId: z.uuid(),
    kind: z.enum(certificateKinds),
    operationItemCode: z.string().min(1).max(50),
    issuedOn: DateOnly,
    /** The issuing exam authority: the caller's own organization (the default). */
    authorityId: z.uuid().optional(),
  })
  .meta({ id: 'CertificateIssue' });
export type CertificateIssue = z.infer<typeof CertificateIssueSchema>;

export const CertificateEventCreateSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('review'),
      occurredOn: DateOnly,
      extended: z.boolean().default(false),
      reason: Reason.optional(),
    }),
    z.object({ kind: z.literal('retraining'), occurredOn: DateOnly, reason: Reason.optional() }),
    z.object({
      kind: z.literal('revoke'),
      occurredOn: DateOnly,
      reason: Reason,
      fraud: z.boolean(),
    }),
    z.object({ kind: z.literal('cancel'), occurredOn: DateOnly, reason: Reason }),
    z.object({ kind: z.literal('replace'), occurredOn: DateOnly, reason: Reason }),
  ])
  .meta({ id: 'CertificateEventCreate' });
export type CertificateEventCreate = z.infer<typeof CertificateEventCreateSchema>;

export const CertificateEventSchema = z.object({
  id: z.string(),
  kind: z.enum(certificateEventKinds),
  occurredOn: z.string(),
  extended: z.boolean(),
  fraud: z.boolean(),
  banUntil: z.string().nullable(),
  reason: z.string().nullable(),
  cardEdition: z.number().nullable(),
  createdAt: z.string(),
});

const ItemSchema = z.object({ code: z.string(), name: z.string() });

export const CertificateSummarySchema = z
  .object({
    id: z.string(),
    number: z.string(),
    kind: z.enum(certificateKinds),
    operationItem: ItemSchema,
    holder: z.object({ id: z.string(), name: z.string(), idNumberMasked: z.string() }),
    authority: z.object({ id: z.string(), name: z.string() }),
    regionCode: z.string(),
    issuedOn: z.string(),
    /** In force now: renewed by a review at the end of the validity. */
    validUntil: z.string(),
    /** The last day the next review (复审) can be passed; null for a 合格证. */
    reviewDue: z.string().nullable(),
    state: z.enum(certificateStates),
    stateSince: z.string().nullable(),
  })
  .meta({ id: 'CertificateSummary' });
export type CertificateSummary = z.infer<typeof CertificateSummarySchema>;

export const CertificateDetailSchema = CertificateSummarySchema.extend({
  holder: z.object({
    id: z.string(),
    name: z.string(),
    idNumber: z.string(),
    idNumberMasked: z.string(),
  }),
  authority: z.object({ id: z.string(), name: z.string(), regionCode: z.string() }),
  kid: z.string(),
  cardEdition: z.number(),
  resultRef: z.string().nullable(),
  /** Window in which the review (or the 合格证 extension) can be recorded, when one is ahead. */
  dueWindow: z
    .object({ kind: z.enum(['review', 'extension']), from: z.string(), to: z.string() })
    .nullable(),
  /** 合格证: certificate years that ended, or are current, without a recorded re-training. */
  retrainingMissing: z.array(z.object({ year: z.number(), from: z.string(), to: z.string() })),
  /** 合格证: end of the current certificate year while its re-training is not recorded. */
  retrainingDue: z.string().nullable(),
  revoked: z
    .object({
      on: z.string(),
      reason: z.string().nullable(),
      fraud: z.boolean(),
      banUntil: z.string().nullable(),
    })
    .nullable(),
  events: z.array(CertificateEventSchema),
  /** The event kinds the caller may record now. */
  allowedEvents: z.array(z.enum(certificateEventKinds)),
}).meta({ id: 'CertificateDetail' });
export type CertificateDetail = z.infer<typeof CertificateDetailSchema>;

export const CertificateListQuerySchema = z.object({
  personId: z.uuid().optional(),
  /** certificate number, holder's ID number, or part of the holder's name */
  q: z.string().trim().max(50).optional(),
  kind: z.enum(certificateKinds).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export const CertificateQrSchema = z.object({
  payload: z.string(),
  svg: z.string(),
  cardEdition: z.number(),
  kid: z.string(),
});

/** review 复审 (special operation), extension 延期 (合格证, at the end of its validity), retraining 年度再培训 (合格证). */
export const reminderKinds = ['review', 'extension', 'retraining'] as const;
export const ReminderSchema = z.object({
  certificate: CertificateSummarySchema,
  kind: z.enum(reminderKinds),
  due: z.string(),
  daysLeft: z.number(),
});
export type Reminder = z.infer<typeof ReminderSchema>;

// ——— public (no login) ———

export const PublishedKeySchema = z
  .object({
    kid: z.string(),
    authority: z.object({ id: z.string(), name: z.string(), regionCode: z.string() }),
    /** Raw 32-byte Ed25519 public key, base64url. */
    publicKey: z.string(),
    createdAt: z.string(),
    retiredAt: z.string().nullable(),
  })
  .meta({ id: 'PublishedKey' });
export const PublishedKeysSchema = z.object({ keys: z.array(PublishedKeySchema) });

/** What anyone may learn of a certificate: nothing about the holder beyond the masked name and ID number. */
export const PublicCertificateSchema = z
  .object({
    /** The number as printed, masked where it is the ID number ("T" + masked ID). */
    number: z.string(),
    kind: z.enum(certificateKinds),
    operationItem: ItemSchema,
    issuingAuthority: z.string(),
    issuedOn: z.string(),
    validUntil: z.string(),
    reviewDue: z.string().nullable(),
    state: z.enum(certificateStates),
    stateSince: z.string().nullable(),
    holderNameMasked: z.string(),
    idNumberMasked: z.string(),
  })
  .meta({ id: 'PublicCertificate' });
export type PublicCertificate = z.infer<typeof PublicCertificateSchema>;

export const PublicVerifyQuerySchema = z.object({
  number: z.string().trim().min(1).max(40),
  name: z.string().trim().min(1).max(50),
});

export const PublicVerifyAnswerSchema = z
  .object({
    found: z.boolean(),
    /** The holder's certificate under this number that matters most (in force first, then the newest). */
    certificate: PublicCertificateSchema.nullable(),
    /** All of them: one "T" number covers every special-operation item the holder was certified in. */
    certificates: z.array(PublicCertificateSchema),
    checkedAt: z.string(),
  })
  .meta({ id: 'PublicVerifyAnswer' });
export type PublicVerifyAnswer = z.infer<typeof PublicVerifyAnswerSchema>;

export const PublicVerifyQrBodySchema = z.object({ payload: z.string().trim().min(10).max(1000) });

export const PublicVerifyQrAnswerSchema = z
  .object({
    found: z.boolean(),
    signatureValid: z.boolean(),
    /** Why the signature check failed: malformed, unknown_key, bad_signature, key_retired. */
    reason: z.string().nullable(),
    /** False when this card was replaced or renewed by a newer one (the certificate may still be valid). */
    cardCurrent: z.boolean().nullable(),
    certificate: PublicCertificateSchema.nullable(),
    checkedAt: z.string(),
  })
  .meta({ id: 'PublicVerifyQrAnswer' });
export type PublicVerifyQrAnswer = z.infer<typeof PublicVerifyQrAnswerSchema>;

export const FakeSignalSchema = z.object({
  ip: z.string(),
  queries: z.number(),
  numbers: z.number(),
  bySource: z.object({ number: z.number(), qr: z.number() }),
  nameMismatches: z.number(),
  /** Up to five of the numbers asked for, masked like ID numbers. */
  examples: z.array(z.string()),
  firstAt: z.string(),
  lastAt: z.string(),
});
export type FakeSignal = z.infer<typeof FakeSignalSchema>;
export const FakeSignalsQuerySchema = z.object({
  sinceDays: z.coerce.number().int().min(1).max(365).default(30),
  /** "Repeated": sources with at least this many queries that found nothing. */
  minQueries: z.coerce.number().int().min(1).max(1000).default(2),
});
