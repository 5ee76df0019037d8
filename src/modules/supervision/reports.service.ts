import { sql } from 'kysely';
import { beijingDay } from '../../catalog/calendar.js';
import { recordAudit } from '../../platform/audit/audit.js';
import type { Actor } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, notFound } from '../../platform/errors.js';
import { type Cell, writeXlsx } from '../../platform/xlsx.js';
import { getRegistrationCheck } from '../registry/registry.service.js';
import { requireJurisdiction } from './supervision.access.js';
import * as repo from './supervision.repository.js';
import {
  type GradeInputKind,
  type GradeRecord,
  gradeOrganization,
  maskText,
  periodOf,
  softEnforcementFindings,
} from './supervision.rules.js';

/** The child level a jurisdiction's tables break down by: a city by county, a province by city. */
function groupLengthOf(regionCode: string): number {
  if (regionCode.length < 2) return 2;
  if (regionCode.length < 4) return 4;
  return Math.max(6, regionCode.length);
}

function resolveRegion(actor: Actor, regionCode?: string): string {
  const scope = requireJurisdiction(actor);
  const region = regionCode ?? scope.regionCode;
  if (!region.startsWith(scope.regionCode))
    throw new DomainError('validation_failed', '统计范围不在本辖区', [
      { path: 'query.regionCode', message: 'out of jurisdiction' },
    ]);
  return region;
}

async function regionNames(db: Executor, codes: string[]) {
  if (codes.length === 0) return new Map<string, string>();
  const rows = await db
    .selectFrom('region')
    .select(['code', 'name'])
    .where('code', 'in', codes.map((c) => c.padEnd(6, '0')).concat(codes))
    .execute();
  const m = new Map(rows.map((r) => [r.code, r.name]));
  return new Map(codes.map((c) => [c, m.get(c) ?? m.get(c.padEnd(6, '0')) ?? c]));
}

export const summaryColumns = [
  '问题（项）',
  '限期整改（项）',
  '停业整顿（家）',
  '退出（家）',
  '行政处罚（家）',
  '处罚金额（万）',
] as const;

export interface SummaryLine {
  regionCode: string;
  regionName: string;
  problems: number;
  ordered: number;
  suspended: number;
  exited: number;
  penalized: number;
  fineWan: number;
}

/**
 * Seed 004's 对照检查工作汇总表: two tables — 考试机构（考试点） and 培训机构 — each with a line per
 * child region of the jurisdiction and a total, over a period of Beijing dates.
 */
export async function summaryTable(
  db: Executor,
  actor: Actor,
  q: { from: string; to: string; regionCode?: string },
) {
  const region = resolveRegion(actor, q.regionCode);
  if (q.to < q.from)
    throw new DomainError('validation_failed', '结束日期早于开始日期', [
      { path: 'query.to', message: 'before from' },
    ]);
  const group = groupLengthOf(region);
  const rows = await repo.summaryCounts(db, region, group, q.from, q.to);
  const children = await db
    .selectFrom('region')
    .select('code')
    .where(
      'parentCode',
      '=',
      region.length >= 6 ? (region.length === 6 ? region.slice(0, 4) : region) : region,
    )
    .execute();
  const codes = [
    ...new Set([
      ...(region.length >= 6 ? [region] : children.map((c) => c.code.slice(0, group))),
      ...rows.map((r) => r.regionCode),
    ]),
  ].sort();
  const names = await regionNames(db, [...codes, region]);
  const table = (kind: 'exam_site' | 'training_institution') => {
    const lines: SummaryLine[] = codes.map((code) => {
      const r = rows.find((x) => x.regionCode === code && x.kind === kind);
      return {
        regionCode: code,
        regionName: names.get(code) ?? code,
        problems: r?.problems ?? 0,
        ordered: r?.ordered ?? 0,
        suspended: r?.suspended ?? 0,
        exited: r?.exited ?? 0,
        penalized: r?.penalized ?? 0,
        fineWan: Math.round((r?.fineYuan ?? 0) / 100) / 100,
      };
    });
    const total: SummaryLine = {
      regionCode: region,
      regionName: '合计',
      problems: 0,
      ordered: 0,
      suspended: 0,
      exited: 0,
      penalized: 0,
      fineWan: 0,
    };
    for (const l of lines) {
      total.problems += l.problems;
      total.ordered += l.ordered;
      total.suspended += l.suspended;
      total.exited += l.exited;
      total.penalized += l.penalized;
      total.fineWan = Math.round((total.fineWan + l.fineWan) * 100) / 100;
    }
    return { lines, total };
  };
  return {
    regionCode: region,
    regionName: names.get(region) ?? region,
    from: q.from,
    to: q.to,
    examSites: table('exam_site'),
    institutions: table('training_institution'),
  };
}

/** The 汇总表 as the annex lays it out, one sheet, both tables, 序号 then the figures (with 地区). */
export async function summaryWorkbook(
  db: Executor,
  actor: Actor,
  q: { from: string; to: string; regionCode?: string },
): Promise<{ bytes: Uint8Array; fileName: string }> {
  const t = await summaryTable(db, actor, q);
  const rows: Cell[][] = [];
  const bold: number[] = [];
  const merges: string[] = [];
  const header = ['序号', '地区', ...summaryColumns];
  rows.push(['对照检查工作汇总表']);
  merges.push('A1:H1');
  rows.push([`填报范围：${t.regionName}　统计期间：${t.from} 至 ${t.to}`]);
  merges.push('A2:H2');
  const section = (title: string, data: { lines: SummaryLine[]; total: SummaryLine }) => {
    rows.push([title]);
    bold.push(rows.length - 1);
    merges.push(`A${rows.length}:H${rows.length}`);
    rows.push(header);
    bold.push(rows.length - 1);
    data.lines.forEach((l, i) => {
      rows.push([
        i + 1,
        l.regionName,
        l.problems,
        l.ordered,
        l.suspended,
        l.exited,
        l.penalized,
        l.fineWan,
      ]);
    });
    const x = data.total;
    rows.push(['合计', '', x.problems, x.ordered, x.suspended, x.exited, x.penalized, x.fineWan]);
    bold.push(rows.length - 1);
  };
  section('考试机构（考试点）对照检查统计表', t.examSites);
  rows.push([]);
  section('培训机构对照检查统计表', t.institutions);
  const bytes = writeXlsx([
    {
      name: '对照检查工作汇总表',
      rows,
      headerRows: 1,
      boldRows: bold,
      merges,
      columnWidths: [8, 20, 12, 14, 14, 10, 14, 14],
    },
  ]);
  return { bytes, fileName: `对照检查工作汇总表_${t.regionName}_${t.from}_${t.to}.xlsx` };
}

/** Seed 002's figures per jurisdiction: checked, problems found, eliminated, suspended, ordered, fined. */
export async function enforcementFigures(
  db: Executor,
  actor: Actor,
  q: { from: string; to: string; regionCode?: string },
) {
  const region = resolveRegion(actor, q.regionCode);
  const group = groupLengthOf(region);
  const rows = await repo.nationalFigures(db, region, group, q.from, q.to);
  const names = await regionNames(db, [...new Set(rows.map((r) => r.regionCode))]);
  return {
    regionCode: region,
    from: q.from,
    to: q.to,
    rows: rows.map((r) => ({ ...r, regionName: names.get(r.regionCode) ?? r.regionCode })),
  };
}

/** Rule G01 over the jurisdiction: 只检查不处罚, findings closed without evidence, overdue orders. */
export async function softEnforcement(db: Executor, actor: Actor, now: Date) {
  const region = resolveRegion(actor);
  const facts = await repo.softEnforcementFacts(db, region, beijingDay(now));
  return {
    regionCode: region,
    findings: softEnforcementFindings(facts),
    counts: {
      seriousWithoutPenalty: facts.seriousWithoutPenalty.length,
      closedWithoutEvidence: facts.closedWithoutEvidence.length,
      overdueOrders: facts.overdueOrders.length,
    },
  };
}

// ——— grading (分级管理) ———

const yearBefore = (date: string) => `${Number(date.slice(0, 4)) - 1}${date.slice(4)}`;

/**
 * Computes this quarter's grade of every training institution and exam site in the jurisdiction from
 * the inputs of the last 12 months, stores it with every input record (so the screen can open them),
 * and answers the list. Exited organizations are not graded.
 */
export async function computeGrades(db: Executor, actor: Actor, now: Date, requestId?: string) {
  const scope = requireJurisdiction(actor, 'regulator');
  const today = beijingDay(now);
  const since = yearBefore(today);
  const period = periodOf(today);
  const orgs = await db
    .selectFrom('organization')
    .select(['id', 'name', 'kind', 'regionCode', 'status'])
    .where('kind', 'in', ['training_institution', 'exam_site'])
    .where('status', '!=', 'exited')
    .where('regionCode', 'like', `${scope.regionCode}%`)
    .orderBy('id')
    .execute();
  const ids = orgs.map((o) => o.id);
  if (ids.length === 0) return [];
  const findings = await db
    .selectFrom('supervisionFinding')
    .select(['id', 'organizationId', 'severity', 'message'])
    .where('organizationId', 'in', ids)
    .where(sql<boolean>`(created_at at time zone 'Asia/Shanghai')::date >= ${since}::date`)
    .execute();
  const overdue = await db
    .selectFrom('rectificationOrder')
    .select(['id', 'organizationId', 'number', 'deadline'])
    .where('organizationId', 'in', ids)
    .where('state', 'in', ['issued', 'responded'])
    .where('deadline', '<', today)
    .execute();
  const penalties = await db
    .selectFrom('penalty')
    .select(['id', 'organizationId', 'kind', 'decisionNumber'])
    .where('organizationId', 'in', ids)
    .where('decidedOn', '>=', since)
    .execute();
  const results: ({ organization: (typeof orgs)[number] } & ReturnType<
    typeof gradeOrganization
  >)[] = [];
  for (const o of orgs) {
    const inputs: Partial<Record<GradeInputKind, GradeRecord[]>> = {};
    const add = (k: GradeInputKind, r: GradeRecord) => {
      inputs[k] = [...(inputs[k] ?? []), r];
    };
    if (o.kind === 'training_institution') {
      const check = await getRegistrationCheck(db, actor, o.id, now);
      for (const f of check.findings.filter((x) => x.severity === 'blocking'))
        add('registrationCondition', {
          kind: 'registration_condition',
          id: f.code,
          label: f.message,
        });
    }
    for (const f of findings.filter((x) => x.organizationId === o.id))
      add(
        f.severity === 'serious'
          ? 'findingSerious'
          : f.severity === 'warning'
            ? 'findingWarning'
            : 'findingNotice',
        { kind: 'finding', id: f.id, label: f.message },
      );
    for (const x of overdue.filter((y) => y.organizationId === o.id))
      add('overdueOrder', {
        kind: 'rectification_order',
        id: x.id,
        label: `${x.number}（${x.deadline}到期）`,
      });
    for (const p of penalties.filter((y) => y.organizationId === o.id)) {
      const k =
        p.kind === 'warning'
          ? 'penaltyWarning'
          : p.kind === 'fine'
            ? 'penaltyFine'
            : p.kind === 'suspension'
              ? 'penaltySuspension'
              : null;
      if (k) add(k, { kind: 'penalty', id: p.id, label: p.decisionNumber });
    }
    const g = gradeOrganization(inputs);
    results.push({ organization: o, ...g });
  }
  await transaction(db, async (trx) => {
    for (const r of results)
      await trx
        .insertInto('organizationGrade')
        .values({
          organizationId: r.organization.id,
          regionCode: r.organization.regionCode,
          period,
          score: r.score,
          grade: r.grade,
          inputs: JSON.stringify(r.terms),
          computedBy: actor.displayName,
          computedAt: now,
        })
        .onConflict((oc) =>
          oc.columns(['organizationId', 'period']).doUpdateSet((eb) => ({
            score: eb.ref('excluded.score'),
            grade: eb.ref('excluded.grade'),
            inputs: eb.ref('excluded.inputs'),
            computedBy: eb.ref('excluded.computedBy'),
            computedAt: eb.ref('excluded.computedAt'),
          })),
        )
        .execute();
    await recordAudit(trx, {
      actor,
      action: 'supervision.grades.compute',
      entityType: 'organization_grade',
      regionCode: scope.regionCode,
      after: results.map((r) => ({ id: r.organization.id, score: r.score, grade: r.grade })),
      summary: `${period}: ${results.length} graded`,
      requestId,
    });
  });
  return listGrades(db, actor, period);
}

export async function listGrades(db: Executor, actor: Actor, period?: string) {
  const scope = requireJurisdiction(actor);
  let q = db
    .selectFrom('organizationGrade as g')
    .innerJoin('organization as o', 'o.id', 'g.organizationId')
    .select([
      'g.id',
      'g.organizationId',
      'o.name as organizationName',
      'o.kind as organizationKind',
      'o.status as organizationStatus',
      'g.regionCode',
      'g.period',
      'g.score',
      'g.grade',
      'g.inputs',
      'g.computedAt',
      'g.computedBy',
    ])
    .where('g.regionCode', 'like', `${scope.regionCode}%`);
  if (period) q = q.where('g.period', '=', period);
  else
    q = q.where(
      'g.period',
      '=',
      db
        .selectFrom('organizationGrade as x')
        .select((eb) => eb.fn.max('x.period').as('p'))
        .where('x.regionCode', 'like', `${scope.regionCode}%`),
    );
  const rows = await q.orderBy('g.score').orderBy('o.name').execute();
  return rows.map((r) => ({ ...r, score: Number(r.score) }));
}

// ——— publication (曝光) ———

const penaltyNames: Record<string, string> = {
  warning: '警告',
  fine: '罚款',
  suspension: '停业整顿',
  exit: '淘汰退出',
  score_cancellation: '取消考试成绩',
  referral: '移送',
};

/** A closed case published on the public page, personal names and numbers masked. */
export async function publishCase(
  db: Executor,
  actor: Actor,
  input: { orderId?: string; penaltyId?: string; title?: string },
  now: Date,
  requestId?: string,
) {
  const scope = requireJurisdiction(actor, 'regulator');
  return transaction(db, async (trx) => {
    let title: string;
    let body: string;
    let organizationId: string;
    let regionCode: string;
    if (input.orderId) {
      const o = await repo
        .orderQuery(trx, scope)
        .where('ro.id', '=', input.orderId)
        .executeTakeFirst();
      if (!o) throw notFound('整改通知');
      if (o.state !== 'closed')
        throw new DomainError('rule_violation', '只有已销号的案件可以公开', [
          { message: o.state, code: 'case_not_closed' },
        ]);
      const fs = await trx
        .selectFrom('supervisionFinding')
        .select('message')
        .where('orderId', '=', o.id)
        .execute();
      title = input.title ?? `${o.organizationName}安全培训问题整改情况`;
      body = maskText(
        `${o.regulatorName}检查发现「${o.organizationName}」存在以下问题：${fs.map((f, i) => `${i + 1}. ${f.message}`).join('；')}。依据 ${o.number} 责令限期整改，责任人 ${o.responsibleName}，已于 ${beijingDay(o.closedAt!)} 复核销号。`,
        [o.responsibleName],
      );
      organizationId = o.organizationId;
      regionCode = o.regionCode;
    } else {
      const p = await repo
        .penaltyQuery(trx, scope)
        .where('pe.id', '=', input.penaltyId!)
        .executeTakeFirst();
      if (!p) throw notFound('处罚决定');
      const person = p.personId
        ? await trx
            .selectFrom('person')
            .select('name')
            .where('id', '=', p.personId)
            .executeTakeFirst()
        : undefined;
      title = input.title ?? `${p.organizationName}受到${penaltyNames[p.kind]}处理`;
      body = maskText(
        `${p.decidedOn}，依据${p.basis}，对「${p.organizationName}」作出${penaltyNames[p.kind]}${p.kind === 'fine' ? ` ${Number(p.amountYuan)} 元` : ''}的决定（${p.decisionNumber}）${person ? `，涉及人员 ${person.name}` : ''}。`,
        person ? [person.name] : [],
      );
      organizationId = p.organizationId;
      regionCode = p.regionCode;
    }
    const row = await trx
      .insertInto('casePublication')
      .values({
        orderId: input.orderId ?? null,
        penaltyId: input.penaltyId ?? null,
        organizationId,
        regionCode,
        title,
        body,
        publishedBy: actor.displayName,
        publishedAt: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'supervision.case.publish',
      entityType: 'case_publication',
      entityId: row.id,
      regionCode,
      after: row,
      requestId,
    });
    return row;
  });
}

export function publicCases(db: Executor) {
  return db
    .selectFrom('casePublication')
    .select(['id', 'title', 'body', 'regionCode', 'publishedAt'])
    .orderBy('publishedAt', 'desc')
    .limit(200)
    .execute();
}
