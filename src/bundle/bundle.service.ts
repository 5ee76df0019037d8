import { findOperationItem } from '../catalog/operations.js';
import {
  normalizeIdNumber,
  parseIdNumber,
  validateCreditCode,
  validateIdNumber,
} from '../modules/registry/identifiers.rules.js';
import { isRegistrar } from '../modules/registry/registry.access.js';
import { highRiskIndustries } from '../modules/registry/registry.contract.js';
import { dutyAllowedFor } from '../modules/registry/staffing.rules.js';
import { recordAudit } from '../platform/audit/audit.js';
import { type Actor, hasRole } from '../platform/auth/actor.js';
import { actorBehindToken } from '../platform/auth/auth.service.js';
import { type Executor, transaction } from '../platform/db/database.js';
import { DomainError } from '../platform/errors.js';
import {
  type Bundle,
  type BundleError,
  type BundleOrganization,
  type BundlePerson,
  BundleSchema,
  type BundleSection,
  bundleSections,
  keyOf,
} from './bundle.contract.js';
import * as repo from './bundle.repository.js';
import { authorizeBundle, type OrgInfo } from './bundle-access.js';
import {
  certificateOrganizationRefs,
  certificatePersonRefs,
  exportCertificateSections,
  importCertificateSections,
  validateCertificateSections,
} from './certificate-sections.js';
import {
  examOrganizationRefs,
  examPersonRefs,
  exportExamSections,
  importExamSections,
  type SectionContext,
  validateExamSections,
} from './exam-sections.js';
import {
  exportTrainingSections,
  importTrainingSections,
  validateTrainingSections,
} from './training-sections.js';

type Caller = Actor | string;

export type ValidationResult =
  | { ok: true; bundle: Bundle; plan: ImportPlan }
  | { ok: false; errors: BundleError[] };

/** What an import will do with each record: insert it, or link it to the row already there. */
interface ImportPlan {
  /** ref → existing id for records already in the database (same ref, credit code or ID number). */
  existing: Record<BundleSection, Map<string, string>>;
  /** organization ref → kind and region (the database's for one already there), in the file or linked. */
  orgInfo: Map<string, OrgInfo>;
}

/**
 * Who an import acts for. The operator's CLI ('system:…') is all-powerful. A signed-in regulator or
 * exam authority acts for itself. An API token acts for the user who minted it, as that user is now,
 * and only while that user may still hold `bundle:write` (auth: actorBehindToken). Anyone else is
 * refused before the file is read.
 */
export async function bundleImporter(db: Executor, caller: Caller): Promise<Caller> {
  if (typeof caller === 'string') return caller;
  if (caller.tokenId) {
    const behind = await actorBehindToken(db, caller, 'bundle:write');
    if (!behind)
      throw new DomainError(
        'forbidden',
        '该API令牌无权导入数据包：只有监管部门和考试机构用户创建的 bundle:write 令牌可以导入',
      );
    return behind;
  }
  if (!hasRole(caller, 'regulator', 'exam_authority'))
    throw new DomainError('forbidden', '只有监管部门和考试机构可以导入数据包');
  return caller;
}

function err(
  section: string | null,
  index: number | null,
  ref: string | null,
  field: string,
  code: string,
  message: string,
): BundleError {
  return { section, index, ref, field, code, message };
}

/**
 * Checks a whole bundle before anything is written and returns every problem, each naming the record
 * (section, index, ref) and the field. Never writes.
 */
export async function validateBundle(
  db: Executor,
  input: unknown,
  caller: Caller = 'system:cli',
): Promise<ValidationResult> {
  const parsed = BundleSchema.safeParse(input);
  if (!parsed.success) {
    const raw = (input ?? {}) as Record<string, unknown>;
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => {
        const [section, index, ...rest] = i.path;
        const isRecord = typeof section === 'string' && typeof index === 'number';
        const record = isRecord
          ? ((raw[section] as { ref?: unknown; kid?: unknown }[] | undefined)?.[index] ?? null)
          : null;
        const own = record ? (section === 'authorityKeys' ? record.kid : record.ref) : null;
        const ref = typeof own === 'string' ? own : null;
        return err(
          isRecord ? section : null,
          isRecord ? index : null,
          ref,
          (isRecord ? rest : i.path).join('.') || '(root)',
          'schema',
          i.message,
        );
      }),
    };
  }
  const bundle = parsed.data;
  const errors: BundleError[] = [];
  const orgs = bundle.organizations ?? [];
  const persons = bundle.persons ?? [];
  const staff = bundle.staff ?? [];
  const employments = bundle.employments ?? [];

  const existing = {} as ImportPlan['existing'];
  for (const section of bundleSections) {
    const records = (bundle[section] ?? []) as { ref?: string; kid?: string }[];
    const seen = new Set<string>();
    const field = section === 'authorityKeys' ? 'kid' : 'ref';
    records.forEach((r, i) => {
      const ref = keyOf(section, r);
      if (seen.has(ref))
        errors.push(
          err(section, i, ref, field, 'duplicate_ref', `${field}「${ref}」在 ${section} 中重复`),
        );
      seen.add(ref);
    });
    // Authority keys have no author's ref: the validation links them by kid.
    existing[section] =
      section === 'authorityKeys' ? new Map() : await repo.findRefs(db, section, [...seen]);
  }

  // Organizations: checksums, regions, scope, duplicates, existing rows.
  const regions = await repo.findExistingRegions(db, [...new Set(orgs.map((o) => o.regionCode))]);
  const byCredit = await repo.findOrganizationsByCreditCode(
    db,
    orgs.map((o) => o.creditCode.toUpperCase()),
  );
  const orgInfo = new Map<string, OrgInfo>();
  const creditSeen = new Map<string, string>();
  orgs.forEach((o, i) => {
    const code = o.creditCode.toUpperCase();
    const v = validateCreditCode(code);
    if (!v.ok)
      errors.push(
        err('organizations', i, o.ref, 'creditCode', `credit_code_${v.reason}`, v.message),
      );
    if (creditSeen.has(code))
      errors.push(
        err(
          'organizations',
          i,
          o.ref,
          'creditCode',
          'duplicate_credit_code',
          `统一社会信用代码与「${creditSeen.get(code)}」重复`,
        ),
      );
    creditSeen.set(code, o.ref);
    if (!regions.has(o.regionCode))
      errors.push(
        err(
          'organizations',
          i,
          o.ref,
          'regionCode',
          'unknown_region',
          `行政区划 ${o.regionCode} 不存在`,
        ),
      );
    const inDb = byCredit.get(code);
    if (inDb && inDb.kind !== o.kind)
      errors.push(
        err('organizations', i, o.ref, 'kind', 'kind_mismatch', `该信用代码已登记为 ${inDb.kind}`),
      );
    if (inDb && !existing.organizations.has(o.ref)) existing.organizations.set(o.ref, inDb.id);
    orgInfo.set(o.ref, { kind: o.kind, regionCode: o.regionCode });
  });
  const orgRefsInFile = new Set(orgs.map((o) => o.ref));
  const orgRefsUsed = [...staff, ...employments, ...(bundle.rooms ?? []), ...(bundle.classes ?? [])]
    .map((r) => r.organizationRef)
    .concat(orgs.flatMap((o) => (o.operatorRef ? [o.operatorRef] : [])))
    .concat(examOrganizationRefs(bundle), certificateOrganizationRefs(bundle));
  const linkedOrgRefs = [...new Set(orgRefsUsed)].filter((r) => !orgRefsInFile.has(r));
  const dbOrgRefs = await repo.findRefs(db, 'organizations', linkedOrgRefs);
  // Organizations already in the database — named by ref, or in the file and linked by ref or credit
  // code — are what the database says they are: their kind and region decide what may be done there.
  const dbOrgs = await repo.findOrganizationsByIds(db, [
    ...dbOrgRefs.values(),
    ...existing.organizations.values(),
  ]);
  for (const [ref, id] of [...dbOrgRefs, ...existing.organizations]) {
    const o = dbOrgs.get(id);
    if (o) orgInfo.set(ref, { id, kind: o.kind, regionCode: o.regionCode });
  }
  orgs.forEach((o, i) => {
    if (o.operatorRef && !orgInfo.has(o.operatorRef))
      errors.push(
        err(
          'organizations',
          i,
          o.ref,
          'operatorRef',
          'dangling_ref',
          `operatorRef「${o.operatorRef}」不存在`,
        ),
      );
    if ((o.status === 'suspended' || o.status === 'exited') && !o.statusDecision) {
      errors.push(
        err(
          'organizations',
          i,
          o.ref,
          'statusDecision',
          'decision_required',
          '停业整顿或退出须附决定',
        ),
      );
    }
  });

  // Persons: checksums, duplicates, one file per ID number.
  const normalized = persons.map((p) => normalizeIdNumber(p.idNumber));
  const byIdNumber = await repo.findPersonsByIdNumber(db, normalized);
  const idSeen = new Map<string, string>();
  const nameMismatches: BundleError[] = [];
  persons.forEach((p, i) => {
    const idNumber = normalized[i];
    const v = validateIdNumber(idNumber);
    if (!v.ok)
      errors.push(err('persons', i, p.ref, 'idNumber', `id_number_${v.reason}`, v.message));
    if (idSeen.has(idNumber))
      errors.push(
        err(
          'persons',
          i,
          p.ref,
          'idNumber',
          'duplicate_id_number',
          `身份证号码与「${idSeen.get(idNumber)}」重复`,
        ),
      );
    idSeen.set(idNumber, p.ref);
    const inDb = byIdNumber.get(idNumber);
    if (inDb && inDb.name !== p.name.trim())
      nameMismatches.push(
        err('persons', i, p.ref, 'name', 'name_mismatch', '与已建档人员的姓名不一致'),
      );
    if (inDb && !existing.persons.has(p.ref)) existing.persons.set(p.ref, inDb.id);
  });
  const personRefsInFile = new Set(persons.map((p) => p.ref));
  const personRefsUsed = [...staff, ...employments]
    .map((r) => r.personRef)
    .concat(trainingPersonRefs(bundle), examPersonRefs(bundle), certificatePersonRefs(bundle));
  const dbPersonRefs = await repo.findRefs(
    db,
    'persons',
    [...new Set(personRefsUsed)].filter((r) => !personRefsInFile.has(r)),
  );

  const checkLink = (
    section: BundleSection,
    i: number,
    r: {
      ref: string;
      personRef: string;
      organizationRef: string;
      startDate: string;
      endDate?: string | null;
    },
  ) => {
    if (!personRefsInFile.has(r.personRef) && !dbPersonRefs.has(r.personRef))
      errors.push(
        err(section, i, r.ref, 'personRef', 'dangling_ref', `personRef「${r.personRef}」不存在`),
      );
    if (!orgInfo.has(r.organizationRef))
      errors.push(
        err(
          section,
          i,
          r.ref,
          'organizationRef',
          'dangling_ref',
          `organizationRef「${r.organizationRef}」不存在`,
        ),
      );
    if (r.endDate && r.endDate < r.startDate)
      errors.push(err(section, i, r.ref, 'endDate', 'end_before_start', '结束日期早于开始日期'));
    return orgInfo.get(r.organizationRef);
  };
  staff.forEach((s, i) => {
    const org = checkLink('staff', i, s);
    if (org && !dutyAllowedFor(org.kind, s.duty))
      errors.push(
        err('staff', i, s.ref, 'duty', 'duty_not_allowed', `职务 ${s.duty} 不适用于 ${org.kind}`),
      );
    (s.operationItems ?? []).forEach((code, j) => {
      if (!findOperationItem(code))
        errors.push(
          err(
            'staff',
            i,
            s.ref,
            `operationItems.${j}`,
            'unknown_item',
            `作业项目 ${code} 不在目录中`,
          ),
        );
    });
  });
  employments.forEach((e, i) => {
    const org = checkLink('employments', i, e);
    if (org && org.kind !== 'enterprise')
      errors.push(
        err(
          'employments',
          i,
          e.ref,
          'organizationRef',
          'not_enterprise',
          '岗位聘用只登记在生产经营单位',
        ),
      );
    if (e.post === 'special_operator' && !e.operationItemCode)
      errors.push(
        err(
          'employments',
          i,
          e.ref,
          'operationItemCode',
          'item_required',
          '特种作业人员须填写作业项目',
        ),
      );
    if (e.operationItemCode && !findOperationItem(e.operationItemCode))
      errors.push(
        err(
          'employments',
          i,
          e.ref,
          'operationItemCode',
          'unknown_item',
          `作业项目 ${e.operationItemCode} 不在目录中`,
        ),
      );
  });

  const personKnown = (ref: string) => personRefsInFile.has(ref) || dbPersonRefs.has(ref);
  const ctx: SectionContext = {
    orgInfo,
    orgIds: new Map([...dbOrgRefs, ...existing.organizations]),
    personKnown,
    personIds: new Map([...dbPersonRefs, ...existing.persons]),
    existing,
  };
  await validateTrainingSections(
    db,
    bundle,
    orgInfo,
    personKnown,
    (e) => errors.push(e),
    existing,
    ctx.personIds,
  );
  await validateExamSections(db, bundle, ctx, (e) => errors.push(e));
  await validateCertificateSections(db, bundle, ctx, (e) => errors.push(e));

  const refused: BundleError[] = [];
  if (typeof caller !== 'string')
    await authorizeBundle(db, bundle, caller, ctx, (e) => refused.push(e));
  // A name that differs from a registered file tells that the ID number is registered: a registrar
  // hears it, anyone else only about persons they may already see (the others are refused above).
  const hidden = new Set(refused.filter((e) => e.section === 'persons').map((e) => e.index));
  const registrar = typeof caller === 'string' || isRegistrar(caller);
  errors.push(...nameMismatches.filter((e) => registrar || !hidden.has(e.index)), ...refused);

  return errors.length > 0
    ? { ok: false, errors }
    : { ok: true, bundle, plan: { existing, orgInfo } };
}

function trainingPersonRefs(b: Bundle): string[] {
  return [
    ...(b.classes ?? []).flatMap((c) => [c.headTeacherRef, ...(c.traineeRefs ?? [])]),
    ...(b.lessons ?? []).flatMap((l) =>
      l.taughtByRef ? [l.teacherRef, l.taughtByRef] : [l.teacherRef],
    ),
    ...[...(b.attendance ?? []), ...(b.makeups ?? []), ...(b.onlineSessions ?? [])].map(
      (r) => r.personRef,
    ),
  ];
}

/** Problems that are a clash with what the database already holds (409), not a malformed file (400). */
const conflictCodes = new Set([
  'room_name_taken',
  'device_serial_taken',
  'class_code_taken',
  'syllabus_version_taken',
  'makeup_exists',
  'device_event_taken',
  'device_recording_taken',
]);

export interface ImportResult {
  created: Record<BundleSection, number>;
  linked: Record<BundleSection, number>;
}

/**
 * Validates the whole bundle, then writes it in one transaction (nothing when anything is invalid).
 * Records whose ref was imported before, or whose credit code / ID number is already registered, are
 * linked rather than duplicated, so importing the same file twice changes nothing.
 */
export async function importBundle(
  db: Executor,
  caller: Caller,
  input: unknown,
  requestId?: string,
  now = new Date(),
): Promise<ImportResult> {
  const importer = await bundleImporter(db, caller);
  return transaction(db, async (trx) => {
    const v = await validateBundle(trx, input, importer);
    if (!v.ok) {
      const details = v.errors.map((e) => ({
        path: [e.section, e.index, e.field].filter((x) => x !== null).join('.'),
        ...e,
      }));
      const refused = v.errors.filter((e) => e.code === 'forbidden').length;
      if (refused > 0)
        throw new DomainError(
          'forbidden',
          `数据包中有 ${refused} 条记录超出导入者的权限（共 ${v.errors.length} 处问题），未导入任何记录`,
          details,
        );
      if (v.errors.every((e) => conflictCodes.has(e.code)))
        throw new DomainError(
          'conflict',
          `数据包中有 ${v.errors.length} 条记录与库中已有记录冲突，未导入任何记录`,
          details,
        );
      throw new DomainError(
        'validation_failed',
        `数据包有 ${v.errors.length} 处错误，未导入任何记录`,
        details,
      );
    }
    const { bundle, plan } = v;
    const ids = new Map<string, string>();
    const refRows: {
      entityType: string;
      ref: string;
      entityId: string;
      regionCode: string | null;
    }[] = [];
    const created = Object.fromEntries(bundleSections.map((s) => [s, 0])) as Record<
      BundleSection,
      number
    >;
    const linked = Object.fromEntries(bundleSections.map((s) => [s, 0])) as Record<
      BundleSection,
      number
    >;
    const key = (section: BundleSection, ref: string) => `${section}\u0000${ref}`;
    /** The id a record gets: the linked row's, else `opts.id` (a certificate keeps its QR's) or a new one. */
    const take = (
      section: BundleSection,
      ref: string,
      regionCode: string | null,
      opts: { id?: string; keepRef?: boolean } = {},
    ): { id: string; isNew: boolean } => {
      const existingId = plan.existing[section].get(ref);
      if (existingId) {
        ids.set(key(section, ref), existingId);
        linked[section]++;
        return { id: existingId, isNew: false };
      }
      const id = opts.id ?? repo.newId();
      ids.set(key(section, ref), id);
      if (opts.keepRef !== false)
        refRows.push({ entityType: section, ref, entityId: id, regionCode });
      created[section]++;
      return { id, isNew: true };
    };
    const alreadyRefd = async (section: BundleSection) =>
      repo.findRefs(trx, section, [...plan.existing[section].keys()]);

    const orgRows = [];
    const operators: { id: string; operatorRef: string }[] = [];
    for (const o of bundle.organizations ?? []) {
      const { id, isNew } = take('organizations', o.ref, o.regionCode);
      if (o.operatorRef) operators.push({ id, operatorRef: o.operatorRef });
      if (!isNew) continue;
      orgRows.push({
        id,
        kind: o.kind,
        name: o.name,
        creditCode: o.creditCode.toUpperCase(),
        regionCode: o.regionCode,
        industry: o.industry ?? null,
        highRisk: o.highRisk ?? (o.industry ? highRiskIndustries.includes(o.industry) : false),
        scale: o.scale ?? null,
        address: o.address ?? null,
        contactPhone: o.contactPhone ?? null,
        status: o.status ?? 'active',
        statusDecision: o.statusDecision ?? null,
        statusChangedAt: o.status && o.status !== 'active' ? new Date() : null,
        employeeCount: o.employeeCount ?? null,
        facilities: o.facilities ? JSON.stringify(o.facilities) : null,
      });
    }
    await repo.insertOrganizations(trx, orgRows);
    const orgIdOf = async (refs: string[]) => {
      const missing = refs.filter((r) => !ids.has(key('organizations', r)));
      const found = await repo.findRefs(trx, 'organizations', missing);
      for (const [r, id] of found) ids.set(key('organizations', r), id);
    };
    await orgIdOf(operators.map((o) => o.operatorRef));
    await repo.setOperators(
      trx,
      operators.map((o) => ({
        id: o.id,
        operatorId: ids.get(key('organizations', o.operatorRef))!,
      })),
    );

    const personRows = [];
    for (const p of bundle.persons ?? []) {
      const { id, isNew } = take('persons', p.ref, null);
      if (!isNew) continue;
      const idNumber = normalizeIdNumber(p.idNumber);
      const parsed = parseIdNumber(idNumber);
      personRows.push({
        id,
        idNumber,
        name: p.name.trim(),
        birthDate: parsed.birthDate,
        gender: parsed.gender,
        education: p.education ?? null,
        phone: p.phone ?? null,
        regionCode: parsed.regionCode6,
      });
    }
    await repo.insertPersons(trx, personRows);

    const links = [...(bundle.staff ?? []), ...(bundle.employments ?? [])];
    await orgIdOf([...new Set(links.map((l) => l.organizationRef))]);
    const missingPersons = [...new Set(links.map((l) => l.personRef))].filter(
      (r) => !ids.has(key('persons', r)),
    );
    for (const [r, id] of await repo.findRefs(trx, 'persons', missingPersons))
      ids.set(key('persons', r), id);
    const regionOfOrg = (ref: string) => plan.orgInfo.get(ref)!.regionCode;

    const staffRows = [];
    for (const s of bundle.staff ?? []) {
      const { id, isNew } = take('staff', s.ref, regionOfOrg(s.organizationRef));
      if (!isNew) continue;
      staffRows.push({
        id,
        personId: ids.get(key('persons', s.personRef))!,
        organizationId: ids.get(key('organizations', s.organizationRef))!,
        regionCode: regionOfOrg(s.organizationRef),
        duty: s.duty,
        fullTime: s.fullTime ?? true,
        laborContract: s.laborContract ?? false,
        practiceYears: s.practiceYears ?? null,
        operationItems: s.operationItems ?? [],
        startDate: s.startDate,
        endDate: s.endDate ?? null,
      });
    }
    await repo.insertStaff(trx, staffRows);

    const employmentRows = [];
    for (const e of bundle.employments ?? []) {
      const { id, isNew } = take('employments', e.ref, regionOfOrg(e.organizationRef));
      if (!isNew) continue;
      employmentRows.push({
        id,
        personId: ids.get(key('persons', e.personRef))!,
        organizationId: ids.get(key('organizations', e.organizationRef))!,
        regionCode: regionOfOrg(e.organizationRef),
        post: e.post,
        operationItemCode: e.operationItemCode ?? null,
        startDate: e.startDate,
        endDate: e.endDate ?? null,
      });
    }
    await repo.insertEmployments(trx, employmentRows);

    const idOf = async (section: BundleSection, ref: string) => {
      const known = ids.get(key(section, ref));
      if (known) return known;
      const found = (await repo.findRefs(trx, section, [ref])).get(ref);
      if (!found) throw new Error(`validated ref ${section}/${ref} not found`);
      ids.set(key(section, ref), found);
      return found;
    };
    await importTrainingSections(trx, bundle, take, idOf, now, importer);
    await importExamSections(trx, bundle, take, idOf);
    await importCertificateSections(trx, bundle, take, idOf, now);

    // Records linked by credit code / ID number get the author's ref too, unless it was there already.
    for (const section of bundleSections) {
      if (section === 'authorityKeys') continue;
      const known = await alreadyRefd(section);
      for (const [ref, id] of plan.existing[section]) {
        if (!known.has(ref))
          refRows.push({ entityType: section, ref, entityId: id, regionCode: null });
      }
    }
    await repo.insertRefs(trx, refRows);

    for (const section of bundleSections) {
      const records = bundle[section];
      if (!records || records.length === 0) continue;
      await recordAudit(trx, {
        actor: importer,
        action: 'bundle.import',
        entityType: section,
        regionCode: typeof importer === 'string' ? null : importer.regionCode,
        after: records,
        summary: `${section}: ${created[section]} created, ${linked[section]} linked`,
        requestId,
      });
    }
    return { created, linked };
  });
}

/** A bundle of everything in the caller's jurisdiction ('system:…' callers: everything), in ref order. */
export async function exportBundle(
  db: Executor,
  caller: Caller,
  now = new Date(),
): Promise<Bundle> {
  const prefix =
    typeof caller === 'string'
      ? ''
      : caller.scope.kind === 'region'
        ? caller.scope.regionCode
        : null;
  if (prefix === null) throw new DomainError('forbidden', '只有监管部门可以导出辖区数据包');
  const data = await repo.readRegistry(db, prefix);
  const refOf = new Map(data.refs.map((r) => [`${r.entityType}\u0000${r.entityId}`, r.ref]));
  const ref = (section: BundleSection, id: string) =>
    refOf.get(`${section}\u0000${id}`) ?? `${section}:${id}`;
  const byRef = <T extends { ref: string }>(rows: T[]) =>
    rows.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  const orgRefById = new Map(data.organizations.map((o) => [o.id, ref('organizations', o.id)]));
  return {
    format: 'zhenxun.bundle',
    version: 1,
    generatedAt: now.toISOString().replace('Z', '+00:00'),
    source: { system: 'zhenxun' },
    organizations: byRef(
      data.organizations.map((o) => ({
        ref: orgRefById.get(o.id)!,
        kind: o.kind,
        name: o.name,
        creditCode: o.creditCode,
        regionCode: o.regionCode,
        industry: (o.industry as BundleOrganization['industry']) ?? null,
        highRisk: o.highRisk,
        scale: (o.scale as BundleOrganization['scale']) ?? null,
        address: o.address,
        contactPhone: o.contactPhone,
        status: o.status,
        statusDecision: o.statusDecision,
        operatorRef: o.operatorId
          ? (orgRefById.get(o.operatorId) ?? ref('organizations', o.operatorId))
          : null,
        employeeCount: o.employeeCount,
        facilities: (o.facilities as BundleOrganization['facilities']) ?? null,
      })),
    ),
    persons: byRef(
      data.persons.map((p) => ({
        ref: ref('persons', p.id),
        idNumber: p.idNumber,
        name: p.name,
        education: (p.education as BundlePerson['education']) ?? null,
        phone: p.phone,
      })),
    ),
    staff: byRef(
      data.staff.map((s) => ({
        ref: ref('staff', s.id),
        personRef: ref('persons', s.personId),
        organizationRef: orgRefById.get(s.organizationId) ?? ref('organizations', s.organizationId),
        duty: s.duty,
        fullTime: s.fullTime,
        laborContract: s.laborContract,
        practiceYears: s.practiceYears,
        operationItems: s.operationItems,
        startDate: s.startDate,
        endDate: s.endDate,
      })),
    ),
    ...(await exportTrainingSections(db, prefix, ref)),
    ...(await exportExamSections(db, prefix, ref)),
    ...(await exportCertificateSections(db, prefix, ref)),
    employments: byRef(
      data.employments.map((e) => ({
        ref: ref('employments', e.id),
        personRef: ref('persons', e.personId),
        organizationRef: orgRefById.get(e.organizationId) ?? ref('organizations', e.organizationId),
        post: e.post,
        operationItemCode: e.operationItemCode,
        startDate: e.startDate,
        endDate: e.endDate,
      })),
    ),
  };
}

/** ids of records imported under the given refs (the demo loader links its accounts this way). */
export function idsForRefs(
  db: Executor,
  section: BundleSection,
  refs: string[],
): Promise<Map<string, string>> {
  return repo.findRefs(db, section, refs);
}
