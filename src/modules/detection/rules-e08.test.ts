import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBundle } from '../../bundle/bundle.service.js';
import { getPolicy, policyValues } from '../../catalog/policy.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import { cleanInstitution, type Fixture, withExam } from '../../test-support/detection-fixtures.js';
import type { Alert } from './alerts.contract.js';
import { alertsForCli, evaluateAndStore } from './alerts.service.js';

/**
 * E08 pass rate far above the region's (issue 13 point 5): an institution whose candidates all pass
 * at one site while the rest of the city passes a quarter, with the policy's minimum sample
 * (examPassRateMinSample) of sittings; the twin has one sitting fewer than the minimum and is not
 * judged. The identical-wrong-answers statistic and its false-alarm rate are measured in
 * rules/exam-statistics.test.ts.
 */
const NOW = new Date('2026-11-30T12:00:00+08:00');

describe.each(testDatabaseModes)('detection E08 on %s', (mode) => {
  let t: TestDatabase;
  let cities: string[][] = [];
  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    const counties = (
      await t.db
        .selectFrom('region')
        .select('code')
        .where('level', '=', 3)
        .where('code', 'like', '37%')
        .orderBy('code')
        .execute()
    ).map((r) => r.code);
    const byCity = new Map<string, string[]>();
    for (const c of counties) byCity.set(c.slice(0, 4), [...(byCity.get(c.slice(0, 4)) ?? []), c]);
    cities = [...byCity.values()].filter((x) => x.length >= 2).slice(-2);
  }, 180_000);
  afterAll(() => t?.close());

  const sittings = (name: string, region: string, n: number, passes: number, serial: number) => {
    const f = withExam(
      cleanInstitution({ p: `${mode}-${name}`, region, n: 600 + serial, trainees: n }),
    );
    f.bundle.examRegistrations!.forEach((r, i) => {
      Object.assign(r, {
        status: 'checked_in',
        checkedInAt: f.at(f.bundle.examSessions![0].startsAt.slice(0, 10), '08:30'),
        result: i < passes ? 'pass' : 'fail',
        theoryScore: i < passes ? 90 : 60,
      });
    });
    return f;
  };
  const e08 = async (f: Fixture[], city: string): Promise<Alert[]> => {
    for (const x of f) await importBundle(t.db, 'system:test', x.bundle);
    await evaluateAndStore(t.db, 'system:test', { regionPrefix: city, now: NOW, rules: ['E08'] });
    return await alertsForCli(t.db, { regionPrefix: city, rules: ['E08'], since: null });
  };

  it('fires for an institution passing 20 of 20 where the rest of the city passes 5 of 20; 19 sittings are too few to judge', async () => {
    const min = policyValues(getPolicy(cities[0][0], '2026-11-30')).examPassRateMinSample;
    const [a, b] = cities[0];
    const fire = sittings('e08', a, min, min, 1);
    const rest = sittings('e08-rest', b, 20, 5, 2);
    const alerts = await e08([fire, rest], a.slice(0, 4));
    expect(alerts.map((x) => `${x.code}:${x.record.ref}`)).toEqual([
      `pass_rate_outlier:${fire.p}:site`,
    ]);
    expect(alerts[0].evidence.map((e) => e.ref)).toEqual([`${fire.p}:site`, `${fire.p}:org`]);

    const [c, d] = cities[1];
    const twin = sittings('e08-twin', c, min - 1, min - 1, 3);
    const twinRest = sittings('e08-twin-rest', d, 20, 5, 4);
    expect(await e08([twin, twinRest], c.slice(0, 4))).toEqual([]);
  });
});
