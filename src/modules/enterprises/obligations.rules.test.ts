import { describe, expect, it } from 'vitest';
import { judgeDeclaredCertificate, type RegistryCertificate } from './certificate-check.rules.js';
import { cellDate, parseLedgerRow } from './ledger-import.rules.js';
import {
  addMonths,
  computeObligations,
  type EmploymentFacts,
  type EnterpriseFacts,
  requiredTrainers,
} from './obligations.rules.js';

/** Figures typed from RULES.md §A/§B, not from the catalog: a changed catalog figure fails here. */
const RULES = {
  newHireHighRisk: 72,
  newHireConstruction: 32,
  newHireGeneral: 24,
  employeeAnnualHighRisk: 20,
  employeeAnnualGeneral: 8,
  managerCertifyMonths: 6,
};

const org = (o: Partial<EnterpriseFacts['organization']> = {}) => ({
  id: 'org',
  name: '测试化工',
  industry: 'hazardous_chemicals',
  highRisk: true,
  scale: 'large',
  employeeCount: null,
  ...o,
});
let n = 0;
const emp = (e: Partial<EmploymentFacts>): EmploymentFacts => ({
  id: `e${++n}`,
  personId: `p${n}`,
  personName: `人${n}`,
  post: 'general',
  operationItemCode: null,
  startDate: '2020-01-01',
  endDate: null,
  ...e,
});
const facts = (f: Partial<EnterpriseFacts>): EnterpriseFacts => ({
  organization: org(),
  employments: [],
  certificates: [],
  checks: [],
  training: [],
  plans: [{ id: 'plan', year: 2026 }],
  ...f,
});
const one = (f: EnterpriseFacts, code: string, today = '2026-12-07') =>
  computeObligations(f, today).filter((o) => o.code === code);

describe('enterprise obligations (RULES.md §B)', () => {
  it('adds months clamped to the month end', () => {
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2026-06-20', 6)).toBe('2026-12-20');
    expect(addMonths('2026-01-15', -12)).toBe('2025-01-15');
  });

  it('asks 72 / 32 / 24 学时 before the job by industry', () => {
    const hire = emp({ startDate: '2026-11-01' });
    const need = (o: Partial<EnterpriseFacts['organization']>) =>
      one(facts({ organization: org(o), employments: [hire] }), 'pre_job_training')[0].required;
    expect(need({})).toBe(RULES.newHireHighRisk);
    expect(need({ highRisk: false, industry: 'construction' })).toBe(RULES.newHireConstruction);
    expect(need({ highRisk: false, industry: 'trade' })).toBe(RULES.newHireGeneral);
  });

  it('flags a new hire working after 10 学时 of pre-job training, and clears it at 72', () => {
    const hire = emp({ startDate: '2026-11-01' });
    const rec = (hours: number) => ({
      id: `r${hours}`,
      personId: hire.personId,
      kind: 'pre_job' as const,
      date: '2026-10-30',
      hours,
      assessment: 'passed' as const,
    });
    const short = one(facts({ employments: [hire], training: [rec(10)] }), 'pre_job_training')[0];
    expect(short).toMatchObject({ state: 'overdue', actual: 10, dueDate: '2026-11-01' });
    expect(short.evidence.map((e) => e.id)).toContain('r10');
    expect(
      one(facts({ employments: [hire], training: [rec(72)] }), 'pre_job_training')[0].state,
    ).toBe('ok');
  });

  it('gives a high-risk safety manager 6 months to hold the 合格证', () => {
    const m = emp({ post: 'safety_manager', startDate: '2026-05-07' });
    const o = one(facts({ employments: [m] }), 'manager_certificate')[0];
    expect(o.dueDate).toBe(addMonths('2026-05-07', RULES.managerCertifyMonths));
    expect(o.state).toBe('overdue');
    const cert = {
      id: 'c1',
      number: 'C37092026000001',
      personId: m.personId,
      kind: 'competency' as const,
      operationItemCode: 'C.safety_manager.high_risk',
      issuedOn: '2026-09-01',
      validUntil: '2029-08-31',
      events: [],
    };
    expect(
      one(facts({ employments: [m], certificates: [cert] }), 'manager_certificate')[0].state,
    ).toBe('ok');
    // A 合格证 for principals does not cover a safety manager.
    const wrong = { ...cert, operationItemCode: 'C.principal.high_risk' };
    expect(
      one(facts({ employments: [m], certificates: [wrong] }), 'manager_certificate')[0].state,
    ).toBe('overdue');
    // Not high-risk: no 6-month obligation.
    expect(
      one(
        facts({ organization: org({ highRisk: false }), employments: [m] }),
        'manager_certificate',
      ),
    ).toHaveLength(0);
  });

  it('checks the annual re-training of last calendar year (20 学时 high-risk)', () => {
    const w = emp({ startDate: '2020-01-01' });
    const rec = (hours: number) => ({
      id: 'r',
      personId: w.personId,
      kind: 'annual' as const,
      date: '2025-06-01',
      hours,
      assessment: null,
    });
    expect(
      one(
        facts({ employments: [w], training: [rec(RULES.employeeAnnualHighRisk - 1)] }),
        'employee_annual_training',
      )[0],
    ).toMatchObject({ state: 'overdue', dueDate: '2025-12-31' });
    const ok = one(
      facts({ employments: [w], training: [rec(RULES.employeeAnnualHighRisk)] }),
      'employee_annual_training',
    )[0];
    // Last year met; this year's 20 are due on 12-31, inside the reminder window.
    expect(ok).toMatchObject({ state: 'due_soon', dueDate: '2026-12-31' });
  });

  it('needs ≥ 5‰ and ≥ 3 in-house trainers in high-risk industries, ≥ 3‰ in above-scale ones', () => {
    expect(requiredTrainers(org(), 900)).toBe(5);
    expect(requiredTrainers(org(), 100)).toBe(3);
    expect(requiredTrainers(org({ highRisk: false, scale: 'large' }), 1000)).toBe(3);
    expect(requiredTrainers(org({ highRisk: false, scale: 'small' }), 1000)).toBeNull();
    const trainers = [emp({ post: 'in_house_trainer' }), emp({ post: 'in_house_trainer' })];
    const o = one(
      facts({ organization: org({ employeeCount: 900 }), employments: trainers }),
      'in_house_trainers',
    )[0];
    expect(o).toMatchObject({ state: 'overdue', required: 5, actual: 2 });
  });

  it('asks a special operator back after ≥ 6 months away to sit the practical exam again', () => {
    const before = emp({
      post: 'special_operator',
      operationItemCode: '1.2',
      startDate: '2018-01-01',
      endDate: '2025-10-01',
    });
    const back = emp({
      personId: before.personId,
      personName: before.personName,
      post: 'special_operator',
      operationItemCode: '1.2',
      startDate: '2026-06-01',
    });
    expect(one(facts({ employments: [before, back] }), 'away_practical_exam')[0]).toMatchObject({
      state: 'overdue',
    });
    const soon = { ...back, startDate: '2026-03-01' };
    expect(one(facts({ employments: [before, soon] }), 'away_practical_exam')).toHaveLength(0);
  });

  it('asks workshop and team level again after a job change', () => {
    const first = emp({ startDate: '2015-01-01', endDate: '2026-08-31' });
    const changed = emp({
      personId: first.personId,
      personName: first.personName,
      post: 'special_operator',
      operationItemCode: '9.8',
      startDate: '2026-09-01',
    });
    const o = one(facts({ employments: [first, changed] }), 'three_level_education')[0];
    expect(o).toMatchObject({ state: 'overdue', required: 2, actual: 0 });
  });
});

describe('declared certificates checked against the registry', () => {
  const post = { post: 'special_operator' as const, operationItemCode: '1.2' };
  const cert = (c: Partial<RegistryCertificate>): RegistryCertificate => ({
    id: 'c',
    personId: 'p',
    kind: 'special_operation',
    operationItemCode: '1.2',
    state: 'valid',
    validUntil: '2030-01-01',
    ...c,
  });
  const judge = (found: RegistryCertificate[]) =>
    judgeDeclaredCertificate({ number: 'T1', personId: 'p' }, post, found);
  it('flags every way a number can be wrong', () => {
    expect(judge([])).toMatchObject({ outcome: 'not_found', flag: 'fake' });
    expect(judge([cert({ personId: 'q' })])).toMatchObject({
      outcome: 'other_holder',
      flag: 'fake',
    });
    expect(judge([cert({ operationItemCode: '2.1' })])).toMatchObject({
      outcome: 'other_item',
      flag: 'uncertified',
    });
    expect(judge([cert({ state: 'revoked' })])).toMatchObject({ flag: 'uncertified' });
    expect(judge([cert({ state: 'expired' })])).toMatchObject({ flag: 'expired' });
    expect(judge([cert({})])).toMatchObject({ outcome: 'valid', flag: null });
  });
});

describe('ledger rows', () => {
  it('reads Excel serial dates and typed dates', () => {
    expect(cellDate(45352)).toBe('2024-03-01');
    expect(cellDate('2024/3/1')).toBe('2024-03-01');
    expect(cellDate('2024-02-30')).toBe('invalid');
  });
  it('names the column of each problem', () => {
    const r = parseLedgerRow(
      ['张三', '370902198506151234', '特种作业人员', null, '2024-03-01'],
      7,
      '2026-12-07',
    );
    expect(r.errors.map((e) => [e.row, e.column])).toContainEqual([7, '作业项目代码']);
  });
});
