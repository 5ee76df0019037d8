import { z } from 'zod';

/** Duties a person holds at an organization (PRODUCT.md §2.1). */
export const duties = [
  'manager',
  'teacher',
  'head_teacher',
  'invigilator',
  'examiner',
  'patroller',
  'inspector',
] as const;
export type Duty = (typeof duties)[number];

/** Posts in an enterprise (三项岗位人员 and the rest). */
export const posts = [
  'principal',
  'safety_director',
  'safety_manager',
  'special_operator',
  'in_house_trainer',
  'general',
] as const;
export type Post = (typeof posts)[number];

export const educationLevels = [
  'primary',
  'junior_high',
  'high_school',
  'secondary_vocational',
  'associate',
  'bachelor',
  'master',
  'doctor',
] as const;
export type Education = (typeof educationLevels)[number];

export const organizationKinds = [
  'regulator',
  'exam_authority',
  'exam_site',
  'training_institution',
  'enterprise',
] as const;
export type OrganizationKind = (typeof organizationKinds)[number];
export const organizationStatuses = ['active', 'suspended', 'exited'] as const;
export type OrganizationStatus = (typeof organizationStatuses)[number];

/** Industries; the high-risk ones of 3号令 / PRODUCT.md set `highRisk` by default. */
export const industries = [
  'coal_mining',
  'non_coal_mining',
  'hazardous_chemicals',
  'fireworks',
  'metal_smelting',
  'construction',
  'manufacturing',
  'transport',
  'trade',
  'services',
  'power',
  'other',
] as const;
export const highRiskIndustries: readonly string[] = [
  'coal_mining',
  'non_coal_mining',
  'hazardous_chemicals',
  'fireworks',
  'metal_smelting',
];

const DateOnly = z.iso.date();

export const RegionSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    level: z.number(),
    parentCode: z.string().nullable(),
  })
  .meta({ id: 'Region' });
export const RegionWithPathSchema = RegionSchema.extend({
  path: z.array(RegionSchema),
  hasChildren: z.boolean(),
});

/** Facilities an institution declares at registration (AQ 8011 basic conditions read them). */
export const FacilitiesSchema = z
  .object({
    premises: z
      .object({ tenure: z.enum(['owned', 'leased']), leaseYears: z.number().min(0).optional() })
      .optional(),
    classrooms: z
      .array(
        z.object({
          name: z.string(),
          capacity: z.number().int().min(0),
          areaM2: z.number().min(0),
        }),
      )
      .default([]),
    exits: z.number().int().min(0).optional(),
    faceTerminals: z.number().int().min(0).optional(),
    camerasByRoom: z.record(z.string(), z.number().int().min(0)).default({}),
    archiveRoom: z.boolean().optional(),
    practicalAreas: z
      .array(
        z.object({
          operationItemCode: z.string(),
          areaM2: z.number().min(0).optional(),
          equipmentComplete: z.boolean(),
        }),
      )
      .default([]),
    operationItems: z.array(z.string()).default([]),
    /**
     * Exam sites: the practical tasks (K11, K21…) the site examines per operation item, with their
     * equipment. E05 compares it with the item's practical standard (seed 004: 删减实操考试项目).
     */
    practicalTasks: z
      .array(z.object({ operationItemCode: z.string(), taskCodes: z.array(z.string()) }))
      .optional(),
  })
  .meta({ id: 'Facilities' });
export type Facilities = z.infer<typeof FacilitiesSchema>;

export const FindingSchema = z.object({
  code: z.string(),
  severity: z.enum(['blocking', 'warning']),
  message: z.string(),
  figureKey: z.string().optional(),
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
  subject: z
    .object({ kind: z.string(), id: z.string().optional(), name: z.string().optional() })
    .optional(),
});

export const organizationProblemCodes = [
  'registration_check_failed',
  'exam_site_operated_by_institution',
] as const;
export const OrganizationProblemSchema = z.object({
  code: z.enum(organizationProblemCodes),
  /** Detection rule of the catalog (T10 basic conditions, E04 培考不分). */
  rule: z.string(),
  message: z.string(),
  /** Failing conditions of the registration check (blocking findings). */
  count: z.number().optional(),
});

export const OrganizationSummarySchema = z
  .object({
    id: z.string(),
    kind: z.enum(organizationKinds),
    name: z.string(),
    creditCode: z.string(),
    regionCode: z.string(),
    regionName: z.string().nullable(),
    industry: z.string().nullable(),
    highRisk: z.boolean(),
    status: z.enum(organizationStatuses),
    statusDecision: z.string().nullable(),
    statusChangedAt: z.date().nullable(),
    /**
     * Training institutions: whether today's AQ 8011 registration check passes (null for other kinds);
     * what a list shows first, before anyone opens the institution.
     */
    registrationPassed: z.boolean().nullable().optional(),
    /** Problems a regulator sees in the list: a failing registration check, an exam site run by a training institution (培考不分). */
    problems: z.array(OrganizationProblemSchema).optional(),
  })
  .meta({ id: 'OrganizationSummary' });
export type OrganizationSummary = z.infer<typeof OrganizationSummarySchema>;

export const StaffViewSchema = z.object({
  id: z.string(),
  personId: z.string(),
  personName: z.string(),
  organizationId: z.string(),
  organizationName: z.string(),
  duty: z.enum(duties),
  fullTime: z.boolean(),
  laborContract: z.boolean(),
  practiceYears: z.number().nullable(),
  operationItems: z.array(z.string()),
  startDate: z.string(),
  endDate: z.string().nullable(),
});

export const EmploymentViewSchema = z.object({
  id: z.string(),
  personId: z.string(),
  personName: z.string(),
  organizationId: z.string(),
  organizationName: z.string(),
  post: z.enum(posts),
  operationItemCode: z.string().nullable(),
  startDate: z.string(),
  endDate: z.string().nullable(),
});

export const RegistrationCheckSchema = z.object({
  organizationId: z.string(),
  checkedOn: z.string(),
  passed: z.boolean(),
  policy: z.array(z.object({ id: z.string(), regionCode: z.string(), version: z.string() })),
  findings: z.array(FindingSchema),
});
export type RegistrationCheck = z.infer<typeof RegistrationCheckSchema>;

export const RegistrationExemptionSchema = z
  .object({
    id: z.string(),
    organizationId: z.string(),
    decision: z.string(),
    reason: z.string(),
    validFrom: z.string(),
    validTo: z.string(),
    grantedByName: z.string(),
    createdAt: z.date(),
    revokedAt: z.date().nullable(),
    revokedReason: z.string().nullable(),
    /** Valid today (Beijing day) and not revoked. */
    inForce: z.boolean(),
  })
  .meta({ id: 'RegistrationExemption' });

/** Whether the institution may open a new class today, and why (policy, check, exemption). */
export const NewClassGateSchema = z.object({
  /** The policy in force makes the registration check a condition of opening a class. */
  required: z.boolean(),
  allowed: z.boolean(),
  /** The decision that allows it despite a failing check, if any. */
  exemptionId: z.string().nullable(),
  /** The policy figure and its legal basis, as shown to users. */
  source: z.string(),
});

export const RegistrationExemptionCreateSchema = z.object({
  /** The decision's document number and date (文号). */
  decision: z.string().trim().min(2).max(300),
  reason: z.string().trim().min(2).max(1000),
  validFrom: z.iso.date(),
  validTo: z.iso.date(),
});
export type RegistrationExemptionCreate = z.infer<typeof RegistrationExemptionCreateSchema>;

export const RegistrationExemptionRevokeSchema = z.object({
  reason: z.string().trim().min(2).max(1000),
});

export const OrganizationDetailSchema = OrganizationSummarySchema.extend({
  scale: z.string().nullable(),
  address: z.string().nullable(),
  contactPhone: z.string().nullable(),
  operatorId: z.string().nullable(),
  employeeCount: z.number().nullable(),
  facilities: FacilitiesSchema.nullable(),
  regionPath: z.array(RegionSchema),
  staff: z.array(StaffViewSchema),
  counts: z.object({ staff: z.number(), employments: z.number() }),
  registrationCheck: RegistrationCheckSchema.nullable(),
  /** Training institutions: may it open a new class today (null for other kinds). */
  newClassGate: NewClassGateSchema.nullable(),
  /** Training institutions: every exemption decision, newest first. */
  registrationExemptions: z.array(RegistrationExemptionSchema),
}).meta({ id: 'OrganizationDetail' });

export const OrganizationListQuerySchema = z.object({
  q: z.string().max(100).optional(),
  kind: z.enum(organizationKinds).optional(),
  regionCode: z
    .string()
    .regex(/^\d{2,9}$/)
    .optional(),
  status: z.enum(organizationStatuses).optional(),
  highRisk: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export const OrganizationCreateSchema = z.object({
  kind: z.enum(organizationKinds),
  name: z.string().min(2).max(200),
  creditCode: z.string().length(18),
  regionCode: z.string().regex(/^\d{2,9}$/),
  industry: z.enum(industries).nullable().optional(),
  highRisk: z.boolean().optional(),
  scale: z.enum(['micro', 'small', 'medium', 'large']).nullable().optional(),
  address: z.string().max(300).nullable().optional(),
  contactPhone: z.string().max(40).nullable().optional(),
  operatorId: z.uuid().nullable().optional(),
  employeeCount: z.number().int().min(0).nullable().optional(),
  facilities: FacilitiesSchema.nullable().optional(),
});
export type OrganizationCreate = z.infer<typeof OrganizationCreateSchema>;

export const OrganizationUpdateSchema = OrganizationCreateSchema.omit({
  kind: true,
  creditCode: true,
}).partial();
export type OrganizationUpdate = z.infer<typeof OrganizationUpdateSchema>;

export const OrganizationStatusChangeSchema = z.object({
  status: z.enum(organizationStatuses),
  /** The decision document that sets the status (文号, date); required for suspension and exit. */
  decision: z.string().min(2).max(300),
});

export const PersonSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    idNumberMasked: z.string(),
    gender: z.enum(['male', 'female']),
    birthDate: z.string(),
    education: z.string().nullable(),
  })
  .meta({ id: 'PersonSummary' });

export const PersonDetailSchema = PersonSummarySchema.extend({
  idNumber: z.string(),
  phone: z.string().nullable(),
  regionCode: z.string(),
  employments: z.array(EmploymentViewSchema),
  duties: z.array(StaffViewSchema),
}).meta({ id: 'PersonDetail' });

export const PersonListQuerySchema = z.object({
  q: z.string().max(100).optional(),
  organizationId: z.uuid().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export const PersonCreateSchema = z.object({
  idNumber: z.string().min(15).max(18),
  name: z.string().min(1).max(50),
  education: z.enum(educationLevels).nullable().optional(),
  phone: z.string().max(40).nullable().optional(),
});
export type PersonCreate = z.infer<typeof PersonCreateSchema>;

const PersonRefSchema = z.union([
  z.object({ personId: z.uuid() }),
  z.object({ person: PersonCreateSchema }),
]);

export const StaffCreateSchema = z
  .object({
    duty: z.enum(duties),
    fullTime: z.boolean().default(true),
    laborContract: z.boolean().default(false),
    practiceYears: z.number().int().min(0).max(70).nullable().optional(),
    operationItems: z.array(z.string()).default([]),
    startDate: DateOnly,
    endDate: DateOnly.nullable().optional(),
  })
  .and(PersonRefSchema);
export type StaffCreate = z.infer<typeof StaffCreateSchema>;

export const EmploymentCreateSchema = z
  .object({
    post: z.enum(posts),
    operationItemCode: z.string().nullable().optional(),
    startDate: DateOnly,
    endDate: DateOnly.nullable().optional(),
  })
  .and(PersonRefSchema);
export type EmploymentCreate = z.infer<typeof EmploymentCreateSchema>;

export const EndDateSchema = z.object({ endDate: DateOnly });

export function pageOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number(),
    page: z.number(),
    pageSize: z.number(),
  });
}
