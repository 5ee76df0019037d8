import { competencyCategories, findOperationItem } from '../../../src/catalog/operations.js';

/** "1.2 低压电工作业" — the code alone means nothing to a clerk. */
export function itemLabel(code: string | null | undefined): string {
  if (!code) return '';
  const item = findOperationItem(code);
  if (item) return item.name;
  // Classes for 主要负责人 / 安全生产管理人员 carry a competency category code instead of an item.
  return competencyCategories.find((c) => c.code === code)?.name ?? code;
}
