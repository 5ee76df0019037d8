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
  .object({ ref: Ref, organizationRef: Ref, name: z.string().min(1).max(100), kind: z.enum(['theory', 'practical', 'exam']), capacity: z.number().int().min(0).nullable().optional(), areaM2: z.number().min(0).nullable().optional() })
  .strict();

/** A terminal or camera; its API token is never in a bundle (the institution issues a new one). */
export const BundleDeviceSchema = z.object({ ref: Ref, roomRef: Ref, kind: z.enum(['face_terminal', 'camera']), serial: z.string().min(1).max(100), name: z.string().min(1).max(100) }).strict();

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
  })
  .strict();

export const BundleLessonSchema = z
  .object({ ref: Ref, classRef: Ref, mode: z.enum(['theory', 'practical', 'online']), topic: z.string().min(1).max(200), teacherRef: Ref, roomRef: Ref.nullable().optional(), startsAt: DateTime, endsAt: DateTime })
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

export const BundleMakeupSchema = z.object({ ref: Ref, lessonRef: Ref, personRef: Ref, startsAt: DateTime, endsAt: DateTime, reason: z.string().min(4).max(500) }).strict();

export const BundleRecordingSchema = z
  .object({ ref: Ref, deviceRef: Ref, startsAt: DateTime, endsAt: DateTime, sha256: z.string().regex(/^[0-9a-f]{64}$/), storageUri: z.string().min(1).max(1000), sizeBytes: z.number().int().min(0).nullable().optional() })
  .strict();

export const BundleOnlineCourseSchema = z
  .object({ ref: Ref, classRef: Ref, title: z.string().min(1).max(200), mediaKind: z.enum(['video', 'document']), mediaUrl: z.string().min(1).max(1000), durationSeconds: z.number().int().min(1) })
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
    endReason: z.string().max(100).nullable().optional(),
    faceChecks: z.array(z.object({ checkedAt: DateTime, passed: z.boolean(), decision: z.string().max(20), score: z.number().nullable().optional() }).strict()).optional(),
    segments: z
      .array(z.object({ startsAt: DateTime, endsAt: DateTime, positionFrom: z.number().min(0), positionTo: z.number().min(0), verified: z.boolean(), reason: z.string().max(100).nullable().optional() }).strict())
      .optional(),
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
export const trainingSections = ['syllabi', 'rooms', 'devices', 'classes', 'lessons', 'attendance', 'makeups', 'recordings', 'onlineCourses', 'onlineSessions'] as const;
export const bundleSections = [...registrySections, ...trainingSections] as const;
export type TrainingSection = (typeof trainingSections)[number];
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
    description: 'Registry (organizations, persons, staff, employments) and training (rooms, devices, classes, lessons, attendance, make-ups, recordings, online courses and sessions); every section optional. See docs/bundle.md.',
    ...z.toJSONSchema(BundleSchema, { target: 'draft-2020-12' }),
  };
}
