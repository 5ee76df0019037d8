import { addDays } from '../../catalog/calendar.js';
import { findOperationItem } from '../../catalog/operations.js';
import { normalizeIdNumber, validateIdNumber } from '../registry/identifiers.rules.js';
import type { Post } from '../registry/registry.contract.js';

/** A spreadsheet cell as the reader gives it (platform/xlsx.ts Cell). */
export type LedgerCell = string | number | boolean | null;

/** The template's columns, in order (the header row of the first sheet). */
export const ledgerColumns = [
  '姓名',
  '身份证号码',
  '岗位',
  '作业项目代码',
  '上岗日期',
  '离岗日期',
  '部门/车间',
  '劳务派遣单位',
  '证书编号',
] as const;
export type LedgerColumn = (typeof ledgerColumns)[number];

/** Post names as the template writes them (三项岗位人员 and the rest). */
export const postLabels: Record<Post, string> = {
  principal: '主要负责人',
  safety_director: '安全总监',
  safety_manager: '安全管理人员',
  special_operator: '特种作业人员',
  in_house_trainer: '内训师',
  general: '其他从业人员',
};
const postByLabel = new Map<string, Post>(
  Object.entries(postLabels).map(([k, v]) => [v, k as Post]),
);

export interface LedgerRow {
  excelRow: number;
  name: string;
  idNumber: string;
  post: Post;
  operationItemCode: string | null;
  startDate: string;
  endDate: string | null;
  department: string | null;
  dispatchCompany: string | null;
  certificateNumber: string | null;
}

export interface RowError {
  path: string;
  message: string;
  row: number;
  column: LedgerColumn | '文件';
}

export function cellText(c: LedgerCell | undefined): string {
  if (c === null || c === undefined) return '';
  return String(c).normalize('NFKC').trim();
}

/** Excel stores dates as serial days from 1899-12-30; people also type 2024-3-1 or 2024/03/01. */
export function cellDate(c: LedgerCell | undefined): string | null | 'invalid' {
  if (c === null || c === undefined || cellText(c) === '') return null;
  if (typeof c === 'number') {
    if (!Number.isInteger(c) || c < 1 || c > 80_000) return 'invalid';
    return addDays('1899-12-30', c);
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(cellText(c));
  if (!m) return 'invalid';
  const iso = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  return addDays(iso, 0) === iso ? iso : 'invalid';
}

/**
 * One ledger row validated on its own (the service adds what needs the database: the person file's
 * name, rows repeated in the file). Errors name the Excel row and the column.
 */
export function parseLedgerRow(
  cells: readonly LedgerCell[],
  excelRow: number,
  today: string,
): { row: LedgerRow | null; errors: RowError[] } {
  const errors: RowError[] = [];
  const err = (column: LedgerColumn, message: string) =>
    errors.push({
      path: `row ${excelRow}, ${column}`,
      message: `第${excelRow}行「${column}」：${message}`,
      row: excelRow,
      column,
    });
  const at = (c: LedgerColumn) => cells[ledgerColumns.indexOf(c)];

  const name = cellText(at('姓名'));
  if (!name) err('姓名', '必填');
  else if (name.length > 50) err('姓名', '超过50个字符');

  const idNumber = normalizeIdNumber(cellText(at('身份证号码')));
  if (!idNumber) err('身份证号码', '必填');
  else {
    const v = validateIdNumber(idNumber);
    if (!v.ok) err('身份证号码', v.message);
  }

  const postText = cellText(at('岗位'));
  const post = postByLabel.get(postText) ?? null;
  if (!postText) err('岗位', '必填');
  else if (!post) err('岗位', `应为 ${Object.values(postLabels).join(' / ')} 之一`);

  const itemText = cellText(at('作业项目代码')) || null;
  if (post === 'special_operator') {
    if (!itemText) err('作业项目代码', '特种作业人员必须填写作业项目代码（如 1.2）');
    else {
      const item = findOperationItem(itemText);
      if (!item) err('作业项目代码', `${itemText} 不在特种作业目录中`);
      else if (item.status === 'retired')
        err('作业项目代码', `${item.name} 已合并或取消，请填写现行作业项目`);
    }
  } else if (itemText && post) err('作业项目代码', '只有特种作业人员填写作业项目');

  const start = cellDate(at('上岗日期'));
  if (start === null) err('上岗日期', '必填');
  else if (start === 'invalid') err('上岗日期', '不是有效日期（如 2024-03-01）');
  else if (start > addDays(today, 366)) err('上岗日期', '晚于一年以后');
  const end = cellDate(at('离岗日期'));
  if (end === 'invalid') err('离岗日期', '不是有效日期（如 2024-03-01）');
  else if (end && typeof start === 'string' && start !== 'invalid' && end < start)
    err('离岗日期', '早于上岗日期');

  const department = cellText(at('部门/车间')) || null;
  if (department && department.length > 100) err('部门/车间', '超过100个字符');
  const dispatchCompany = cellText(at('劳务派遣单位')) || null;
  if (dispatchCompany && dispatchCompany.length > 200) err('劳务派遣单位', '超过200个字符');
  const certificateNumber = cellText(at('证书编号')).toUpperCase() || null;
  if (certificateNumber && !/^[0-9A-Z-]{4,40}$/.test(certificateNumber))
    err('证书编号', '应为4–40位字母或数字');

  if (errors.length > 0 || !post || typeof start !== 'string' || start === 'invalid')
    return { row: null, errors };
  return {
    row: {
      excelRow,
      name,
      idNumber,
      post,
      operationItemCode: post === 'special_operator' ? itemText : null,
      startDate: start,
      endDate: end === 'invalid' ? null : end,
      department,
      dispatchCompany,
      certificateNumber,
    },
    errors,
  };
}
