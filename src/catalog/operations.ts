import { type FigureStatus, SOURCES } from './figure.js';

/** 特种作业目录 (30号令 附件): categories and operation items. Codes follow the catalog's order. */
export interface OperationCategory {
  code: string;
  name: string;
  /** Industries whose special operators work in this category (for demo data and the enterprise checks). */
  highRisk: boolean;
}

export interface OperationItem {
  code: string;
  categoryCode: string;
  name: string;
  status: 'active' | 'retired';
  /** The decision that merged or retired the item; certificates issued for it still resolve. */
  retiredBy?: string;
  /** 危险化学品 items require 高中 or above (30号令 第四条). */
  requiresHighSchool: boolean;
  /** 'secondary' when the code is inferred from the catalog's order, 'unconfirmed' for category 10. */
  codeStatus: FigureStatus;
}

export const operationCategories: readonly OperationCategory[] = [
  { code: '1', name: '电工作业', highRisk: false },
  { code: '2', name: '焊接与热切割作业', highRisk: false },
  { code: '3', name: '高处作业', highRisk: false },
  { code: '4', name: '制冷与空调作业', highRisk: false },
  { code: '5', name: '煤矿安全作业', highRisk: true },
  { code: '6', name: '金属非金属矿山安全作业', highRisk: true },
  { code: '7', name: '石油天然气安全作业', highRisk: true },
  { code: '8', name: '冶金（有色）生产安全作业', highRisk: true },
  { code: '9', name: '危险化学品安全作业', highRisk: true },
  { code: '10', name: '烟花爆竹安全作业', highRisk: true },
];

function items(
  categoryCode: string,
  names: string[],
  codeStatus: FigureStatus,
  opts: { requiresHighSchool?: boolean } = {},
): OperationItem[] {
  return names.map((name, i) => ({
    code: `${categoryCode}.${i + 1}`,
    categoryCode,
    name,
    status: 'active',
    requiresHighSchool: opts.requiresHighSchool ?? false,
    codeStatus,
  }));
}

const chemicalProcesses = [
  '光气及光气化',
  '氯碱电解',
  '氯化',
  '硝化',
  '合成氨',
  '裂解（裂化）',
  '氟化',
  '加氢',
  '重氮化',
  '氧化',
  '过氧化',
  '胺基化',
  '磺化',
  '聚合',
  '烷基化',
].map((p) => `${p}工艺作业`);

export const operationItems: readonly OperationItem[] = [
  ...items('1', ['高压电工作业', '低压电工作业', '防爆电气作业'], 'confirmed'),
  ...['电力电缆作业', '继电保护作业', '电气试验作业'].map(
    (name, i): OperationItem => ({
      code: `1.${i + 4}`,
      categoryCode: '1',
      name,
      status: 'retired',
      retiredBy: SOURCES.merge2018,
      requiresHighSchool: false,
      codeStatus: 'secondary',
    }),
  ),
  ...items('2', ['熔化焊接与热切割作业', '压力焊作业', '钎焊作业'], 'confirmed'),
  ...items('3', ['登高架设作业', '高处安装、维护、拆除作业'], 'confirmed'),
  ...items('4', ['制冷与空调设备运行操作作业', '制冷与空调设备安装修理作业'], 'confirmed'),
  ...items(
    '5',
    [
      '煤矿井下电气作业',
      '煤矿井下爆破作业',
      '煤矿安全监测监控作业',
      '煤矿瓦斯检查作业',
      '煤矿安全检查作业',
      '煤矿提升机操作作业',
      '煤矿采煤机（掘进机）操作作业',
      '煤矿瓦斯抽采作业',
      '煤矿防突作业',
      '煤矿探放水作业',
    ],
    'secondary',
  ),
  ...items(
    '6',
    [
      '金属非金属矿井通风作业',
      '尾矿作业',
      '金属非金属矿山安全检查作业',
      '金属非金属矿山提升机操作作业',
      '金属非金属矿山支柱作业',
      '金属非金属矿山井下电气作业',
      '金属非金属矿山排水作业',
      '金属非金属矿山爆破作业',
    ],
    'secondary',
  ),
  ...items('7', ['司钻作业'], 'confirmed'),
  ...items('8', ['煤气作业'], 'confirmed'),
  ...items('9', [...chemicalProcesses, '化工自动化控制仪表作业'], 'secondary', {
    requiresHighSchool: true,
  }),
  ...items(
    '10',
    [
      '烟火药制造作业',
      '黑火药制造作业',
      '引火线制造作业',
      '烟花爆竹产品涉药作业',
      '烟花爆竹储存作业',
    ],
    'unconfirmed',
  ),
];

const byCode = new Map(operationItems.map((i) => [i.code, i]));

export function findOperationItem(code: string): OperationItem | undefined {
  return byCode.get(code);
}

export function listOperationItems(opts: { includeRetired?: boolean } = {}): OperationItem[] {
  return operationItems.filter((i) => opts.includeRetired || i.status === 'active');
}

/** 安全生产知识和管理能力考核合格证 categories: the post × the industry class whose hours apply. */
export const competencyCategories = [
  {
    code: 'C.principal.general',
    post: 'principal',
    highRisk: false,
    name: '主要负责人（一般行业）',
  },
  {
    code: 'C.principal.high_risk',
    post: 'principal',
    highRisk: true,
    name: '主要负责人（高危行业）',
  },
  {
    code: 'C.safety_manager.general',
    post: 'safety_manager',
    highRisk: false,
    name: '安全生产管理人员（一般行业）',
  },
  {
    code: 'C.safety_manager.high_risk',
    post: 'safety_manager',
    highRisk: true,
    name: '安全生产管理人员（高危行业）',
  },
] as const;

/**
 * Whether exams are held and certificates issued for `code`: an active special-operation item or a
 * 合格证 category — of `kind` when given (the two code spaces do not overlap).
 */
export function examinableItem(code: string, kind?: 'special_operation' | 'competency'): boolean {
  const special = findOperationItem(code)?.status === 'active';
  const competency = competencyCategories.some((c) => c.code === code);
  return kind === 'special_operation'
    ? special
    : kind === 'competency'
      ? competency
      : special || competency;
}
