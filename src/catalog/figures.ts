import { type Figure, fig, SOURCES } from './figure.js';
import { catalogLabels, type Label } from './labels.js';
import { competencyCategories, findOperationItem, operationCategories } from './operations.js';

/**
 * The regulation figures that are not jurisdiction policy parameters (those live in policy.ts):
 * syllabus, enterprise training hours, exam and certificate rules. Rules read them from here — a
 * figure is never retyped in code. The confirmed legal figures are pinned separately by
 * legal-figures.test.ts, typed from RULES.md, so a changed figure fails there until the law says so.
 */

/** Enterprise training hours, 3号令 and 安委〔2012〕10号 (RULES.md §B). */
export const enterpriseHours = {
  managerInitialGeneral: fig(32, `${SOURCES.order3} 第九条`, 'confirmed', { unit: '学时' }),
  managerInitialHighRisk: fig(48, `${SOURCES.order3} 第九条第二款`, 'confirmed', { unit: '学时' }),
  managerAnnualGeneral: fig(12, `${SOURCES.order3} 第九条`, 'confirmed', { unit: '学时' }),
  managerAnnualHighRisk: fig(16, `${SOURCES.order3} 第九条第二款`, 'confirmed', { unit: '学时' }),
  managerCertifyWithinMonths: fig(6, `${SOURCES.order3}; 安全生产法`, 'confirmed', {
    unit: '月',
    note: '高危行业主要负责人/安全管理人员在岗6个月内取得合格证',
  }),
  newHireGeneral: fig(24, `${SOURCES.order3} 第十三条`, 'confirmed', { unit: '学时' }),
  newHireConstruction: fig(32, SOURCES.anwei2012, 'confirmed', { unit: '学时' }),
  newHireHighRisk: fig(72, `${SOURCES.order3} 第十三条第二款`, 'confirmed', { unit: '学时' }),
  employeeAnnualGeneral: fig(8, SOURCES.anwei2012, 'confirmed', { unit: '学时' }),
  employeeAnnualHighRisk: fig(20, SOURCES.anwei2012, 'confirmed', { unit: '学时' }),
  returnAfterAbsenceYears: fig(1, `${SOURCES.order3} 第十五条`, 'confirmed', {
    unit: '年',
    note: '调岗或离岗一年以上重新上岗：车间、班组级再教育',
  }),
  inHouseTrainerPermilleGeneral: fig(3, SOURCES.seed003, 'seed', { unit: '‰' }),
  inHouseTrainerPermilleHighRisk: fig(5, SOURCES.seed003, 'seed', { unit: '‰' }),
  inHouseTrainerMinHighRisk: fig(3, SOURCES.seed003, 'seed', { unit: '人' }),
  apprenticeshipMonths: fig(2, '《安全生产培训管理办法》(44号令 2012年文本)', 'confirmed', {
    unit: '月',
  }),
} satisfies Record<string, Figure<number>>;

/**
 * How the enterprise obligations (RULES.md §B) are judged where the regulation names no figure: our
 * choices, kept here with the reason so a regulator sees and can change them.
 */
export const enterpriseObligations = {
  dueSoonDays: fig(30, '平台提醒口径（法规未规定提前提醒天数）', 'unconfirmed', {
    unit: '日',
    note: '到期前30日内未完成的义务显示为“即将到期”并提醒',
  }),
  preJobJudgedWithinMonths: fig(12, '平台判定口径（台账导入的历史聘用）', 'unconfirmed', {
    unit: '月',
    note: '上岗前培训、三级安全教育只对近12个月内上岗（含调岗、复岗）的人员判定；更早上岗的人员由年度再培训覆盖，平台上没有其当年的岗前记录不等于未培训',
  }),
  annualPlanDueMonthDay: fig('01-31', `${SOURCES.order3}（年度安全培训计划）`, 'unconfirmed', {
    note: '每年1月31日前应有当年的年度安全培训计划（法规未规定具体日期）',
  }),
  trainerRatioGeneralScales: fig(['medium', 'large'], SOURCES.seed003, 'seed', {
    note: '一般行业内训师不少于3‰只适用于规模以上企业：以企业规模“中型”“大型”认定',
  }),
  threeLevelIndustries: fig(
    [
      'coal_mining',
      'non_coal_mining',
      'hazardous_chemicals',
      'fireworks',
      'metal_smelting',
      'construction',
      'manufacturing',
    ],
    `${SOURCES.order3} 第十三条（加工、制造业等生产单位）`,
    'secondary',
    {
      note: '三级安全教育（厂/公司、车间、班组）适用于加工、制造业等生产单位；高危行业与建筑业一并适用',
    },
  ),
} as const;

/** 三级安全教育: the three levels in order (RULES.md §B); job change or return → workshop + team again. */
export const threeLevels = [
  'three_level_company',
  'three_level_workshop',
  'three_level_team',
] as const;
export const threeLevelsAgain = ['three_level_workshop', 'three_level_team'] as const;

/** Special-operation rules, 30号令 (RULES.md §A). */
export const specialOperation = {
  minAge: fig(18, `${SOURCES.order30} 第四条`, 'confirmed', { unit: '岁' }),
  examWithinDays: fig(60, `${SOURCES.order30} 第十二条`, 'confirmed', { unit: '日' }),
  retakes: fig(1, `${SOURCES.order30} 第十四条`, 'confirmed', { unit: '次' }),
  resultsWithinWorkingDays: fig(10, `${SOURCES.order30} 第十五条`, 'confirmed', { unit: '工作日' }),
  certificateValidityYears: fig(6, `${SOURCES.order30} 第十九条`, 'confirmed', { unit: '年' }),
  reviewEveryYears: fig(3, `${SOURCES.order30} 第二十一条`, 'confirmed', { unit: '年' }),
  reviewWindowDays: fig(60, `${SOURCES.order30} 第二十一条`, 'confirmed', { unit: '日' }),
  extendedReviewAfterYears: fig(10, `${SOURCES.order30} 第二十一条`, 'confirmed', { unit: '年' }),
  extendedReviewEveryYears: fig(6, `${SOURCES.order30} 第二十一条`, 'confirmed', { unit: '年' }),
  reviewTrainingHours: fig(8, `${SOURCES.order30} 第二十三条`, 'confirmed', { unit: '学时' }),
  banAfterRevocationYears: fig(3, `${SOURCES.order30} 第四十条`, 'confirmed', { unit: '年' }),
  awayFromPostMonths: fig(6, `${SOURCES.order30} 第三十一条`, 'confirmed', {
    unit: '月',
    note: '离开特种作业岗位6个月以上，重新进行实际操作考试',
  }),
} satisfies Record<string, Figure<number>>;

/** Exams, 安监总培训〔2013〕104号 (RULES.md §D). */
export const exams = {
  theoryMinutes: fig(120, SOURCES.exam104, 'confirmed', { unit: '分钟' }),
  fullMarks: fig(100, SOURCES.exam104, 'confirmed', { unit: '分' }),
  passMark: fig(80, SOURCES.exam104, 'confirmed', { unit: '分' }),
  practicalPassMark: fig(80, SOURCES.exam104, 'confirmed', { unit: '分' }),
  scoreValidMonths: fig(12, SOURCES.exam104, 'confirmed', { unit: '月' }),
  videoRetentionYears: fig(3, SOURCES.exam104, 'confirmed', { unit: '年' }),
  competencyCertificateYears: fig(3, SOURCES.exam104, 'confirmed', { unit: '年' }),
  competencyExtendDaysBefore: fig(30, SOURCES.exam104, 'confirmed', { unit: '日' }),
  issueWithinWorkingDays: fig(10, SOURCES.exam104, 'confirmed', { unit: '工作日' }),
} satisfies Record<string, Figure<number>>;

export const certificateNumberRule = fig(
  'T + 居民身份证号码',
  `${SOURCES.order30}（实施口径）`,
  'secondary',
);

/**
 * Syllabus hours per operation item (initial training). The published 培训大纲 per item were not
 * available to us (rules-research.md): the defaults below are unconfirmed parameters a regulator
 * corrects; the review (复审) figure is confirmed.
 */
export interface SyllabusHours {
  theory: Figure<number>;
  practical: Figure<number>;
}
const syllabusDefaultSource =
  '特种作业安全技术培训大纲（大纲原文未取得，暂用平台默认学时，由省级应急管理部门发布的大纲版本为准）';
const unconfirmedSyllabus = (theory: number, practical: number): SyllabusHours => ({
  theory: fig(theory, syllabusDefaultSource, 'unconfirmed', { unit: '学时' }),
  practical: fig(practical, syllabusDefaultSource, 'unconfirmed', { unit: '学时' }),
});
const byCategory: Record<string, SyllabusHours> = {
  '1': unconfirmedSyllabus(48, 32),
  '2': unconfirmedSyllabus(48, 32),
  '3': unconfirmedSyllabus(40, 32),
  '4': unconfirmedSyllabus(40, 24),
  '5': unconfirmedSyllabus(60, 40),
  '6': unconfirmedSyllabus(60, 40),
  '7': unconfirmedSyllabus(48, 32),
  '8': unconfirmedSyllabus(48, 32),
  '9': unconfirmedSyllabus(56, 24),
  '10': unconfirmedSyllabus(40, 24),
};

export function initialSyllabus(operationItemCode: string): SyllabusHours | undefined {
  return byCategory[operationItemCode.split('.')[0]];
}

const noPractical = fig(0, '该类培训只有理论学时，没有实际操作学时', 'confirmed', { unit: '学时' });

/**
 * The syllabus a class of this item and kind is held to, or why that kind does not exist for it:
 * special operations have initial training and 复审 training (30号令 第二十三条, theory); the
 * 合格证 of principals and safety managers have initial and annual re-training (3号令 第九条).
 */
export function syllabusFor(
  code: string,
  kind: 'initial' | 'refresher' | 'review',
): SyllabusHours | { refused: string } {
  const competency = competencyCategories.find((c) => c.code === code);
  if (competency) {
    const high = competency.highRisk;
    if (kind === 'initial')
      return {
        theory: high
          ? enterpriseHours.managerInitialHighRisk
          : enterpriseHours.managerInitialGeneral,
        practical: noPractical,
      };
    if (kind === 'refresher')
      return {
        theory: high ? enterpriseHours.managerAnnualHighRisk : enterpriseHours.managerAnnualGeneral,
        practical: noPractical,
      };
    return { refused: '安全生产知识和管理能力考核合格证没有复审培训，应选择再培训' };
  }
  const item = findOperationItem(code);
  if (!item) return { refused: `未知的作业类别或合格证类别：${code}` };
  if (item.status === 'retired') return { refused: `${item.name} 已被合并或取消，不再开班` };
  if (kind === 'review')
    return { theory: specialOperation.reviewTrainingHours, practical: noPractical };
  if (kind === 'refresher') return { refused: '特种作业没有年度再培训，复审培训应选择复审' };
  const s = initialSyllabus(code);
  return s ?? { refused: `${item.name} 没有培训大纲` };
}

/**
 * Which training qualifies for which exam. A first certification exam (取证考试) needs the item's
 * initial training (初训, the full syllabus of theory and practice); 8 学时 of 复审培训 qualify only for the
 * review (复审) of a certificate already held, never for a first exam; the annual re-training (再培训) of
 * principals and safety managers is training, not a way into the 合格证 exam.
 */
export type ExamKind = 'initial' | 'review';
export const examTrainingKinds: Record<
  'special_operation' | 'competency',
  Partial<
    Record<ExamKind, { kinds: readonly ('initial' | 'review' | 'refresher')[]; source: string }>
  >
> = {
  special_operation: {
    initial: {
      kinds: ['initial'],
      source: `${SOURCES.order30} 第九条（经安全技术理论培训和实际操作培训）`,
    },
    review: {
      kinds: ['review'],
      source: `${SOURCES.order30} 第二十三条（复审培训不少于8个学时）`,
    },
  },
  competency: {
    initial: { kinds: ['initial'], source: `${SOURCES.order3} 第九条` },
  },
};

/** What a regulator calls a catalog figure (syllabus hours are named by their category). */
export function catalogLabel(group: string, key: string): Label | undefined {
  const syllabus = group === 'syllabus' && key.match(/^category(\d+)\.initial(Theory|Practical)$/);
  if (syllabus) {
    const category = operationCategories.find((c) => c.code === syllabus[1]);
    if (!category) return undefined;
    const theory = syllabus[2] === 'Theory';
    return {
      zh: `${category.name}初训${theory ? '理论' : '实际操作'}学时（大纲）`,
      en: `Initial training in category ${category.code}: ${theory ? 'theory' : 'practical'} hours`,
    };
  }
  return catalogLabels[`${group}.${key}`];
}

/** Everything above as one list for the API and the policy screen. */
export function listCatalogFigures(): {
  group: string;
  key: string;
  label: Label | undefined;
  figure: Figure<unknown>;
}[] {
  const groups: [string, Record<string, Figure<unknown>>][] = [
    ['enterprise', enterpriseHours],
    ['special_operation', specialOperation],
    ['exams', exams],
  ];
  const out = groups.flatMap(([group, figures]) =>
    Object.entries(figures).map(([key, figure]) => ({ group, key, figure })),
  );
  for (const [key, figure] of Object.entries(enterpriseObligations))
    out.push({ group: 'enterprise_obligations', key, figure: figure as Figure<unknown> });
  out.push({ group: 'certificates', key: 'certificateNumberRule', figure: certificateNumberRule });
  for (const [category, s] of Object.entries(byCategory)) {
    out.push(
      { group: 'syllabus', key: `category${category}.initialTheory`, figure: s.theory },
      { group: 'syllabus', key: `category${category}.initialPractical`, figure: s.practical },
    );
  }
  return out.map((r) => ({ ...r, label: catalogLabel(r.group, r.key) }));
}
