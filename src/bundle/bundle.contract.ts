import { z } from 'zod';
import { duties, educationLevels, FacilitiesSchema, industries, organizationKinds, organizationStatuses, posts } from '../modules/registry/registry.contract.js';

/**
 * Exchange bundle v1 (CONTRACTS.md "Data exchange bundle", docs/bundle.md). Sections are optional
 * arrays; a later module adds its section as a new optional property, so every v1 file stays valid.
 * Unknown top-level keys are refused: a misspelt section must not silently drop data.
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

export const BundleSchema = z
  .object({
    format: z.literal('zhenxun.bundle'),
    version: z.literal(1),
    generatedAt: z.iso.datetime({ offset: true }).optional(),
    source: z.object({ system: z.string().max(200).optional(), note: z.string().max(2000).optional() }).strict().optional(),
    organizations: z.array(BundleOrganizationSchema).optional(),
    persons: z.array(BundlePersonSchema).optional(),
    staff: z.array(BundleStaffSchema).optional(),
    employments: z.array(BundleEmploymentSchema).optional(),
  })
  .strict();

export type Bundle = z.infer<typeof BundleSchema>;
export type BundleOrganization = z.infer<typeof BundleOrganizationSchema>;
export type BundlePerson = z.infer<typeof BundlePersonSchema>;
export type BundleStaff = z.infer<typeof BundleStaffSchema>;
export type BundleEmployment = z.infer<typeof BundleEmploymentSchema>;

/** The sections in dependency order: a section refers only to sections before it. */
export const bundleSections = ['organizations', 'persons', 'staff', 'employments'] as const;
export type BundleSection = (typeof bundleSections)[number];

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
    description: 'Organizations, persons, staff and employments (v1); later modules add optional sections. See docs/bundle.md.',
    ...z.toJSONSchema(BundleSchema, { target: 'draft-2020-12' }),
  };
}
