/**
 * Exam rules, pure: eligibility from the frozen facts, paper drawing and grading, practical totals.
 * Figures come from the catalog (RULES.md §A, §D); nothing here reads a database or a clock.
 */
import { addWorkingDays } from '../../catalog/calendar.js';
import {
  type ExamKind,
  exams,
  examTrainingKinds,
  specialOperation,
} from '../../catalog/figures.js';
import { findOperationItem } from '../../catalog/operations.js';
import type { PracticalStandard } from '../../catalog/practical.js';
import type { BlueprintPart, ExamResult, PaperQuestion, QuestionKind } from './exams.table.js';

// ——— dates ———

export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return `${ny}-${String(nm).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

export function ageOn(birthDate: string, date: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = date.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/**
 * 法定退休年龄 (30号令 第四条: applicants not above it). Base ages 60 (men) and 55 (women: the
 * higher of the two women's ages, so nobody is refused who may still legally work), raised by the
 * 2024 decision on gradual delay (全国人大常委会《关于实施渐进式延迟法定退休年龄的决定》, from
 * 2025-01-01): one month per four months of birth from 1965-01 (men) / 1970-01 (women), at most 36.
 */
export const retirement = {
  baseAge: { male: 60, female: 55 },
  delayFrom: { male: '1965-01', female: '1970-01' },
  birthMonthsPerMonthOfDelay: 4,
  maxDelayMonths: 36,
  source:
    '《国务院关于工人退休、退职的暂行办法》; 全国人大常委会《关于实施渐进式延迟法定退休年龄的决定》(2024-09-13)',
} as const;

export function statutoryRetirementDate(birthDate: string, gender: 'male' | 'female'): string {
  const [by, bm] = birthDate.split('-').map(Number);
  const [fy, fm] = retirement.delayFrom[gender].split('-').map(Number);
  const monthsSince = (by - fy) * 12 + (bm - fm);
  const delay =
    monthsSince < 0
      ? 0
      : Math.min(
          retirement.maxDelayMonths,
          Math.floor(monthsSince / retirement.birthMonthsPerMonthOfDelay) + 1,
        );
  return addMonths(birthDate, retirement.baseAge[gender] * 12 + delay);
}

// ——— eligibility ———

const educationRank: Record<string, number> = {
  primary: 0,
  junior_high: 1,
  high_school: 2,
  secondary_vocational: 2,
  associate: 3,
  bachelor: 4,
  master: 5,
  doctor: 6,
};
const educationName: Record<string, string> = {
  primary: '小学',
  junior_high: '初中',
  high_school: '高中',
  secondary_vocational: '中专',
  associate: '大专',
  bachelor: '本科',
  master: '硕士',
  doctor: '博士',
};

const classKindName: Record<string, string> = {
  initial: '初训',
  review: '复审培训',
  refresher: '再培训',
};
const examKindName: Record<ExamKind, string> = { initial: '初次取证考试', review: '复审考试' };

export interface TrainingLine {
  classCode: string;
  operationItemCode: string;
  kind: string;
  endDate: string;
  theoryMet: boolean;
  practicalMet: boolean;
  theoryHours: number;
  onlineHoursCounted: number;
  practicalHours: number;
  syllabusTheoryHours: number;
  syllabusPracticalHours: number;
}

export interface PastSitting {
  registrationId: string;
  sessionStartsOn: string;
  result: ExamResult | null;
  theoryScore: number | null;
}

export interface EligibilityFacts {
  certificateKind: 'special_operation' | 'competency';
  /** A first certification exam unless said otherwise (the plans of the exams module are all first exams). */
  examKind?: ExamKind;
  itemCode: string;
  examDate: string;
  person: { birthDate: string; gender: 'male' | 'female'; education: string | null };
  training: TrainingLine[];
  ban: { number: string; until: string } | null;
  certificateInForce: { number: string } | null;
  pastSittings: PastSitting[];
}

export type EligibilityCode =
  | 'age'
  | 'education'
  | 'training_hours'
  | 'revocation_ban'
  | 'already_certified'
  | 'pending_sitting'
  | 'retakes_exhausted';

export interface EligibilityCheck {
  code: EligibilityCode;
  passed: boolean;
  message: string;
  evidence: Record<string, unknown>;
}

export interface Eligibility {
  eligible: boolean;
  attempt: number;
  theoryCarried: boolean;
  checks: EligibilityCheck[];
}

/**
 * Every condition of RULES.md §A for sitting the exam, each with the evidence it was judged on, so the
 * registration keeps why it was accepted or refused. A sitting counts toward the retake limit only
 * after the latest training that met the syllabus: failing the retake means training again.
 */
export function judgeEligibility(f: EligibilityFacts): Eligibility {
  const checks: EligibilityCheck[] = [];
  const check = (
    code: EligibilityCode,
    passed: boolean,
    message: string,
    evidence: Record<string, unknown>,
  ) => checks.push({ code, passed, message, evidence });

  const age = ageOn(f.person.birthDate, f.examDate);
  const retiresOn = statutoryRetirementDate(f.person.birthDate, f.person.gender);
  const minAge = specialOperation.minAge.value;
  check(
    'age',
    age >= minAge && f.examDate < retiresOn,
    age < minAge
      ? `考试日 ${f.examDate} 时未满 ${minAge} 周岁（${age} 岁）`
      : f.examDate >= retiresOn
        ? `已达法定退休年龄（${retiresOn}）`
        : `${age} 周岁`,
    { age, minAge, retiresOn, birthDate: f.person.birthDate },
  );

  if (f.certificateKind === 'special_operation') {
    const needHigh = findOperationItem(f.itemCode)?.requiresHighSchool ?? false;
    const need = needHigh ? 'high_school' : 'junior_high';
    const has = f.person.education;
    const ok = has !== null && (educationRank[has] ?? -1) >= educationRank[need];
    check(
      'education',
      ok,
      ok
        ? `学历 ${educationName[has!]}`
        : has === null
          ? `未登记学历；本作业须${educationName[need]}及以上`
          : `学历 ${educationName[has]} 低于本作业要求的${educationName[need]}`,
      { education: has, required: need },
    );
  }

  // Only the kind of training the catalog names for this exam counts (a review class never opens a first exam).
  const examKind = f.examKind ?? 'initial';
  const qualifying = examTrainingKinds[f.certificateKind][examKind];
  const ofItem = f.training.filter(
    (l) => l.operationItemCode === f.itemCode && l.endDate <= f.examDate,
  );
  const own = ofItem.filter((l) => qualifying?.kinds.includes(l.kind as never) ?? false);
  const otherKind = ofItem.filter((l) => !own.includes(l));
  const met = own
    .filter((l) => l.theoryMet && l.practicalMet)
    .sort((a, b) => (a.endDate < b.endDate ? 1 : -1));
  const best = met[0] ?? own[0] ?? null;
  check(
    'training_hours',
    met.length > 0,
    met.length > 0
      ? `培训班 ${best!.classCode} 学时达标（理论 ${round2(best!.theoryHours + best!.onlineHoursCounted)}/${best!.syllabusTheoryHours}，实操 ${round2(best!.practicalHours)}/${best!.syllabusPracticalHours}）`
      : best
        ? `培训班 ${best.classCode} 有效学时不足：理论 ${round2(best.theoryHours + best.onlineHoursCounted)}/${best.syllabusTheoryHours}，实操 ${round2(best.practicalHours)}/${best.syllabusPracticalHours}`
        : otherKind.length > 0
          ? `培训班 ${otherKind.map((l) => `${l.classCode}（${classKindName[l.kind] ?? l.kind}）`).join('、')} 不能作为${examKindName[examKind]}的培训学时，须参加${(qualifying?.kinds ?? []).map((k) => classKindName[k]).join('或') || '相应培训'}`
          : `考试日前没有结束的本作业类别培训记录`,
    {
      examKind,
      qualifyingKinds: qualifying?.kinds ?? [],
      basis: qualifying?.source ?? null,
      classes: own.map((l) => ({
        classCode: l.classCode,
        kind: l.kind,
        endDate: l.endDate,
        theoryHours: l.theoryHours,
        onlineHoursCounted: l.onlineHoursCounted,
        practicalHours: l.practicalHours,
        syllabusTheoryHours: l.syllabusTheoryHours,
        syllabusPracticalHours: l.syllabusPracticalHours,
        met: l.theoryMet && l.practicalMet,
      })),
      notCounted: otherKind.map((l) => ({ classCode: l.classCode, kind: l.kind })),
    },
  );

  check(
    'revocation_ban',
    f.ban === null,
    f.ban ? `证书 ${f.ban.number} 因弄虚作假被撤销，${f.ban.until} 前不得再次申请` : '无禁考记录',
    { ban: f.ban },
  );
  check(
    'already_certified',
    f.certificateInForce === null,
    f.certificateInForce
      ? `已持有本作业类别有效证书 ${f.certificateInForce.number}`
      : '未持有本作业类别有效证书',
    { certificate: f.certificateInForce },
  );

  const trainedOn = met[0]?.endDate ?? '0000-00-00';
  const since = f.pastSittings
    .filter((s) => s.sessionStartsOn >= trainedOn)
    .sort((a, b) => (a.sessionStartsOn < b.sessionStartsOn ? -1 : 1));
  const pending = since.filter((s) => s.result === null);
  check(
    'pending_sitting',
    pending.length === 0,
    pending.length ? '已有尚未出成绩的本作业类别考试报名' : '无未完成的考试',
    { pending: pending.map((s) => s.registrationId) },
  );
  const failed = since.filter((s) => s.result !== null && s.result !== 'pass');
  const allowed = 1 + specialOperation.retakes.value;
  check(
    'retakes_exhausted',
    failed.length < allowed,
    failed.length < allowed
      ? failed.length
        ? `补考（第 ${failed.length + 1} 次考试）`
        : '首次考试'
      : `培训后已考试 ${failed.length} 次未通过，补考机会已用完，须重新参加培训`,
    {
      failedSittings: failed.map((s) => s.registrationId),
      allowed,
      trainedOn: met[0]?.endDate ?? null,
    },
  );

  const last = failed.at(-1);
  const passMark = exams.passMark.value;
  const theoryCarried =
    !!last &&
    last.theoryScore !== null &&
    last.theoryScore >= passMark &&
    f.examDate < addMonths(last.sessionStartsOn, exams.scoreValidMonths.value);
  return {
    eligible: checks.every((c) => c.passed),
    attempt: failed.length + 1,
    theoryCarried,
    checks,
  };
}

export function refusalMessage(e: Eligibility): string {
  return e.checks
    .filter((c) => !c.passed)
    .map((c) => c.message)
    .join('；');
}

// ——— questions and papers ———

export const judgeOptions = ['正确', '错误'] as const;

/** What makes a question unusable; null when it is fine. Multiple choice needs ≥ 2 right and ≥ 1 wrong option, so ticking everything never scores. */
export function questionProblem(q: {
  kind: QuestionKind;
  options: string[];
  answer: number[];
}): { path: string; message: string } | null {
  const n = q.options.length;
  if (q.kind === 'judge') {
    if (n !== 2) return { path: 'options', message: '判断题只有"正确/错误"两个选项' };
    if (q.answer.length !== 1)
      return { path: 'answer', message: '判断题的答案是"正确"或"错误"之一' };
  } else {
    if (n < 2 || n > 8) return { path: 'options', message: '选择题须有 2–8 个选项' };
    if (new Set(q.options.map((o) => o.trim())).size !== n)
      return { path: 'options', message: '选项重复' };
    if (q.kind === 'single' && q.answer.length !== 1)
      return { path: 'answer', message: '单选题只能有一个正确答案' };
    if (q.kind === 'multiple' && (q.answer.length < 2 || q.answer.length >= n))
      return { path: 'answer', message: '多选题须有至少两个正确答案且至少一个错误选项' };
  }
  if (
    q.answer.some((a) => !Number.isInteger(a) || a < 0 || a >= n) ||
    new Set(q.answer).size !== q.answer.length
  )
    return { path: 'answer', message: '答案不在选项范围内' };
  return null;
}

/** Blueprint problems: the parts must add up to the full marks of the catalog. */
export function blueprintProblem(parts: BlueprintPart[]): string | null {
  if (parts.length === 0) return '组卷规则至少包含一部分';
  const total = parts.reduce((n, p) => n + p.count * p.pointsEach, 0);
  const full = exams.fullMarks.value;
  if (Math.abs(total - full) > 1e-9) return `各部分合计 ${total} 分，应为 ${full} 分`;
  return null;
}

export type Random = (n: number) => number;

function shuffle<T>(xs: readonly T[], rand: Random): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rand(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export interface PoolQuestion {
  id: string;
  kind: QuestionKind;
  stem: string;
  options: string[];
  answer: number[];
  knowledgePoint: string;
}

/**
 * A candidate's own paper: for each part, `count` distinct questions drawn at random from the
 * matching pool (a question is never drawn twice across parts), choice options shuffled per candidate
 * (true/false keep their order), answers remapped to the shuffled order.
 */
export function drawPaper(
  parts: BlueprintPart[],
  pool: PoolQuestion[],
  rand: Random,
): PaperQuestion[] {
  const used = new Set<string>();
  const paper: PaperQuestion[] = [];
  parts.forEach((part, i) => {
    const candidates = pool.filter(
      (q) =>
        q.kind === part.kind &&
        (part.knowledgePoint === null || q.knowledgePoint === part.knowledgePoint) &&
        !used.has(q.id),
    );
    if (candidates.length < part.count)
      throw new Error(`part ${i}: ${candidates.length} questions for ${part.count}`);
    for (const q of shuffle(candidates, rand).slice(0, part.count)) {
      used.add(q.id);
      const order =
        q.kind === 'judge'
          ? q.options.map((_, k) => k)
          : shuffle(
              q.options.map((_, k) => k),
              rand,
            );
      paper.push({
        questionId: q.id,
        kind: q.kind,
        stem: q.stem,
        options: order.map((k) => q.options[k]),
        answer: q.answer.map((a) => order.indexOf(a)).sort((x, y) => x - y),
        points: part.pointsEach,
        knowledgePoint: q.knowledgePoint,
      });
    }
  });
  return paper;
}

/** Whether a choice earns the question's points: exactly the right set, nothing more, nothing less. */
export function choiceCorrect(
  q: Pick<PaperQuestion, 'answer'>,
  choice: readonly number[] | undefined,
): boolean {
  if (!choice || choice.length !== q.answer.length) return false;
  const s = new Set(choice);
  return s.size === choice.length && q.answer.every((a) => s.has(a));
}

export function gradePaper(paper: PaperQuestion[], answers: Map<number, number[]>): number {
  return round2(
    paper.reduce((n, q, i) => n + (choiceCorrect(q, answers.get(i)) ? q.points : 0), 0),
  );
}

export function round2(x: number): number {
  return Math.round(x * 100 + 1e-9) / 100;
}

// ——— practical ———

/** One task drawn per subject for a candidate. */
export function drawPracticalTasks(
  standard: PracticalStandard,
  rand: Random,
): { subjectCode: string; taskCode: string }[] {
  return standard.subjects.map((s) => ({
    subjectCode: s.code,
    taskCode: s.tasks[rand(s.tasks.length)].code,
  }));
}

export interface SubjectScore {
  subjectCode: string;
  /** Points earned out of the subject's weight; null while not scored. */
  points: number | null;
  vetoItem: string | null;
}

/**
 * The practical outcome once every subject is scored: the sum of the subjects' points out of 100,
 * failed outright by any veto item. null while a subject is unscored (all subjects must be scored).
 */
export function practicalOutcome(
  scores: SubjectScore[],
  standard: PracticalStandard,
): { score: number; passed: boolean; veto: string | null } | null {
  if (
    standard.subjects.some(
      (s) => !scores.find((x) => x.subjectCode === s.code && x.points !== null),
    )
  )
    return null;
  const score = round2(scores.reduce((n, x) => n + (x.points ?? 0), 0));
  const veto = scores.find((x) => x.vetoItem)?.vetoItem ?? null;
  return { score, passed: veto === null && score >= exams.practicalPassMark.value, veto };
}

/** The outcome of a sitting: theory (or a carried theory pass) and, for special operations, the practical. */
export function sittingResult(input: {
  theoryScore: number | null;
  theoryCarried: boolean;
  needsPractical: boolean;
  practical: { passed: boolean } | null;
  cancelled: boolean;
  checkedIn: boolean;
}): ExamResult | null {
  if (input.cancelled) return 'cancelled';
  if (!input.checkedIn) return 'absent';
  const theoryPassed =
    input.theoryCarried ||
    (input.theoryScore !== null && input.theoryScore >= exams.passMark.value);
  if (!input.theoryCarried && input.theoryScore === null) return null;
  if (!theoryPassed) return 'fail';
  if (!input.needsPractical) return 'pass';
  if (!input.practical) return null;
  return input.practical.passed ? 'pass' : 'fail';
}

/**
 * The last day results may be published: 10 working days after the exam day (30号令 第十五条), and
 * whether that day has passed with nothing published. 合格证 exams are held to the same period: 3号令
 * sets none of its own, and the candidate waits the same way.
 */
export function resultsDue(examDay: string, published: boolean, today: string) {
  const resultsDueOn = addWorkingDays(examDay, specialOperation.resultsWithinWorkingDays.value);
  return { resultsDueOn, resultsOverdue: !published && today > resultsDueOn };
}
