import { createHash } from 'node:crypto';
import { beijingDay } from '../../catalog/calendar.js';
import { recordAudit } from '../../platform/audit/audit.js';
import type { Actor } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, type ErrorDetail, forbidden, notFound } from '../../platform/errors.js';
import { type Cell, readXlsx, writeXlsx, XlsxError } from '../../platform/xlsx.js';
import { certificateStatus } from '../certificates/certificates.rules.js';
import { maskIdNumber, parseIdNumber } from '../registry/identifiers.rules.js';
import { canManageOrganization } from '../registry/registry.access.js';
import type { Post } from '../registry/registry.contract.js';
import {
  type CheckResult,
  certificateCovers,
  judgeDeclaredCertificate,
  type RegistryCertificate,
} from './certificate-check.rules.js';
import type {
  CertificateCheckView,
  Dashboard,
  LedgerEntry,
  Obligation,
  ObligationsAnswer,
  TrainingSessionCreate,
} from './enterprises.contract.js';
import * as repo from './enterprises.repository.js';
import {
  cellText,
  type LedgerCell,
  type LedgerRow,
  ledgerColumns,
  parseLedgerRow,
  postLabels,
  type RowError,
} from './ledger-import.rules.js';
import { computeObligations, type EnterpriseFacts } from './obligations.rules.js';

/** 10^4 people per file is what a large enterprise has (issue 14 point 1); beyond that, split it. */
export const MAX_LEDGER_ROWS = 20_000;

async function visibleEnterprise(db: Executor, actor: Actor, id: string) {
  const org = await repo.findEnterprise(db, actor.scope, id);
  if (!org) throw notFound('生产经营单位');
  return org;
}

// ——— facts and obligations ———

async function loadFacts(db: Executor, org: repo.EnterpriseRow) {
  const [employments, certificates, checks, training, plans] = await Promise.all([
    repo.listEmploymentsOf(db, org.id),
    repo.listCertificatesOfEmployees(db, org.id),
    repo.latestChecks(db, org.id),
    repo.listTrainingRecordsOf(db, org.id),
    repo.listPlansOf(db, org.id),
  ]);
  const facts: EnterpriseFacts = {
    organization: {
      id: org.id,
      name: org.name,
      industry: org.industry,
      highRisk: org.highRisk,
      scale: org.scale,
      employeeCount: org.employeeCount,
    },
    employments,
    certificates,
    checks,
    training: training.map((t) => ({ ...t, hours: Number(t.hours) })),
    plans,
  };
  return { facts, employments, checks };
}

/** Obligations of one enterprise the caller may see, as of the Beijing day of `now`. */
export async function enterpriseObligations(
  db: Executor,
  actor: Actor,
  organizationId: string,
  now: Date,
): Promise<ObligationsAnswer> {
  const org = await visibleEnterprise(db, actor, organizationId);
  const today = beijingDay(now);
  const { facts } = await loadFacts(db, org);
  const items = computeObligations(facts, today);
  return {
    organizationId: org.id,
    organizationName: org.name,
    asOf: today,
    summary: summarize(items),
    items,
  };
}

function summarize(items: readonly Obligation[]) {
  return {
    ok: items.filter((o) => o.state === 'ok').length,
    dueSoon: items.filter((o) => o.state === 'due_soon').length,
    overdue: items.filter((o) => o.state === 'overdue').length,
  };
}

// ——— the ledger page ———

function checkView(c: {
  id: string;
  declaredNumber: string;
  checkedOn: string;
  outcome: CertificateCheckView['outcome'];
  flag: CertificateCheckView['flag'];
  evidence: unknown;
}): CertificateCheckView {
  const message = (c.evidence as { message?: string } | null)?.message ?? '';
  return {
    id: c.id,
    declaredNumber: c.declaredNumber,
    checkedOn: c.checkedOn,
    outcome: c.outcome,
    flag: c.flag,
    message,
  };
}

export async function enterpriseLedger(
  db: Executor,
  actor: Actor,
  organizationId: string,
  query: {
    q?: string;
    post?: Post;
    problems?: 'true' | 'false';
    current: 'true' | 'false';
    page: number;
    pageSize: number;
  },
  now: Date,
) {
  const org = await visibleEnterprise(db, actor, organizationId);
  const today = beijingDay(now);
  const { facts, employments, checks } = await loadFacts(db, org);
  const obligations = computeObligations(facts, today);
  const entries = ledgerEntries(facts, employments, checks, obligations, today);
  let items = entries;
  if (query.current === 'true')
    items = items.filter((e) => e.endDate === null || e.endDate >= today);
  if (query.post) items = items.filter((e) => e.post === query.post);
  if (query.q) {
    const q = query.q.trim();
    items = items.filter((e) => e.personName.includes(q) || e.department?.includes(q));
  }
  if (query.problems === 'true') items = items.filter((e) => e.overdue + e.dueSoon > 0);
  // Problems first: the clerk's work is at the top.
  items.sort(
    (a, b) =>
      b.overdue - a.overdue ||
      b.dueSoon - a.dueSoon ||
      a.post.localeCompare(b.post) ||
      a.personName.localeCompare(b.personName),
  );
  const start = (query.page - 1) * query.pageSize;
  return {
    organization: {
      id: org.id,
      name: org.name,
      industry: org.industry,
      highRisk: org.highRisk,
      regionCode: org.regionCode,
      employeeCount: org.employeeCount,
    },
    items: items.slice(start, start + query.pageSize),
    total: items.length,
    page: query.page,
    pageSize: query.pageSize,
  };
}

function ledgerEntries(
  facts: EnterpriseFacts,
  employments: Awaited<ReturnType<typeof repo.listEmploymentsOf>>,
  checks: Awaited<ReturnType<typeof repo.latestChecks>>,
  obligations: readonly Obligation[],
  today: string,
): LedgerEntry[] {
  const year = today.slice(0, 4);
  const hoursThisYear = new Map<string, number>();
  for (const t of facts.training)
    if (t.date.startsWith(year) && t.date <= today)
      hoursThisYear.set(t.personId, (hoursThisYear.get(t.personId) ?? 0) + t.hours);
  const checkOf = new Map(checks.map((c) => [c.employmentId, c]));
  const counts = new Map<string, { overdue: number; dueSoon: number }>();
  for (const o of obligations) {
    if (!o.employmentId) continue;
    const c = counts.get(o.employmentId) ?? { overdue: 0, dueSoon: 0 };
    if (o.state === 'overdue') c.overdue++;
    if (o.state === 'due_soon') c.dueSoon++;
    counts.set(o.employmentId, c);
  }
  return employments.map((e) => {
    const check = checkOf.get(e.id);
    return {
      employmentId: e.id,
      personId: e.personId,
      personName: e.personName,
      idNumberMasked: maskIdNumber(e.idNumber),
      post: e.post,
      operationItemCode: e.operationItemCode,
      startDate: e.startDate,
      endDate: e.endDate,
      department: e.department,
      dispatchCompany: e.dispatchCompany,
      declaredCertificateNumber: e.declaredCertificateNumber,
      certificates: facts.certificates
        .filter((c) => c.personId === e.personId && certificateCovers(e, c))
        .map((c) => ({
          id: c.id,
          number: c.number,
          kind: c.kind,
          operationItemCode: c.operationItemCode,
          state: certificateStatus(c, c.events, today).state,
          validUntil: c.validUntil,
        })),
      lastCheck: check ? checkView(check) : null,
      trainingHoursThisYear: hoursThisYear.get(e.personId) ?? 0,
      overdue: counts.get(e.id)?.overdue ?? 0,
      dueSoon: counts.get(e.id)?.dueSoon ?? 0,
    };
  });
}

// ——— certificates checked, not trusted ———

function registryCertificates(
  rows: Awaited<ReturnType<typeof repo.findCertificatesByNumbers>>,
  today: string,
): Map<string, RegistryCertificate[]> {
  const out = new Map<string, RegistryCertificate[]>();
  for (const c of rows) {
    const s = certificateStatus(c, c.events, today);
    const list = out.get(c.number) ?? [];
    list.push({
      id: c.id,
      personId: c.personId,
      kind: c.kind,
      operationItemCode: c.operationItemCode,
      state: s.state,
      validUntil: s.validUntil,
    });
    out.set(c.number, list);
  }
  return out;
}

function checkRow(
  org: { id: string; regionCode: string },
  employmentId: string,
  number: string,
  today: string,
  result: CheckResult,
  found: readonly RegistryCertificate[],
  actor: Actor,
) {
  return {
    employmentId,
    organizationId: org.id,
    regionCode: org.regionCode,
    declaredNumber: number,
    checkedOn: today,
    outcome: result.outcome,
    flag: result.flag,
    certificateId: result.certificateId,
    // What the registry said on the day: the evidence if the number is later disputed.
    evidence: JSON.stringify({
      message: result.message,
      registry: found.map((c) => ({
        id: c.id,
        kind: c.kind,
        operationItemCode: c.operationItemCode,
        state: c.state,
        validUntil: c.validUntil,
      })),
    }),
    checkedBy: actor.userId ?? actor.displayName,
  };
}

/** Declares (or re-declares) the certificate number of one employment and checks it at once. */
export async function declareCertificate(
  db: Executor,
  actor: Actor,
  organizationId: string,
  employmentId: string,
  number: string,
  now: Date,
  requestId?: string,
): Promise<CertificateCheckView> {
  const today = beijingDay(now);
  const declared = number.normalize('NFKC').trim().toUpperCase();
  return transaction(db, async (trx) => {
    const org = await repo.lockEnterprise(trx, actor.scope, organizationId);
    if (!org) throw notFound('生产经营单位');
    if (!canManageOrganization(actor, org)) throw forbidden();
    const e = await repo.findEmploymentInOrganization(trx, org.id, employmentId);
    if (!e) throw notFound('聘用记录');
    const found =
      registryCertificates(await repo.findCertificatesByNumbers(trx, [declared]), today).get(
        declared,
      ) ?? [];
    const result = judgeDeclaredCertificate({ number: declared, personId: e.personId }, e, found);
    const existing = await trx
      .selectFrom('employmentDetail')
      .selectAll()
      .where('employmentId', '=', e.id)
      .executeTakeFirst();
    await repo.upsertDetails(trx, [
      {
        employmentId: e.id,
        organizationId: org.id,
        regionCode: org.regionCode,
        dispatchCompany: existing?.dispatchCompany ?? null,
        department: existing?.department ?? null,
        declaredCertificateNumber: declared,
      },
    ]);
    const row = checkRow(org, e.id, declared, today, result, found, actor);
    const [inserted] = await repo.insertChecks(trx, [row]);
    await recordAudit(trx, {
      actor,
      action: 'enterprise.certificate.declare',
      entityType: 'certificate_check',
      entityId: inserted.id,
      regionCode: org.regionCode,
      before: existing ?? null,
      after: row,
      summary: `${e.personName} ${declared}: ${result.outcome}`,
      requestId,
      at: now,
    });
    return checkView({ ...row, id: inserted.id, evidence: { message: result.message } });
  });
}

// ——— Excel: template, import, export ———

const instructions: Cell[][] = [
  ['填写说明'],
  ['每行一名从业人员的一个岗位；同一人任多个岗位（如特种作业人员兼内训师）填写多行'],
  [`岗位：${Object.values(postLabels).join(' / ')}`],
  [
    '作业项目代码：特种作业人员必填，填写特种作业目录中的代码（如 1.2 低压电工作业、9.8 加氢工艺作业）；其他岗位不填',
  ],
  ['上岗日期、离岗日期：如 2024-03-01；仍在岗的不填离岗日期'],
  ['劳务派遣单位：劳务派遣人员填写派遣单位名称，本单位员工不填'],
  [
    '证书编号：特种作业操作证或安全生产知识和管理能力考核合格证编号；导入时自动到证书库核验，不存在、属于他人、项目不符、已撤销或过期的会被标出',
  ],
  ['身份证号码与姓名须与已建档人员一致；任何一行有错误时整个文件都不会导入，错误按行号和列名列出'],
];
const widths = [10, 22, 14, 12, 12, 12, 16, 24, 24];

export function ledgerTemplate(): Uint8Array {
  const example: Cell[][] = [
    [
      '张三',
      '370902198506151234',
      '特种作业人员',
      '1.2',
      '2024-03-01',
      null,
      '维修车间',
      null,
      'T370902198506151234',
    ],
    [
      '李四',
      '370902199001011236',
      '其他从业人员',
      null,
      '2026-09-01',
      null,
      '合成车间',
      '泰安市某劳务派遣有限公司',
      null,
    ],
  ];
  return writeXlsx([
    {
      name: '从业人员台账',
      rows: [[...ledgerColumns], ...example],
      headerRows: 1,
      columnWidths: widths,
    },
    { name: '说明', rows: instructions, headerRows: 1, columnWidths: [110] },
  ]);
}

export async function exportLedger(
  db: Executor,
  actor: Actor,
  organizationId: string,
  now: Date,
): Promise<{ bytes: Uint8Array; fileName: string }> {
  const org = await visibleEnterprise(db, actor, organizationId);
  const today = beijingDay(now);
  const { facts, employments, checks } = await loadFacts(db, org);
  const obligations = computeObligations(facts, today);
  const entries = ledgerEntries(facts, employments, checks, obligations, today);
  // The organization's own users export full ID numbers (their own ledger); a regulator's copy is masked.
  const own = actor.organizationId === org.id;
  const idOf = new Map(employments.map((e) => [e.id, e.idNumber]));
  const rows: Cell[][] = entries.map((e) => [
    e.personName,
    own ? (idOf.get(e.employmentId) ?? '') : e.idNumberMasked,
    postLabels[e.post],
    e.operationItemCode,
    e.startDate,
    e.endDate,
    e.department,
    e.dispatchCompany,
    e.declaredCertificateNumber,
    e.certificates.map((c) => `${c.number}(${c.state})`).join('；') || null,
    e.lastCheck?.message ?? null,
    e.trainingHoursThisYear,
    e.overdue,
    e.dueSoon,
  ]);
  const header: Cell[] = [
    ...ledgerColumns,
    '证书库中的证书',
    '证书核验结果',
    `${today.slice(0, 4)}年培训学时`,
    '逾期义务',
    '即将到期义务',
  ];
  const bytes = writeXlsx([
    {
      name: '从业人员台账',
      rows: [header, ...rows],
      headerRows: 1,
      columnWidths: [...widths, 30, 36, 12, 10, 12],
    },
  ]);
  return { bytes, fileName: `从业人员台账_${org.name}_${today}.xlsx` };
}

/**
 * Imports the ledger from the template's layout: every row is validated first (ID number, name
 * against the person file, post, item, dates); if any row is wrong nothing is written and every
 * problem is listed by row and column. Then one transaction creates the missing person files, adds
 * the employments (a row already in the ledger — same person, post, item and start — updates its
 * end date and details), and checks every declared certificate number against the registry.
 */
export async function importLedger(
  db: Executor,
  actor: Actor,
  organizationId: string,
  fileBase64: string,
  now: Date,
  requestId?: string,
) {
  const today = beijingDay(now);
  const org0 = await visibleEnterprise(db, actor, organizationId);
  if (!canManageOrganization(actor, org0)) throw forbidden();
  const bytes = Buffer.from(fileBase64, 'base64');
  let sheets: ReturnType<typeof readXlsx>;
  try {
    sheets = readXlsx(bytes);
  } catch (e) {
    if (e instanceof XlsxError)
      throw new DomainError('validation_failed', `无法读取 Excel 文件：${e.message}`, [
        { path: 'body.file', message: e.message },
      ]);
    throw e;
  }
  const sheet = sheets[0];
  const header = (sheet?.rows[0] ?? []).map((c) => cellText(c as LedgerCell));
  if (!sheet || ledgerColumns.some((c, i) => header[i] !== c))
    throw new DomainError(
      'validation_failed',
      `第一个工作表的表头应为：${ledgerColumns.join(' | ')}（请使用下载的模板）`,
      [{ path: 'body.file', message: 'not the template layout', row: 1, column: '文件' }],
    );
  const body = sheet.rows.slice(1);
  if (body.length > MAX_LEDGER_ROWS)
    throw new DomainError('validation_failed', `一次最多导入 ${MAX_LEDGER_ROWS} 行`, [
      { path: 'body.file', message: 'too many rows' },
    ]);

  const errors: RowError[] = [];
  const rows: LedgerRow[] = [];
  const firstOf = new Map<string, number>();
  const nameOf = new Map<string, { name: string; row: number }>();
  body.forEach((cells, i) => {
    if (cells.every((c) => cellText(c as LedgerCell) === '')) return;
    const parsed = parseLedgerRow(cells as LedgerCell[], i + 2, today);
    errors.push(...parsed.errors);
    const r = parsed.row;
    if (!r) return;
    const key = `${r.idNumber}|${r.post}|${r.operationItemCode ?? ''}|${r.startDate}`;
    const first = firstOf.get(key);
    if (first)
      errors.push({
        path: `row ${r.excelRow}, 身份证号码`,
        message: `第${r.excelRow}行「身份证号码」：与第${first}行是同一人的同一岗位`,
        row: r.excelRow,
        column: '身份证号码',
      });
    else firstOf.set(key, r.excelRow);
    const named = nameOf.get(r.idNumber);
    if (named && named.name !== r.name)
      errors.push({
        path: `row ${r.excelRow}, 姓名`,
        message: `第${r.excelRow}行「姓名」：同一身份证号码在第${named.row}行的姓名是 ${named.name}`,
        row: r.excelRow,
        column: '姓名',
      });
    else if (!named) nameOf.set(r.idNumber, { name: r.name, row: r.excelRow });
    rows.push(r);
  });
  // The person file decides the name (一人一档): a row naming someone else is refused.
  const existing = new Map(
    (await repo.findPersonsByIdNumbers(db, [...nameOf.keys()])).map((p) => [p.idNumber, p]),
  );
  for (const r of rows) {
    const p = existing.get(r.idNumber);
    if (p && p.name !== r.name)
      errors.push({
        path: `row ${r.excelRow}, 姓名`,
        message: `第${r.excelRow}行「姓名」：与该身份证号码已建档的姓名不一致`,
        row: r.excelRow,
        column: '姓名',
      });
  }
  if (errors.length > 0) {
    errors.sort((a, b) => a.row - b.row);
    throw new DomainError(
      'validation_failed',
      `导入失败：${errors.length} 处错误，未导入任何数据`,
      errors.slice(0, 500).map((e): ErrorDetail => ({ ...e })),
    );
  }
  if (rows.length === 0)
    throw new DomainError('validation_failed', '文件中没有数据行', [
      { path: 'body.file', message: 'empty' },
    ]);

  return transaction(db, async (trx) => {
    const org = await repo.lockEnterprise(trx, actor.scope, organizationId);
    if (!org) throw notFound('生产经营单位');
    const persons = new Map(
      (await repo.findPersonsByIdNumbers(trx, [...nameOf.keys()])).map((p) => [p.idNumber, p.id]),
    );
    const toCreate = [...nameOf.entries()]
      .filter(([id]) => !persons.has(id))
      .map(([idNumber, { name }]) => {
        const parsed = parseIdNumber(idNumber);
        return {
          idNumber,
          name,
          birthDate: parsed.birthDate,
          gender: parsed.gender,
          regionCode: parsed.regionCode6,
        };
      });
    for (let i = 0; i < toCreate.length; i += 1000)
      for (const p of await repo.insertPersons(trx, toCreate.slice(i, i + 1000)))
        persons.set(p.idNumber, p.id);

    const current = await repo.listEmploymentsOf(trx, org.id);
    const keyOf = (e: {
      personId: string;
      post: string;
      operationItemCode: string | null;
      startDate: string;
    }) => `${e.personId}|${e.post}|${e.operationItemCode ?? ''}|${e.startDate}`;
    const known = new Map(current.map((e) => [keyOf(e), e]));
    const newRows: LedgerRow[] = [];
    const employmentOf = new Map<LedgerRow, string>();
    let updated = 0;
    let unchanged = 0;
    for (const r of rows) {
      const personId = persons.get(r.idNumber)!;
      const was = known.get(keyOf({ ...r, personId }));
      if (!was) {
        newRows.push(r);
        continue;
      }
      employmentOf.set(r, was.id);
      const same =
        was.endDate === r.endDate &&
        was.department === r.department &&
        was.dispatchCompany === r.dispatchCompany &&
        was.declaredCertificateNumber === r.certificateNumber;
      if (same) unchanged++;
      else {
        updated++;
        if (was.endDate !== r.endDate) await repo.setEmploymentEnd(trx, was.id, r.endDate);
      }
    }
    for (let i = 0; i < newRows.length; i += 1000) {
      const chunk = newRows.slice(i, i + 1000);
      const inserted = await repo.insertEmployments(
        trx,
        chunk.map((r) => ({
          personId: persons.get(r.idNumber)!,
          organizationId: org.id,
          regionCode: org.regionCode,
          post: r.post,
          operationItemCode: r.operationItemCode,
          startDate: r.startDate,
          endDate: r.endDate,
        })),
      );
      // RETURNING order is not promised: match the new rows back by their key.
      const idByKey = new Map(inserted.map((e) => [keyOf(e), e.id]));
      for (const r of chunk)
        employmentOf.set(r, idByKey.get(keyOf({ ...r, personId: persons.get(r.idNumber)! }))!);
    }
    const details = rows.map((r) => ({
      employmentId: employmentOf.get(r)!,
      organizationId: org.id,
      regionCode: org.regionCode,
      dispatchCompany: r.dispatchCompany,
      declaredCertificateNumber: r.certificateNumber,
      department: r.department,
    }));
    for (let i = 0; i < details.length; i += 1000)
      await repo.upsertDetails(trx, details.slice(i, i + 1000));

    // Every declared number checked at once, the check kept as evidence.
    const declared = rows.filter((r) => r.certificateNumber);
    const registry = registryCertificates(
      await repo.findCertificatesByNumbers(trx, [
        ...new Set(declared.map((r) => r.certificateNumber!)),
      ]),
      today,
    );
    const checkRows = declared.map((r) => {
      const found = registry.get(r.certificateNumber!) ?? [];
      const result = judgeDeclaredCertificate(
        { number: r.certificateNumber!, personId: persons.get(r.idNumber)! },
        r,
        found,
      );
      return checkRow(org, employmentOf.get(r)!, r.certificateNumber!, today, result, found, actor);
    });
    for (let i = 0; i < checkRows.length; i += 1000)
      await repo.insertChecks(trx, checkRows.slice(i, i + 1000));

    const result = {
      rows: rows.length,
      created: newRows.length,
      updated,
      unchanged,
      personsCreated: toCreate.length,
      flagged: checkRows.filter((c) => c.flag !== null).length,
    };
    await recordAudit(trx, {
      actor,
      action: 'enterprise.ledger.import',
      entityType: 'organization',
      entityId: org.id,
      regionCode: org.regionCode,
      after: { ...result, fileSha256: createHash('sha256').update(bytes).digest('hex') },
      summary: `台账导入 ${rows.length} 行：新增 ${result.created}，更新 ${updated}，证书核验异常 ${result.flagged}`,
      requestId,
      at: now,
    });
    return result;
  });
}

// ——— internal training ———

export async function createTrainingPlan(
  db: Executor,
  actor: Actor,
  organizationId: string,
  input: { year: number; title: string; content: string; plannedHours: number },
  now: Date,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const org = await repo.lockEnterprise(trx, actor.scope, organizationId);
    if (!org) throw notFound('生产经营单位');
    if (!canManageOrganization(actor, org)) throw forbidden();
    const row = await repo.insertPlan(trx, {
      ...input,
      organizationId: org.id,
      regionCode: org.regionCode,
      createdBy: actor.userId ?? actor.displayName,
    });
    if (!row)
      throw new DomainError('duplicate', `${input.year} 年度培训计划已存在`, [
        { path: 'body.year', message: 'exists' },
      ]);
    await recordAudit(trx, {
      actor,
      action: 'enterprise.training.plan',
      entityType: 'enterprise_training_plan',
      entityId: row.id,
      regionCode: org.regionCode,
      after: row,
      requestId,
      at: now,
    });
    return row;
  });
}

/**
 * A training session with its participants, hours and assessment results (安全生产法 第二十八条: time,
 * content, participants, assessment). Participants and the trainer must be in the ledger.
 */
export async function createTrainingSession(
  db: Executor,
  actor: Actor,
  organizationId: string,
  input: TrainingSessionCreate,
  now: Date,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const org = await repo.lockEnterprise(trx, actor.scope, organizationId);
    if (!org) throw notFound('生产经营单位');
    if (!canManageOrganization(actor, org)) throw forbidden();
    const ids = [
      ...input.participants.map((p) => p.personId),
      ...(input.trainerPersonId ? [input.trainerPersonId] : []),
    ];
    const employed = await repo.employedPersonIds(trx, org.id, ids);
    const details: ErrorDetail[] = [];
    input.participants.forEach((p, i) => {
      if (!employed.has(p.personId))
        details.push({ path: `body.participants.${i}.personId`, message: '不在本单位台账中' });
      if ((p.hours ?? input.hours) > input.hours)
        details.push({ path: `body.participants.${i}.hours`, message: '超过本次培训学时' });
    });
    if (input.trainerPersonId && !employed.has(input.trainerPersonId))
      details.push({ path: 'body.trainerPersonId', message: '不在本单位台账中' });
    if (new Set(input.participants.map((p) => p.personId)).size !== input.participants.length)
      details.push({ path: 'body.participants', message: '同一人重复' });
    if (details.length > 0)
      throw new DomainError('validation_failed', '培训记录有误，未保存', details);
    const year = Number(beijingDay(new Date(input.startsAt)).slice(0, 4));
    const plan = await repo.planForYear(trx, org.id, year);
    const session = await repo.insertSession(trx, {
      organizationId: org.id,
      regionCode: org.regionCode,
      planId: plan?.id ?? null,
      kind: input.kind,
      title: input.title,
      content: input.content,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      hours: input.hours,
      trainerPersonId: input.trainerPersonId ?? null,
      createdBy: actor.userId ?? actor.displayName,
    });
    await repo.insertRecords(
      trx,
      input.participants.map((p) => ({
        sessionId: session.id,
        organizationId: org.id,
        regionCode: org.regionCode,
        personId: p.personId,
        hours: p.hours ?? input.hours,
        assessment: p.assessment ?? null,
      })),
    );
    await recordAudit(trx, {
      actor,
      action: 'enterprise.training.session',
      entityType: 'enterprise_training_session',
      entityId: session.id,
      regionCode: org.regionCode,
      after: { ...session, participants: input.participants },
      summary: `${input.title}：${input.participants.length} 人 ${input.hours} 学时`,
      requestId,
      at: now,
    });
    return { id: session.id, participants: input.participants.length };
  });
}

export async function enterpriseTraining(db: Executor, actor: Actor, organizationId: string) {
  const org = await visibleEnterprise(db, actor, organizationId);
  const [plans, sessions] = await Promise.all([
    repo.listPlansOf(db, org.id),
    repo.listSessionsOf(db, org.id),
  ]);
  return {
    plans: plans.map((p) => ({ ...p, plannedHours: Number(p.plannedHours) })),
    sessions: sessions.map((s) => ({
      ...s,
      hours: Number(s.hours),
      participants: Number(s.participants ?? 0),
      passed: Number(s.passed ?? 0),
    })),
  };
}

// ——— dashboards ———

export async function enterpriseDashboard(
  db: Executor,
  actor: Actor,
  organizationId: string,
  now: Date,
): Promise<Dashboard> {
  const org = await visibleEnterprise(db, actor, organizationId);
  const today = beijingDay(now);
  const { facts } = await loadFacts(db, org);
  return dashboardOf(org, facts, today);
}

function dashboardOf(org: repo.EnterpriseRow, facts: EnterpriseFacts, today: string): Dashboard {
  const items = computeObligations(facts, today);
  const inPost = facts.employments.filter(
    (e) => e.startDate <= today && (e.endDate === null || e.endDate >= today),
  );
  const people = new Set(inPost.map((e) => e.personId));
  const certified = items.filter(
    (o) =>
      o.code === 'special_certificate' ||
      (o.code === 'manager_certificate' && o.dueDate !== null && o.dueDate <= today),
  );
  const year = today.slice(0, 4);
  const thisYear = facts.training.filter((t) => t.date.startsWith(year) && t.date <= today);
  const trained = new Set(thisYear.map((t) => t.personId));
  const assessed = thisYear.filter((t) => t.assessment !== null);
  const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 10);
  const month = today.slice(0, 7);
  const postOf = new Map(facts.employments.map((e) => [e.id, e.post]));
  const worst = new Map<Post, number>();
  for (const o of items)
    if (o.state === 'overdue' && o.employmentId) {
      const p = postOf.get(o.employmentId)!;
      worst.set(p, (worst.get(p) ?? 0) + 1);
    }
  const byCode = new Map<Obligation['code'], { overdue: number; dueSoon: number }>();
  for (const o of items) {
    const c = byCode.get(o.code) ?? { overdue: 0, dueSoon: 0 };
    if (o.state === 'overdue') c.overdue++;
    if (o.state === 'due_soon') c.dueSoon++;
    byCode.set(o.code, c);
  }
  const s = summarize(items);
  return {
    organizationId: org.id,
    organizationName: org.name,
    asOf: today,
    headcount: people.size,
    specialOperators: inPost.filter((e) => e.post === 'special_operator').length,
    certifiedRate: rate(certified.filter((o) => o.state !== 'overdue').length, certified.length),
    trainedRate: rate([...people].filter((p) => trained.has(p)).length, people.size),
    passRate: rate(assessed.filter((t) => t.assessment === 'passed').length, assessed.length),
    overdue: s.overdue,
    dueSoon: s.dueSoon,
    dueThisMonth: items.filter(
      (o) => o.state !== 'ok' && o.dueDate !== null && o.dueDate.startsWith(month),
    ),
    worstPosts: [...worst.entries()]
      .map(([post, overdue]) => ({ post, overdue }))
      .sort((a, b) => b.overdue - a.overdue),
    byCode: [...byCode.entries()].map(([code, c]) => ({ code, ...c })),
  };
}

/** Enterprises in the caller's scope with their obligation counts (the regulator's list). */
export async function listEnterprisesWithObligations(
  db: Executor,
  actor: Actor,
  query: { q?: string; page: number; pageSize: number },
  now: Date,
) {
  if (actor.scope.kind !== 'region' && actor.scope.kind !== 'organization') throw forbidden();
  const today = beijingDay(now);
  const page = await repo.listEnterprises(db, actor.scope, query);
  const items = [];
  for (const org of page.items) {
    const { facts } = await loadFacts(db, org);
    const d = dashboardOf(org, facts, today);
    items.push({
      id: org.id,
      name: org.name,
      industry: org.industry,
      highRisk: org.highRisk,
      regionCode: org.regionCode,
      headcount: d.headcount,
      certifiedRate: d.certifiedRate,
      trainedRate: d.trainedRate,
      overdue: d.overdue,
      dueSoon: d.dueSoon,
    });
  }
  return { items, total: page.total, page: query.page, pageSize: query.pageSize, asOf: today };
}
