import { addDays, addYears } from '../../catalog/calendar.js';
import type { Figure } from '../../catalog/figure.js';
import {
  enterpriseHours,
  enterpriseObligations,
  specialOperation,
  threeLevels,
  threeLevelsAgain,
} from '../../catalog/figures.js';
import { findOperationItem } from '../../catalog/operations.js';
import type { CertificateKind } from '../certificates/certificates.contract.js';
import {
  type CertificateStatus,
  certificateStatus,
  type EventFacts,
} from '../certificates/certificates.rules.js';
import type { Post } from '../registry/registry.contract.js';
import { certificateCovers } from './certificate-check.rules.js';
import type {
  CertificateCheckFlag,
  CertificateCheckOutcome,
  EvidenceRef,
  Obligation,
  ObligationState,
  TrainingAssessment,
  TrainingSessionKind,
} from './enterprises.contract.js';

/**
 * What an enterprise owes, computed from its records on a day (issue 14 point 3, RULES.md §A/§B):
 * facts in, obligations out, each with its state, due date, legal basis and the records it rests on.
 * Never stored; every figure comes from the catalog.
 */

export interface OrganizationFacts {
  id: string;
  name: string;
  industry: string | null;
  highRisk: boolean;
  scale: string | null;
  employeeCount: number | null;
}
export interface EmploymentFacts {
  id: string;
  personId: string;
  personName: string;
  post: Post;
  operationItemCode: string | null;
  startDate: string;
  endDate: string | null;
}
export interface CertificateFacts {
  id: string;
  number: string;
  personId: string;
  kind: CertificateKind;
  operationItemCode: string;
  issuedOn: string;
  validUntil: string;
  events: EventFacts[];
}
export interface CheckFacts {
  id: string;
  employmentId: string;
  declaredNumber: string;
  checkedOn: string;
  outcome: CertificateCheckOutcome;
  flag: CertificateCheckFlag | null;
}
export interface TrainingFacts {
  /** The record (one person in one session). */
  id: string;
  personId: string;
  kind: TrainingSessionKind;
  /** Beijing date of the session. */
  date: string;
  hours: number;
  assessment: TrainingAssessment | null;
}
export interface PlanFacts {
  id: string;
  year: number;
}
export interface EnterpriseFacts {
  organization: OrganizationFacts;
  /** Every employment of the organization, ended ones included (job changes and returns). */
  employments: EmploymentFacts[];
  certificates: CertificateFacts[];
  /** The latest check of each employment's declared number. */
  checks: CheckFacts[];
  training: TrainingFacts[];
  plans: PlanFacts[];
}

const managerPosts: readonly Post[] = ['principal', 'safety_director', 'safety_manager'];
export const isManagerPost = (p: Post) => managerPosts.includes(p);

/** Same day n months on, clamped to the month's end (31 August + 6 months = 28/29 February). */
export function addMonths(iso: string, n: number): string {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7)) - 1 + n;
  const year = y + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(Number(iso.slice(8, 10)), last);
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const src = (f: Figure<unknown>) => f.source;
const current = (e: EmploymentFacts, today: string) =>
  e.startDate <= today && (e.endDate === null || e.endDate >= today);
/** In post on the day or starting later (a hire registered ahead of the job). */
const inLedger = (e: EmploymentFacts, today: string) => e.endDate === null || e.endDate >= today;

/** Ok when met; otherwise overdue past the due date, due soon inside the reminder window. */
export function stateFor(met: boolean, due: string | null, today: string): ObligationState {
  if (met || due === null) return met ? 'ok' : 'overdue';
  if (today > due) return 'overdue';
  if (today >= addDays(due, -enterpriseObligations.dueSoonDays.value)) return 'due_soon';
  return 'ok';
}

/** Pre-job hours a new hire needs: 72 high-risk, 32 construction, 24 otherwise (3号令 第十三条, 安委〔2012〕10号). */
export function preJobHours(org: OrganizationFacts): Figure<number> {
  if (org.highRisk) return enterpriseHours.newHireHighRisk;
  if (org.industry === 'construction') return enterpriseHours.newHireConstruction;
  return enterpriseHours.newHireGeneral;
}

/** Required in-house trainers, or null when the requirement does not apply (seed 003). */
export function requiredTrainers(org: OrganizationFacts, headcount: number): number | null {
  if (org.highRisk)
    return Math.max(
      Math.ceil((headcount * enterpriseHours.inHouseTrainerPermilleHighRisk.value) / 1000),
      enterpriseHours.inHouseTrainerMinHighRisk.value,
    );
  if (org.scale && enterpriseObligations.trainerRatioGeneralScales.value.includes(org.scale))
    return Math.ceil((headcount * enterpriseHours.inHouseTrainerPermilleGeneral.value) / 1000);
  return null;
}

export function computeObligations(facts: EnterpriseFacts, today: string): Obligation[] {
  const org = facts.organization;
  const out: Obligation[] = [];
  const certsOf = new Map<string, { facts: CertificateFacts; status: CertificateStatus }[]>();
  for (const c of facts.certificates) {
    const list = certsOf.get(c.personId) ?? [];
    list.push({ facts: c, status: certificateStatus(c, c.events, today) });
    certsOf.set(c.personId, list);
  }
  const trainingOf = new Map<string, TrainingFacts[]>();
  for (const t of facts.training) {
    if (t.date > today) continue;
    const list = trainingOf.get(t.personId) ?? [];
    list.push(t);
    trainingOf.set(t.personId, list);
  }
  const checkOf = new Map(facts.checks.map((c) => [c.employmentId, c]));
  const byPerson = new Map<string, EmploymentFacts[]>();
  for (const e of facts.employments) {
    const list = byPerson.get(e.personId) ?? [];
    list.push(e);
    byPerson.set(e.personId, list);
  }

  const push = (
    e: EmploymentFacts | null,
    o: Omit<Obligation, 'employmentId' | 'personId' | 'personName' | 'evidence'> & {
      evidence?: EvidenceRef[];
    },
  ) =>
    out.push({
      ...o,
      employmentId: e?.id ?? null,
      personId: e?.personId ?? null,
      personName: e?.personName ?? null,
      evidence: [
        ...(e
          ? [{ kind: 'employment' as const, id: e.id, label: `${e.personName} 聘用记录` }]
          : []),
        ...(o.evidence ?? []),
      ],
    });
  const certRef = (c: CertificateFacts): EvidenceRef => ({
    kind: 'certificate',
    id: c.id,
    label: `证书 ${c.number}`,
  });
  const recordRefs = (list: TrainingFacts[]): EvidenceRef[] =>
    list.map((t) => ({
      kind: 'training_record',
      id: t.id,
      label: `${t.date} 培训 ${t.hours} 学时`,
    }));
  const judgedWindowStart = addMonths(today, -enterpriseObligations.preJobJudgedWithinMonths.value);

  for (const e of facts.employments) {
    if (!inLedger(e, today)) continue;
    const certs = (certsOf.get(e.personId) ?? []).filter((c) => certificateCovers(e, c.facts));
    const live = certs.filter((c) => c.status.state === 'valid' || c.status.state === 'review_due');
    const training = trainingOf.get(e.personId) ?? [];
    const earlier = (byPerson.get(e.personId) ?? [])
      .filter((p) => p.id !== e.id && p.endDate !== null && p.endDate < e.startDate)
      .sort((a, b) => (a.endDate! < b.endDate! ? 1 : -1));
    const previous = earlier[0] ?? null;

    if (isManagerPost(e.post)) {
      // 高危行业主要负责人、安全管理人员: 合格证 within 6 months of taking the post.
      if (org.highRisk) {
        const due = addMonths(e.startDate, enterpriseHours.managerCertifyWithinMonths.value);
        const met = live.length > 0;
        push(e, {
          code: 'manager_certificate',
          state: stateFor(met, due, today),
          dueDate: due,
          rule: src(enterpriseHours.managerCertifyWithinMonths),
          detail: met
            ? `已取得安全生产知识和管理能力考核合格证 ${live[0].facts.number}`
            : `任职 ${e.startDate} 起 ${enterpriseHours.managerCertifyWithinMonths.value} 个月内应取得合格证，证书库中没有其合格证`,
          required: null,
          actual: null,
          evidence: live.map((c) => certRef(c.facts)),
        });
      }
      // Annual re-training of the 合格证 holder (3号令 第九条: 12 / 16 学时 a year).
      for (const c of live) {
        const annual = org.highRisk
          ? enterpriseHours.managerAnnualHighRisk
          : enterpriseHours.managerAnnualGeneral;
        const missing = c.status.retrainingMissing.at(-1);
        const due = missing ? missing.to : c.status.retrainingDue;
        push(e, {
          code: 'manager_retraining',
          state: missing ? 'overdue' : stateFor(false, due, today),
          dueDate: due,
          rule: src(annual),
          detail: missing
            ? `合格证第 ${missing.year} 年度（${missing.from}–${missing.to}）没有再培训记录（每年不少于 ${annual.value} 学时）`
            : `本证书年度再培训（不少于 ${annual.value} 学时）须于 ${due ?? '—'} 前完成`,
          required: annual.value,
          actual: null,
          evidence: [certRef(c.facts)],
        });
      }
    }

    if (e.post === 'special_operator' && e.operationItemCode) {
      const check = checkOf.get(e.id);
      const met = live.length > 0;
      const itemName = findOperationItem(e.operationItemCode)?.name ?? e.operationItemCode;
      const why = met
        ? `持有效操作证 ${live[0].facts.number}`
        : check?.flag === 'fake'
          ? `申报的证书 ${check.declaredNumber} 未通过核验（持假证），证书库中没有其${itemName}操作证`
          : check?.flag === 'expired' || certs.length > 0
            ? `${itemName}操作证已过期、撤销或未按期复审（证书过期）`
            : `证书库中没有其${itemName}操作证（无证上岗）`;
      push(e, {
        code: 'special_certificate',
        state: stateFor(met, e.startDate, today),
        dueDate: e.startDate,
        rule: `${src(specialOperation.certificateValidityYears)}（特种作业人员须持证上岗）`,
        detail: why,
        required: null,
        actual: null,
        evidence: [
          ...certs.map((c) => certRef(c.facts)),
          ...(check
            ? [
                {
                  kind: 'certificate_check' as const,
                  id: check.id,
                  label: `${check.checkedOn} 核验 ${check.declaredNumber}`,
                },
              ]
            : []),
        ],
      });
      // 复审: due or missed on the latest certificate of the item.
      const latest = [...certs].sort((a, b) => (a.facts.issuedOn < b.facts.issuedOn ? 1 : -1))[0];
      if (latest?.status.reviewDue) {
        const missed = latest.status.state === 'expired' && latest.status.reviewDue < today;
        const liveCert = latest.status.state === 'valid' || latest.status.state === 'review_due';
        if (missed || liveCert)
          push(e, {
            code: 'certificate_review',
            state: missed ? 'overdue' : stateFor(false, latest.status.reviewDue, today),
            dueDate: latest.status.reviewDue,
            rule: src(specialOperation.reviewEveryYears),
            detail: missed
              ? `操作证 ${latest.facts.number} 应于 ${latest.status.reviewDue} 前复审，逾期未复审`
              : `操作证 ${latest.facts.number} 应于 ${latest.status.reviewDue} 前复审（到期前 ${specialOperation.reviewWindowDays.value} 日内申请）`,
            required: null,
            actual: null,
            evidence: [certRef(latest.facts)],
          });
      }
      // Back on the special-operation post after ≥ 6 months away: practical exam again (30号令 第三十一条).
      const lastSame = earlier.find(
        (p) => p.post === 'special_operator' && p.operationItemCode === e.operationItemCode,
      );
      if (
        lastSame?.endDate &&
        addMonths(lastSame.endDate, specialOperation.awayFromPostMonths.value) <= e.startDate
      ) {
        const since = lastSame.endDate;
        const examined = certs.filter(
          (c) =>
            c.facts.issuedOn >= since ||
            c.facts.events.some((ev) => ev.kind === 'review' && ev.occurredOn >= since),
        );
        push(e, {
          code: 'away_practical_exam',
          state: stateFor(examined.length > 0, e.startDate, today),
          dueDate: e.startDate,
          rule: src(specialOperation.awayFromPostMonths),
          detail:
            examined.length > 0
              ? '离岗后已重新考核'
              : `${since} 离开特种作业岗位，${e.startDate} 重新上岗，离岗 ${specialOperation.awayFromPostMonths.value} 个月以上须重新实际操作考试，没有考核记录`,
          required: null,
          actual: null,
          evidence: [
            { kind: 'employment', id: lastSame.id, label: `上一段聘用（至 ${since}）` },
            ...examined.map((c) => certRef(c.facts)),
          ],
        });
      }
    }

    // Pre-job training and 三级安全教育: judged for recent starts (catalog: preJobJudgedWithinMonths).
    if (!isManagerPost(e.post) && e.startDate >= judgedWindowStart) {
      const newHire = earlier.length === 0;
      const windowFrom = newHire ? addMonths(e.startDate, -12) : previous!.endDate!;
      const before = training.filter((t) => t.date >= windowFrom);
      if (newHire) {
        const need = preJobHours(org);
        const relevant = before.filter(
          (t) => t.kind === 'pre_job' || t.kind.startsWith('three_level'),
        );
        const hours = relevant.reduce((s, t) => s + t.hours, 0);
        const met = hours + 1e-9 >= need.value;
        push(e, {
          code: 'pre_job_training',
          state: stateFor(met, e.startDate, today),
          dueDate: e.startDate,
          rule: src(need),
          detail: `新上岗人员岗前安全培训不少于 ${need.value} 学时，记录 ${hours} 学时`,
          required: need.value,
          actual: hours,
          evidence: recordRefs(relevant),
        });
      }
      if (org.industry && enterpriseObligations.threeLevelIndustries.value.includes(org.industry)) {
        const returning =
          previous !== null &&
          addYears(previous.endDate!, enterpriseHours.returnAfterAbsenceYears.value) <= e.startDate;
        const changed =
          previous !== null &&
          (previous.post !== e.post || previous.operationItemCode !== e.operationItemCode);
        if (newHire || returning || changed) {
          const levels = newHire ? threeLevels : threeLevelsAgain;
          const done = levels.filter((l) => before.some((t) => t.kind === l));
          const met = done.length === levels.length;
          push(e, {
            code: 'three_level_education',
            state: stateFor(met, e.startDate, today),
            dueDate: e.startDate,
            rule: newHire
              ? src(enterpriseObligations.threeLevelIndustries)
              : src(enterpriseHours.returnAfterAbsenceYears),
            detail: `${newHire ? '新上岗' : returning ? '离岗一年以上重新上岗' : '调换岗位'}须完成${levels.length === 3 ? '公司（厂）、车间、班组三级' : '车间、班组级'}安全教育，已完成 ${done.length}/${levels.length} 级`,
            required: levels.length,
            actual: done.length,
            evidence: recordRefs(
              before.filter((t) => (levels as readonly string[]).includes(t.kind)),
            ),
          });
        }
      }
    }

    // Annual re-training of employees (安委〔2012〕10号: 8 / 20 学时 a calendar year).
    if (!isManagerPost(e.post) && current(e, today)) {
      const need = org.highRisk
        ? enterpriseHours.employeeAnnualHighRisk
        : enterpriseHours.employeeAnnualGeneral;
      const year = Number(today.slice(0, 4));
      const lastYear = year - 1;
      const inYear = (y: number) => training.filter((t) => t.date.startsWith(`${y}-`));
      const sum = (l: TrainingFacts[]) => l.reduce((s, t) => s + t.hours, 0);
      const wholeLastYear = e.startDate <= `${lastYear}-01-01`;
      const last = inYear(lastYear);
      if (wholeLastYear && sum(last) + 1e-9 < need.value) {
        push(e, {
          code: 'employee_annual_training',
          state: 'overdue',
          dueDate: `${lastYear}-12-31`,
          rule: src(need),
          detail: `${lastYear} 年度安全再培训不少于 ${need.value} 学时，记录 ${sum(last)} 学时`,
          required: need.value,
          actual: sum(last),
          evidence: recordRefs(last),
        });
      } else if (e.startDate < `${year}-01-01` || e.startDate <= addYears(today, -1)) {
        const now = inYear(year);
        const met = sum(now) + 1e-9 >= need.value;
        push(e, {
          code: 'employee_annual_training',
          state: stateFor(met, `${year}-12-31`, today),
          dueDate: `${year}-12-31`,
          rule: src(need),
          detail: `${year} 年度安全再培训不少于 ${need.value} 学时，已记录 ${sum(now)} 学时`,
          required: need.value,
          actual: sum(now),
          evidence: recordRefs(now),
        });
      }
    }
  }

  // In-house trainers (seed 003): ≥ 5‰ and ≥ 3 in high-risk industries, ≥ 3‰ in above-scale ones.
  const inPost = facts.employments.filter((e) => current(e, today));
  const headcount = Math.max(org.employeeCount ?? 0, new Set(inPost.map((e) => e.personId)).size);
  const required = requiredTrainers(org, headcount);
  if (required !== null) {
    const trainers = inPost.filter((e) => e.post === 'in_house_trainer');
    const n = new Set(trainers.map((t) => t.personId)).size;
    push(null, {
      code: 'in_house_trainers',
      state: n >= required ? 'ok' : 'overdue',
      dueDate: null,
      rule: src(
        org.highRisk
          ? enterpriseHours.inHouseTrainerPermilleHighRisk
          : enterpriseHours.inHouseTrainerPermilleGeneral,
      ),
      detail: `从业人员 ${headcount} 人，内训师应不少于 ${required} 人（${org.highRisk ? `${enterpriseHours.inHouseTrainerPermilleHighRisk.value}‰且不少于${enterpriseHours.inHouseTrainerMinHighRisk.value}人` : `${enterpriseHours.inHouseTrainerPermilleGeneral.value}‰`}），现有 ${n} 人`,
      required,
      actual: n,
      evidence: [
        { kind: 'organization', id: org.id, label: org.name },
        ...trainers.map((t) => ({
          kind: 'employment' as const,
          id: t.id,
          label: `内训师 ${t.personName}`,
        })),
      ],
    });
  }

  // The annual training plan of the current year.
  const year = Number(today.slice(0, 4));
  const plan = facts.plans.find((p) => p.year === year);
  const planDue = `${year}-${enterpriseObligations.annualPlanDueMonthDay.value}`;
  push(null, {
    code: 'annual_plan',
    state: stateFor(plan !== undefined, planDue, today),
    dueDate: planDue,
    rule: src(enterpriseObligations.annualPlanDueMonthDay),
    detail: plan ? `${year} 年度安全培训计划已制定` : `没有 ${year} 年度安全培训计划`,
    required: null,
    actual: null,
    evidence: plan
      ? [{ kind: 'training_plan', id: plan.id, label: `${year} 年度培训计划` }]
      : [{ kind: 'organization', id: org.id, label: org.name }],
  });

  const order: Record<ObligationState, number> = { overdue: 0, due_soon: 1, ok: 2 };
  return out.sort(
    (a, b) =>
      order[a.state] - order[b.state] ||
      (a.dueDate ?? '').localeCompare(b.dueDate ?? '') ||
      (a.personName ?? '').localeCompare(b.personName ?? '') ||
      a.code.localeCompare(b.code),
  );
}
