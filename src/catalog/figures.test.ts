import { describe, expect, it } from 'vitest';
import { figureStatuses } from './figure.js';
import { initialSyllabus, listCatalogFigures } from './figures.js';
import { findOperationItem, listOperationItems } from './operations.js';

describe('regulation catalog', () => {
  it('gives every figure a source and one of the RULES.md statuses', () => {
    const figures = listCatalogFigures();
    expect(figures.length).toBeGreaterThan(30);
    for (const { group, key, figure } of figures) {
      expect(figure.source.length, `${group}.${key}`).toBeGreaterThan(5);
      expect(figureStatuses, `${group}.${key}`).toContain(figure.status);
    }
  });

  it('has syllabus hours for every active operation item', () => {
    for (const item of listOperationItems())
      expect(initialSyllabus(item.code), item.code).toBeDefined();
  });

  it('keeps merged electrical items resolvable for old certificates but not offered for new training', () => {
    const retired = listOperationItems({ includeRetired: true }).filter(
      (i) => i.status === 'retired',
    );
    expect(retired.map((i) => i.name)).toEqual(['电力电缆作业', '继电保护作业', '电气试验作业']);
    for (const r of retired) {
      expect(findOperationItem(r.code)?.retiredBy).toBeTruthy();
      expect(listOperationItems().some((i) => i.code === r.code)).toBe(false);
    }
    expect(
      listOperationItems()
        .filter((i) => i.categoryCode === '9')
        .every((i) => i.requiresHighSchool),
    ).toBe(true);
  });
});
