import { describe, expect, it } from 'vitest';
import type { Figure } from './figure.js';
import { enterpriseHours, exams, specialOperation } from './figures.js';
import { getPolicy } from './policy.js';

/**
 * The confirmed and seed legal figures, typed here from RULES.md (value, status, and the document the
 * source must name) — deliberately NOT read from the catalog, so that changing a figure in the catalog
 * without changing the law's text here fails (issue 16 point 6). When a regulation changes, change both,
 * and cite the new text in the row.
 */
type Row = [name: string, figure: Figure<unknown>, value: unknown, status: string, names: RegExp];

const order30 = /特种作业人员安全技术培训考核管理规定|30号/;
const order3 = /生产经营单位安全培训规定|3号/;
const anwei = /安委〔2012〕10号|关于进一步加强安全培训工作的决定/;
const exam104 = /安监总培训〔2013〕104号|安全生产资格考试与证书管理暂行办法/;
const aq8011 = /AQ 8011/;
const shandong = /山东|鲁应急|seed 004|专项执法/;
const jining = /济宁|seed 003|全员安全培训/;

const rows: Row[] = [
  // RULES.md §A — 30号令 as amended by 63号令 / 80号令
  ['applicant age ≥ 18', specialOperation.minAge, 18, 'confirmed', order30],
  ['exam within 60 days of application', specialOperation.examWithinDays, 60, 'confirmed', order30],
  ['one retake', specialOperation.retakes, 1, 'confirmed', order30],
  [
    'results within 10 working days',
    specialOperation.resultsWithinWorkingDays,
    10,
    'confirmed',
    order30,
  ],
  ['certificate valid 6 years', specialOperation.certificateValidityYears, 6, 'confirmed', order30],
  ['review every 3 years', specialOperation.reviewEveryYears, 3, 'confirmed', order30],
  [
    'review applied for within 60 days before due',
    specialOperation.reviewWindowDays,
    60,
    'confirmed',
    order30,
  ],
  [
    'extended review after 10 years',
    specialOperation.extendedReviewAfterYears,
    10,
    'confirmed',
    order30,
  ],
  [
    'extended review every 6 years',
    specialOperation.extendedReviewEveryYears,
    6,
    'confirmed',
    order30,
  ],
  ['review training ≥ 8 学时', specialOperation.reviewTrainingHours, 8, 'confirmed', order30],
  ['re-application ban 3 years', specialOperation.banAfterRevocationYears, 3, 'confirmed', order30],
  [
    '≥ 6 months away → practical exam again',
    specialOperation.awayFromPostMonths,
    6,
    'confirmed',
    order30,
  ],
  // RULES.md §B — 3号令 and 安委〔2012〕10号
  [
    'principal/manager initial, general ≥ 32',
    enterpriseHours.managerInitialGeneral,
    32,
    'confirmed',
    order3,
  ],
  [
    'principal/manager initial, high-risk ≥ 48',
    enterpriseHours.managerInitialHighRisk,
    48,
    'confirmed',
    order3,
  ],
  [
    'principal/manager annual, general ≥ 12',
    enterpriseHours.managerAnnualGeneral,
    12,
    'confirmed',
    order3,
  ],
  [
    'principal/manager annual, high-risk ≥ 16',
    enterpriseHours.managerAnnualHighRisk,
    16,
    'confirmed',
    order3,
  ],
  [
    'high-risk principal/manager certified within 6 months',
    enterpriseHours.managerCertifyWithinMonths,
    6,
    'confirmed',
    order3,
  ],
  ['new hire, general ≥ 24', enterpriseHours.newHireGeneral, 24, 'confirmed', order3],
  ['new hire, construction ≥ 32', enterpriseHours.newHireConstruction, 32, 'confirmed', anwei],
  ['new hire, high-risk ≥ 72', enterpriseHours.newHireHighRisk, 72, 'confirmed', order3],
  ['employee annual, general ≥ 8', enterpriseHours.employeeAnnualGeneral, 8, 'confirmed', anwei],
  [
    'employee annual, high-risk ≥ 20',
    enterpriseHours.employeeAnnualHighRisk,
    20,
    'confirmed',
    anwei,
  ],
  [
    'job change or ≥ 1 year away → workshop + team again',
    enterpriseHours.returnAfterAbsenceYears,
    1,
    'confirmed',
    order3,
  ],
  [
    'in-house trainers ≥ 3‰ (general)',
    enterpriseHours.inHouseTrainerPermilleGeneral,
    3,
    'seed',
    jining,
  ],
  [
    'in-house trainers ≥ 5‰ (high-risk)',
    enterpriseHours.inHouseTrainerPermilleHighRisk,
    5,
    'seed',
    jining,
  ],
  [
    'in-house trainers at least 3 (high-risk)',
    enterpriseHours.inHouseTrainerMinHighRisk,
    3,
    'seed',
    jining,
  ],
  ['apprenticeship ≥ 2 months', enterpriseHours.apprenticeshipMonths, 2, 'confirmed', /44号/],
  // RULES.md §D — 安监总培训〔2013〕104号
  ['theory exam 120 min', exams.theoryMinutes, 120, 'confirmed', exam104],
  ['100 points', exams.fullMarks, 100, 'confirmed', exam104],
  ['theory pass ≥ 80', exams.passMark, 80, 'confirmed', exam104],
  ['practical pass ≥ 80', exams.practicalPassMark, 80, 'confirmed', exam104],
  ['a passing score valid 12 months', exams.scoreValidMonths, 12, 'confirmed', exam104],
  ['exam video kept ≥ 3 years', exams.videoRetentionYears, 3, 'confirmed', exam104],
  ['合格证 valid 3 years', exams.competencyCertificateYears, 3, 'confirmed', exam104],
  [
    '合格证 extension applied 30 days before expiry',
    exams.competencyExtendDaysBefore,
    30,
    'confirmed',
    exam104,
  ],
  ['issued within 10 working days', exams.issueWithinWorkingDays, 10, 'confirmed', exam104],
];

describe('legal figures (RULES.md), pinned', () => {
  it.each(rows)('%s', (_name, figure, value, status, names) => {
    expect(figure.value).toBe(value);
    expect(figure.status).toBe(status);
    expect(figure.source).toMatch(names);
  });

  // RULES.md §C — AQ 8011-2023 nationally, and Shandong's stricter figures (seed 004) under 37.
  const day = '2026-03-01';
  const national = getPolicy('', day).figures;
  const taian = getPolicy('370902', day).figures;
  const policyRows: [string, Figure<unknown>, unknown, string, RegExp][] = [
    ['offline 学时 = 45 min', national.offlineMinutesPerHour, 45, 'confirmed', aq8011],
    ['online 学时 ≥ 30 min (national)', national.onlineMinutesPerHour, 30, 'confirmed', aq8011],
    ['online ≤ 70% of theory (national)', national.onlineTheoryShareMax, 0.7, 'confirmed', aq8011],
    ['managers ≥ 3 (national)', national.institutionManagersMin, 3, 'confirmed', aq8011],
    ['teachers ≥ 5 years of practice', national.teacherPracticeYearsMin, 5, 'confirmed', aq8011],
    ['classroom ≥ 60 trainees', national.classroomCapacityMin, 60, 'confirmed', aq8011],
    ['classroom ≥ 1.5 ㎡ each', national.classroomAreaPerTraineeM2, 1.5, 'confirmed', aq8011],
    ['premises leased ≥ 3 years', national.premisesLeaseYearsMin, 3, 'confirmed', aq8011],
    [
      'online course ≥ 45 min per 学时 (Shandong)',
      taian.onlineMinutesPerHour,
      45,
      'seed',
      shandong,
    ],
    ['online ≤ 40% of theory (Shandong)', taian.onlineTheoryShareMax, 0.4, 'seed', shandong],
    ['practical ≤ 8 学时 a day (Shandong)', taian.practicalHoursPerDayMax, 8, 'seed', shandong],
    ['≥ 5 full-time managers (Shandong)', taian.institutionManagersMin, 5, 'seed', shandong],
    ['managers full-time (Shandong)', taian.institutionManagersFullTime, true, 'seed', shandong],
    ['≥ 3 teachers (Shandong)', taian.institutionTeachersMin, 3, 'seed', shandong],
    [
      'managers and teachers separate (Shandong)',
      taian.managersAndTeachersSeparate,
      true,
      'seed',
      shandong,
    ],
    [
      'practical teacher holds the item certificate (Shandong)',
      taian.practicalTeacherNeedsItemCertificate,
      true,
      'seed',
      shandong,
    ],
    ['≥ 2 exits (Shandong)', taian.exitsMin, 2, 'seed', shandong],
  ];
  it.each(policyRows)('%s', (_name, figure, value, status, names) => {
    expect(figure.value).toBe(value);
    expect(figure.status).toBe(status);
    expect(figure.source).toMatch(names);
  });
});
