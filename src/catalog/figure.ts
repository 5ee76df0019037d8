/**
 * Every regulation figure carries where it comes from (RULES.md "Design consequences" 1):
 * confirmed — article text or an official reading; secondary — one non-official or local source;
 * seed — stated in a seed document as the rule an inspection applied; unconfirmed — a policy
 * parameter a regulator sets; pending_19 — a 30号令 figure continued from 2026-06-01 until checked
 * against 应急管理部令第19号.
 */
export const figureStatuses = [
  'confirmed',
  'secondary',
  'seed',
  'unconfirmed',
  'pending_19',
] as const;
export type FigureStatus = (typeof figureStatuses)[number];

export interface Figure<T> {
  value: T;
  unit?: string;
  source: string;
  status: FigureStatus;
  note?: string;
}

export function fig<T>(
  value: T,
  source: string,
  status: FigureStatus,
  extra: { unit?: string; note?: string } = {},
): Figure<T> {
  return { value, source, status, ...extra };
}

export const SOURCES = {
  order30: '《特种作业人员安全技术培训考核管理规定》(原安监总局令第30号，经63号令、80号令修正)',
  order3: '《生产经营单位安全培训规定》(原安监总局令第3号，经63号令、80号令修正)',
  anwei2012: '国务院安委会《关于进一步加强安全培训工作的决定》(安委〔2012〕10号)',
  aq8011: 'AQ 8011-2023《安全生产培训机构基本条件》(2024-07-01起强制执行)',
  exam104: '《安全生产资格考试与证书管理暂行办法》(安监总培训〔2013〕104号)',
  seed000: '媒体调查《如何挤干安全生产培训里的“水分”？》（安全生产资格证书涉假专项治理典型案例）',
  seed001: '重庆市渝北区安委会办公室《关于开展安全生产培训“走过场”专项整治工作的通知》',
  seed002:
    '福建省应急管理厅办公室转发《应急管理部办公厅关于安全生产培训“走过场”专项整治工作情况通报》（闽应急厅办〔2023〕18号）',
  seed004:
    '山东省应急管理厅《关于做好安全生产培训考核专项执法和督导检查发现问题对照检查的通知》（泰安市应急管理局2024年10月15日转发）',
  seed003: '济宁市、山东省全员安全培训有关规定',
  merge2018: '安监总人事〔2018〕18号（电工作业项目合并）',
  order44: '《安全生产培训管理办法》(原安监总局令第44号)',
  jiangxi2024: '江西省线上安全培训管理规定 (2024)',
} as const;
