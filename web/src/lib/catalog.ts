import { findOperationItem } from '../../../src/catalog/operations.js';

/** "1.2 低压电工作业" — the code alone means nothing to a clerk. */
export function itemLabel(code: string | null | undefined): string {
  if (!code) return '';
  const item = findOperationItem(code);
  return item ? `${item.name}` : code;
}
