import {
  addDays,
  addYears,
  beijingDay,
  beijingTime,
  beijingWallTime,
} from '../../catalog/calendar.js';
import {
  type DetectionRuleId,
  detectionRuleIds,
  detectionRules,
  type FindingSeverity,
  findingSeverityNames,
} from '../../catalog/findings.js';
import { type Actor, hasRole } from '../../platform/auth/actor.js';
import type { Executor } from '../../platform/db/database.js';
import { DomainError, forbidden } from '../../platform/errors.js';
import { type SheetInput, writeXlsx } from '../../platform/xlsx.js';
import { certificateStatus, type EventFacts } from '../certificates/certificates.rules.js';
import { getRegion, listRegions } from '../registry/registry.service.js';
import { examOnly, ruleStatuses } from './alerts.service.js';
import {
  type Cockpit,
  type CockpitQuery,
  type MonthlyReport,
  type MonthlyReportQuery,
  RATE_WINDOW_YEARS,
  type RankedOrganization,
  type Rate,
  ratedPosts,
  riskWeights,
} from './cockpit.contract.js';
import * as repo from './cockpit.repository.js';

const RANKING_SIZE = 20;
const TREND_WEEKS = 12;
const TREND_DAYS = 30;

const dayMs = 86_400_000;
/** Midnight of a Beijing date as an instant. */
const beijingMidnight = (iso: string) => beijingWallTime(iso, '00:00');

interface Place {
  root: string;
  region: { code: string; name: string; level: number };
  path: { code: string; name: string; level: number }[];
}

/**
 * The cockpit is for those who supervise a jurisdiction: regulators and inspectors (every rule), exam
 * authorities (the exam-side rules, as /api/alerts shows them). A region outside the jurisdiction is
 * refused, not silently replaced.
 */
async function placeOf(db: Executor, actor: Actor, regionCode: string | undefined): Promise<Place> {
  if (actor.scope.kind !== 'region' || !hasRole(actor, 'regulator', 'inspector', 'exam_authority'))
    throw forbidden('监管驾驶舱只对监管部门、执法人员和考试机构开放');
  const root = actor.scope.regionCode;
  const code = regionCode ?? root;
  if (!code.startsWith(root))
    throw new DomainError('forbidden', '该地区不在本辖区内', [
      { path: 'query.regionCode', message: `${code} 不在辖区 ${root} 内` },
    ]);
  if (code === '') return { root, region: { code: '', name: '全国', level: 0 }, path: [] };
  const r = await getRegion(db, code);
  const path = [...r.path, r]
    .filter((p) => p.code.length >= root.length)
    .map((p) => ({ code: p.code, name: p.name, level: p.level }));
  return { root, region: { code: r.code, name: r.name, level: r.level }, path };
}

const zero = () => ({ serious: 0, warning: 0, notice: 0 });

/** Risk ranking (cockpit.contract.ts `riskWeights`): open alerts weighted by severity, per organization. */
function rank(rows: Awaited<ReturnType<typeof repo.alertsByOrganization>>): RankedOrganization[] {
  const byOrg = new Map<string, RankedOrganization>();
  for (const r of rows) {
    let o = byOrg.get(r.id);
    if (!o) {
      o = {
        id: r.id,
        name: r.name,
        kind: r.kind,
        status: r.status,
        regionCode: r.regionCode,
        regionName: r.regionName,
        score: 0,
        ...zero(),
        reasons: [],
      };
      byOrg.set(r.id, o);
    }
    const severity = r.severity as FindingSeverity;
    o[severity] += r.n;
    o.score += riskWeights[severity] * r.n;
    const reason = o.reasons.find((x) => x.rule === r.rule);
    if (!reason) o.reasons.push({ rule: r.rule as DetectionRuleId, count: r.n, severity });
    else {
      reason.count += r.n;
      if (riskWeights[severity] > riskWeights[reason.severity]) reason.severity = severity;
    }
  }
  const weight = (x: RankedOrganization['reasons'][number]) => riskWeights[x.severity] * x.count;
  return [...byOrg.values()]
    .map((o) => ({
      ...o,
      reasons: o.reasons.sort((a, b) => weight(b) - weight(a) || a.rule.localeCompare(b.rule)),
    }))
    .sort(
      (a, b) => b.score - a.score || b.serious - a.serious || a.name.localeCompare(b.name, 'zh-CN'),
    )
    .slice(0, RANKING_SIZE);
}

/**
 * Seed 003's rates against their 100% targets, as of `asOf`:
 * - 参训率: current employees of the region's enterprises in the posts trained outside the enterprise
 *   (主要负责人、安全总监、安全管理人员、特种作业人员) with a class on the platform in the last 12 months;
 * - 考核合格率: passes among the pass/fail results of sittings held in the window;
 * - 持证上岗率: special operators at work whose certificate for their item is valid (or in its review
 *   window) by the certificates module's own status rules.
 * Without enterprise records (no employments) or exam results the rate says so instead of a number.
 */
async function rates(
  db: Executor,
  prefix: string,
  asOf: string,
  exams: { from: Date; to: Date },
): Promise<Rate[]> {
  const trainedSince = addYears(asOf, -RATE_WINDOW_YEARS);
  const [employees, operators, results] = await Promise.all([
    repo.employmentCounts(db, prefix, asOf, ratedPosts, trainedSince),
    repo.operatorsWithCertificates(db, prefix, asOf),
    repo.examResults(db, prefix, exams.from, exams.to),
  ]);
  const noEnterprise = employees.all === 0;
  const held = new Map<string, boolean>();
  for (const o of operators) {
    const key = `${o.personId}|${o.itemCode}`;
    const valid =
      o.kind !== null &&
      o.issuedOn !== null &&
      o.validUntil !== null &&
      ['valid', 'review_due'].includes(
        certificateStatus(
          { kind: o.kind, issuedOn: o.issuedOn, validUntil: o.validUntil },
          o.events as EventFacts[],
          asOf,
        ).state,
      );
    held.set(key, (held.get(key) ?? false) || valid);
  }
  const certified = [...held.values()].filter(Boolean).length;
  const examN = results.reduce((s, r) => s + r.n, 0);
  const examPassed = results.reduce((s, r) => s + r.passed, 0);
  const ratio = (n: number, d: number) => (d === 0 ? null : n / d);
  return [
    {
      key: 'participation',
      numerator: employees.trained,
      denominator: employees.rated,
      rate: noEnterprise ? null : ratio(employees.trained, employees.rated),
      target: 1,
      missing: noEnterprise ? 'no_enterprise_records' : null,
    },
    {
      key: 'passRate',
      numerator: examPassed,
      denominator: examN,
      rate: ratio(examPassed, examN),
      target: 1,
      missing: examN === 0 ? 'no_exam_results' : null,
      parts: results
        .map((r) => ({ key: r.kind, numerator: r.passed, denominator: r.n }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    },
    {
      key: 'certifiedAtWork',
      numerator: certified,
      denominator: held.size,
      rate: noEnterprise ? null : ratio(certified, held.size),
      target: 1,
      missing: noEnterprise ? 'no_enterprise_records' : null,
    },
  ];
}

/** Folds counts by organization region code into the next level down (region codes are prefixes). */
function childOf<T extends { code: string }>(children: T[], regionCode: string): T | undefined {
  return children.find((c) => regionCode.startsWith(c.code));
}

export async function cockpit(
  db: Executor,
  actor: Actor,
  q: CockpitQuery,
  now: Date,
): Promise<Cockpit> {
  const place = await placeOf(db, actor, q.regionCode);
  const prefix = place.region.code;
  const exam = examOnly(actor);
  const asOf = beijingDay(now);
  const trendFrom =
    q.trend === 'day'
      ? addDays(asOf, -(TREND_DAYS - 1))
      : addDays(mondayOf(asOf), -7 * (TREND_WEEKS - 1));
  const [children, counts, byCode, orgCodes, trend, byOrg, statuses, dismissed, rateList] =
    await Promise.all([
      listRegions(db, actor, prefix === '' ? undefined : prefix),
      repo.alertCounts(db, actor.scope, exam, prefix),
      repo.openByRegionCode(db, actor.scope, exam, prefix),
      repo.organizationsByRegionCode(db, prefix),
      repo.openTrend(db, actor.scope, exam, prefix, q.trend, trendFrom),
      repo.alertsByOrganization(db, actor.scope, exam, prefix, null),
      ruleStatuses(db, actor),
      repo.dismissedSince(db, actor.scope, exam, prefix, new Date(now.getTime() - 30 * dayMs)),
      rates(db, prefix, asOf, {
        from: beijingMidnight(addYears(asOf, -RATE_WINDOW_YEARS)),
        to: beijingMidnight(addDays(asOf, 1)),
      }),
    ]);

  const kids = children
    .filter((c) => c.code !== prefix)
    .map((c) => ({
      code: c.code,
      name: c.name,
      level: c.level,
      open: 0,
      ...zero(),
      organizations: 0,
    }));
  for (const r of byCode) {
    const k = childOf(kids, r.regionCode);
    if (!k) continue;
    k[r.severity] += r.n;
    k.open += r.n;
  }
  for (const r of orgCodes) {
    const k = childOf(kids, r.regionCode);
    if (k) k.organizations += r.n;
  }

  const totals = { open: 0, new: 0, acknowledged: 0, dismissed30d: dismissed, ...zero() };
  const perRule = new Map<
    string,
    { open: number; serious: number; warning: number; notice: number }
  >();
  for (const c of counts) {
    if (c.state !== 'new' && c.state !== 'acknowledged') continue;
    totals.open += c.n;
    totals[c.state] += c.n;
    totals[c.severity] += c.n;
    const r = perRule.get(c.rule) ?? { open: 0, ...zero() };
    r.open += c.n;
    r[c.severity] += c.n;
    perRule.set(c.rule, r);
  }
  const statusOf = new Map(statuses.map((s) => [s.rule, s]));
  const visibleRules = exam ? detectionRuleIds.filter((r) => r.startsWith('E')) : detectionRuleIds;
  const byRule = visibleRules.map((rule) => ({
    rule,
    ...(perRule.get(rule) ?? { open: 0, ...zero() }),
    status: statusOf.get(rule)?.status ?? ('never_run' as const),
    reason: statusOf.get(rule)?.reason ?? null,
  }));

  const buckets: Cockpit['trend']['buckets'] = [];
  const step = q.trend === 'day' ? 1 : 7;
  for (let d = trendFrom; d <= asOf; d = addDays(d, step)) buckets.push({ start: d, ...zero() });
  for (const t of trend) {
    const b = buckets.find((x) => x.start === t.start);
    if (b) b[t.severity] += t.n;
  }

  return {
    asOf,
    region: place.region,
    path: place.path,
    children: kids,
    totals,
    byRule,
    trend: { granularity: q.trend, buckets },
    ranking: rank(byOrg),
    rates: rateList,
  };
}

function mondayOf(iso: string): string {
  const dow = new Date(`${iso}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(iso, -((dow + 6) % 7));
}

function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return addDays(next, -1);
}

/**
 * The monthly report of a jurisdiction: the problems that happened in the month (by rule, region and
 * how they stand now), the organizations with most weight of open problems from that month, and the
 * rates at the month's end (考核合格率 over the month's sittings).
 */
export async function monthlyReport(
  db: Executor,
  actor: Actor,
  q: MonthlyReportQuery,
  now: Date,
): Promise<MonthlyReport> {
  const place = await placeOf(db, actor, q.regionCode);
  const prefix = place.region.code;
  const exam = examOnly(actor);
  const today = beijingDay(now);
  const month = q.month ?? today.slice(0, 7);
  const from = `${month}-01`;
  const to = lastDayOfMonth(month);
  const asOf = to < today ? to : today;
  const window = { from, to };
  const [rows, children, byOrg, statuses, rateList] = await Promise.all([
    repo.alertsInWindow(db, actor.scope, exam, prefix, window),
    listRegions(db, actor, prefix === '' ? undefined : prefix),
    repo.alertsByOrganization(db, actor.scope, exam, prefix, window),
    ruleStatuses(db, actor),
    rates(db, prefix, asOf, {
      from: beijingMidnight(from),
      to: beijingMidnight(addDays(to, 1)),
    }),
  ]);
  const totals = { total: 0, open: 0, dismissed: 0, ...zero() };
  const perRule = new Map<DetectionRuleId, MonthlyReport['byRule'][number]>();
  const kids = children
    .filter((c) => c.code !== prefix)
    .map((c) => ({ code: c.code, name: c.name, level: c.level, total: 0, open: 0, serious: 0 }));
  for (const r of rows) {
    const rule = r.rule as DetectionRuleId;
    const x = perRule.get(rule) ?? { rule, total: 0, open: 0, dismissed: 0, ...zero() };
    const open = r.state === 'new' || r.state === 'acknowledged';
    for (const t of [x, totals]) {
      t.total += r.n;
      t[r.severity] += r.n;
      if (open) t.open += r.n;
      if (r.state === 'dismissed') t.dismissed += r.n;
    }
    perRule.set(rule, x);
    const k = childOf(kids, r.regionCode);
    if (k) {
      k.total += r.n;
      if (open) k.open += r.n;
      if (r.severity === 'serious') k.serious += r.n;
    }
  }
  return {
    month,
    from,
    to,
    generatedAt: now.toISOString(),
    region: place.region,
    byRule: detectionRuleIds.flatMap((r) => {
      const x = perRule.get(r);
      return x ? [x] : [];
    }),
    totals,
    byRegion: kids,
    notEvaluable: statuses
      .filter((s) => s.status === 'not_evaluable' && (!exam || s.rule.startsWith('E')))
      .map((s) => ({ rule: s.rule, reason: s.reason ?? '' })),
    ranking: rank(byOrg),
    rates: rateList,
  };
}

const rateNames: Record<Rate['key'], string> = {
  participation: '参训率（主要负责人、安全管理人员、特种作业人员，近12个月）',
  passRate: '考核合格率',
  certifiedAtWork: '特种作业人员持证上岗率',
};
const missingNames: Record<NonNullable<Rate['missing']>, string> = {
  no_enterprise_records: '无企业台账数据',
  no_exam_results: '无考试成绩',
};
const kindNames: Record<string, string> = {
  training_institution: '培训机构',
  exam_site: '考试点',
  enterprise: '生产经营单位',
  exam_authority: '考试机构',
  regulator: '监管部门',
};
const percent = (r: Rate) =>
  r.rate === null ? (r.missing ? missingNames[r.missing] : '—') : `${(r.rate * 100).toFixed(1)}%`;

/** The monthly report as an Excel workbook (one sheet per table, Chinese headings). */
export async function monthlyReportWorkbook(
  db: Executor,
  actor: Actor,
  q: MonthlyReportQuery,
  now: Date,
) {
  const r = await monthlyReport(db, actor, q, now);
  const title = `${r.region.name}安全培训考试监管月报（${r.month}）`;
  const summary: SheetInput = {
    name: '概况',
    rows: [
      [title],
      ['统计期间', `${r.from} 至 ${r.to}`],
      ['生成时间（北京时间）', beijingTime(new Date(r.generatedAt))],
      [],
      ['本月发生的问题（预警）', r.totals.total],
      ['其中 严重', r.totals.serious],
      ['其中 一般', r.totals.warning],
      ['其中 提示', r.totals.notice],
      ['尚未处理', r.totals.open],
      ['已排除', r.totals.dismissed],
      [],
      ['指标', '实际', '目标', '分子', '分母'],
      ...r.rates.map((x) => [rateNames[x.key], percent(x), '100%', x.numerator, x.denominator]),
      [],
      ['不可评估的规则', '原因'],
      ...r.notEvaluable.map((n) => [detectionRules[n.rule].name.zh, n.reason]),
    ],
    columnWidths: [44, 36, 10, 10, 10],
    boldRows: [0, 11],
    merges: ['A1:E1'],
  };
  const byRule: SheetInput = {
    name: '按规则',
    rows: [
      ['规则', '严重程度', '合计', '严重', '一般', '提示', '尚未处理', '已排除'],
      ...r.byRule.map((x) => [
        detectionRules[x.rule].name.zh,
        findingSeverityNames[detectionRules[x.rule].severity].zh,
        x.total,
        x.serious,
        x.warning,
        x.notice,
        x.open,
        x.dismissed,
      ]),
      [
        '合计',
        '',
        r.totals.total,
        r.totals.serious,
        r.totals.warning,
        r.totals.notice,
        r.totals.open,
        r.totals.dismissed,
      ],
    ],
    headerRows: 1,
    columnWidths: [40, 10, 8, 8, 8, 8, 10, 8],
  };
  const byRegion: SheetInput = {
    name: '按地区',
    rows: [
      ['地区', '合计', '尚未处理', '严重'],
      ...r.byRegion.map((x) => [x.name, x.total, x.open, x.serious]),
    ],
    headerRows: 1,
    columnWidths: [24, 10, 10, 10],
  };
  const ranking: SheetInput = {
    name: '风险排名',
    rows: [
      ['名次', '单位', '类型', '地区', '风险分', '严重', '一般', '提示', '主要问题'],
      ...r.ranking.map((o, i) => [
        i + 1,
        o.name,
        kindNames[o.kind] ?? o.kind,
        o.regionName ?? o.regionCode,
        o.score,
        o.serious,
        o.warning,
        o.notice,
        o.reasons.map((x) => `${detectionRules[x.rule].name.zh} ${x.count}`).join('；'),
      ]),
      [],
      [
        `风险分 = 本月发生且尚未处理的预警按严重程度加权求和（严重 ${riskWeights.serious}，一般 ${riskWeights.warning}，提示 ${riskWeights.notice}）`,
      ],
    ],
    headerRows: 1,
    columnWidths: [6, 32, 12, 12, 8, 6, 6, 6, 60],
  };
  return {
    bytes: writeXlsx([summary, byRule, byRegion, ranking]),
    fileName: `${title}.xlsx`,
  };
}
