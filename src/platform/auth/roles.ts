/** Roles of PRODUCT.md §1; `admin` is a regulator user who may change platform-wide settings (policy versions). */
export const roles = [
  'regulator',
  'inspector',
  'exam_authority',
  'exam_site',
  'training_institution',
  'enterprise',
  'worker',
  'admin',
] as const;
export type Role = (typeof roles)[number];

export const organizationKinds = [
  'regulator',
  'exam_authority',
  'exam_site',
  'training_institution',
  'enterprise',
] as const;
export type OrganizationKind = (typeof organizationKinds)[number];

/** Roles whose scope is a jurisdiction (a region subtree) rather than one organization. */
export const jurisdictionRoles: readonly Role[] = ['regulator', 'inspector', 'exam_authority'];
