import { spotExamFigures } from '../../catalog/checklists.js';
import { detectionRules, type Finding, type FindingSeverity } from '../../catalog/findings.js';

/**
 * Pure rules of supervision: the rectification state machine, grading (分级管理), the spot-exam verdict,
 * and rule G01 (执法偏软偏弱, seed 002) over facts a loader gathers in SQL.
 */

// ——— rectification (闭环) ———

export const orderActions = ['respond', 'accept', 'reject', 'close'] as const;
export type OrderAction = (typeof orderActions)[number];
export type OrderStateName = 'issued' | 'responded' | 'verified' | 'closed';

/**
 * issued —respond→ responded —accept→ verified —close→ closed; responded —reject→ issued (the
 * organization answers again). Anything else is refused (422): a closed order stays closed.
 */
const transitions: Record<OrderStateName, Partial<Record<OrderAction, OrderStateName>>> = {
  issued: { respond: 'responded' },
  responded: { accept: 'verified', reject: 'issued', respond: 'responded' },
  verified: { close: 'closed' },
  closed: {},
};

export function nextOrderState(state: OrderStateName, action: OrderAction): OrderStateName | null {
  return transitions[state][action] ?? null;
}

export const orderStateNames: Record<OrderStateName, { zh: string; en: string }> = {
  issued: { zh: '待整改', en: 'Issued' },
  responded: { zh: '已提交整改', en: 'Answered' },
  verified: { zh: '已复核', en: 'Verified' },
  closed: { zh: '已销号', en: 'Closed' },
};

/** An order not closed after its deadline (Beijing date) is overdue. */
export function isOverdue(o: { state: string; deadline: string }, today: string): boolean {
  return o.state !== 'closed' && o.state !== 'verified' && o.deadline < today;
}

/** The regulator one level up: an overdue order of a county bureau escalates to the city. */
export function escalationRegion(regionCode: string): string {
  if (regionCode.length > 6) return regionCode.slice(0, 6);
  if (regionCode.length === 6 && !regionCode.endsWith('00')) return regionCode.slice(0, 4);
  if (regionCode.length >= 4) return regionCode.slice(0, 2);
  return regionCode;
}

// ——— grading (分级管理) ———

export type GradeLetter = 'A' | 'B' | 'C' | 'D';

/**
 * The grading formula, shown on screen as it is: 100 points less a deduction per input in the last
 * 12 months. Platform defaults (the seeds name grading — 北京、重庆 seed 002 — but no formula); a
 * regulator reads every input behind a score.
 */
export const gradingFormula = {
  base: 100,
  deductions: {
    registrationCondition: 10,
    findingSerious: 8,
    findingWarning: 4,
    findingNotice: 1,
    overdueOrder: 5,
    penaltyWarning: 5,
    penaltyFine: 10,
    penaltySuspension: 30,
    alertSerious: 3,
    alertWarning: 1,
  },
  alertCap: 20,
  thresholds: { A: 90, B: 75, C: 60 },
  /** Suggested inspections a year and the weight in the draw, per grade. */
  byGrade: {
    A: { perYear: 0.5, drawWeight: 0.5 },
    B: { perYear: 1, drawWeight: 1 },
    C: { perYear: 2, drawWeight: 2 },
    D: { perYear: 4, drawWeight: 4 },
  } as Record<GradeLetter, { perYear: number; drawWeight: number }>,
} as const;

export type GradeInputKind = keyof typeof gradingFormula.deductions;

export interface GradeRecord {
  kind: string;
  id: string;
  label: string;
}

export interface GradeTerm {
  input: GradeInputKind;
  count: number;
  points: number;
  records: GradeRecord[];
}

export interface GradeResult {
  score: number;
  grade: GradeLetter;
  terms: GradeTerm[];
  exited: boolean;
  perYear: number;
  drawWeight: number;
}

export function gradeOrganization(
  inputs: Partial<Record<GradeInputKind, GradeRecord[]>>,
  opts: { exited?: boolean } = {},
): GradeResult {
  const terms: GradeTerm[] = [];
  let alertPoints = 0;
  let deducted = 0;
  for (const [input, per] of Object.entries(gradingFormula.deductions) as [
    GradeInputKind,
    number,
  ][]) {
    const records = inputs[input] ?? [];
    if (records.length === 0) continue;
    let points = records.length * per;
    if (input === 'alertSerious' || input === 'alertWarning') {
      points = Math.min(points, gradingFormula.alertCap - alertPoints);
      alertPoints += points;
    }
    deducted += points;
    terms.push({ input, count: records.length, points, records });
  }
  const score = Math.max(0, gradingFormula.base - deducted);
  const t = gradingFormula.thresholds;
  const grade: GradeLetter = opts.exited
    ? 'D'
    : score >= t.A
      ? 'A'
      : score >= t.B
        ? 'B'
        : score >= t.C
          ? 'C'
          : 'D';
  return { score, grade, terms, exited: opts.exited ?? false, ...gradingFormula.byGrade[grade] };
}

/** The quarter a date is in: '2026Q4'. */
export function periodOf(date: string): string {
  const m = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}Q${Math.ceil(m / 3)}`;
}

// ——— spot exam (逢查必考) ———

export function spotVerdict(sittings: { passed: boolean | null }[]): {
  sat: number;
  passed: number;
  rate: number | null;
  belowTarget: boolean;
  severity: FindingSeverity;
} {
  const done = sittings.filter((s) => s.passed !== null);
  const passed = done.filter((s) => s.passed).length;
  const rate = done.length === 0 ? null : passed / done.length;
  const target = spotExamFigures.targetPassRate.value;
  return {
    sat: done.length,
    passed,
    rate,
    belowTarget: rate !== null && rate < target,
    severity: rate !== null && rate < 0.6 ? 'serious' : 'warning',
  };
}

// ——— masking for publication (PIPL) ———

/** 张三丰 → 张*丰, 李四 → 李*: a person's name as a public page shows it. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** Masks the listed names and any 11-digit mobile number or 18-character ID number in a text. */
export function maskText(text: string, names: string[]): string {
  let out = text;
  for (const n of names.filter((x) => x.trim().length > 0).sort((a, b) => b.length - a.length))
    out = out.split(n).join(maskName(n));
  return out
    .replace(/\b1[3-9]\d{9}\b/g, (m) => `${m.slice(0, 3)}****${m.slice(7)}`)
    .replace(/\b\d{6}(\d{8})\d{3}[\dXx]\b/g, (m) => `${m.slice(0, 4)}**********${m.slice(14)}`);
}

// ——— G01 执法偏软偏弱 (seed 002) ———

export interface SoftEnforcementFacts {
  /** Inspections with at least one serious finding and no penalty decided for them. */
  seriousWithoutPenalty: {
    inspectionId: string;
    regulatorId: string;
    regulatorName: string;
    organizationName: string;
    scheduledOn: string;
    seriousFindings: { id: string; message: string }[];
  }[];
  /** Findings closed with no evidence file on any accepted answer. */
  closedWithoutEvidence: {
    findingId: string;
    regulatorId: string;
    regulatorName: string;
    organizationName: string;
    message: string;
    orderId: string | null;
  }[];
  /** Orders past their deadline and not verified. */
  overdueOrders: {
    orderId: string;
    number: string;
    regulatorId: string;
    regulatorName: string;
    organizationName: string;
    deadline: string;
  }[];
}

/** Rule G01: each case is a `Finding` about the regulator that let it happen, with its records. */
export function softEnforcementFindings(facts: SoftEnforcementFacts): Finding[] {
  const def = detectionRules.G01;
  const source =
    '应急管理部办公厅《关于安全生产培训“走过场”专项整治工作情况的通报》（应急厅函〔2023〕85号）二（二）';
  const out: Finding[] = [];
  for (const x of facts.seriousWithoutPenalty)
    out.push({
      rule: 'G01',
      code: 'serious_finding_no_penalty',
      severity: def.severity,
      blocking: false,
      subject: { kind: 'organization', id: x.regulatorId, name: x.regulatorName },
      message: `${x.scheduledOn} 对「${x.organizationName}」的检查发现 ${x.seriousFindings.length} 项严重问题，未作出行政处罚（只检查不处罚）`,
      evidence: [
        { kind: 'inspection', id: x.inspectionId, label: `${x.scheduledOn} ${x.organizationName}` },
        ...x.seriousFindings.map((f) => ({ kind: 'finding', id: f.id, label: f.message })),
      ],
      source,
    });
  for (const x of facts.closedWithoutEvidence)
    out.push({
      rule: 'G01',
      code: 'closed_without_evidence',
      severity: 'serious',
      blocking: false,
      subject: { kind: 'organization', id: x.regulatorId, name: x.regulatorName },
      message: `「${x.organizationName}」的问题「${x.message}」未附整改证据即销号`,
      evidence: [
        { kind: 'finding', id: x.findingId, label: x.message },
        ...(x.orderId ? [{ kind: 'rectification_order', id: x.orderId }] : []),
      ],
      source,
    });
  for (const x of facts.overdueOrders)
    out.push({
      rule: 'G01',
      code: 'order_overdue',
      severity: def.severity,
      blocking: false,
      subject: { kind: 'organization', id: x.regulatorId, name: x.regulatorName },
      message: `整改通知 ${x.number}（${x.organizationName}）已于 ${x.deadline} 到期仍未复核销号`,
      evidence: [{ kind: 'rectification_order', id: x.orderId, label: x.number }],
      source,
      figure: { key: 'deadline', expected: x.deadline, actual: 'open' },
    });
  return out;
}

/** Failing an item needs a note or a photo: a finding without evidence cannot be upheld. */
export function itemAnswerProblem(a: {
  result: 'pass' | 'fail' | 'na';
  note?: string | null;
  photoSha256s?: readonly string[];
}): string | null {
  if (a.result === 'fail' && !(a.note?.trim() || (a.photoSha256s?.length ?? 0) > 0))
    return '不合格项须附照片或文字说明';
  return null;
}
