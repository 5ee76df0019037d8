import { describe, expect, it } from 'vitest';
import {
  builtinPolicyProfiles,
  getPolicy,
  type PolicyProfile,
  PolicyProfileSchema,
  resolvePolicy,
} from './policy.js';

const shandong = builtinPolicyProfiles.find((p) => p.id === 'shandong-2024')!;
const national = builtinPolicyProfiles.find((p) => p.id === 'national-30')!;

describe('resolvePolicy', () => {
  it("applies Shandong's stricter figures under 37 from its effective date, and only there", () => {
    const taishan = getPolicy('370902', '2024-11-01');
    expect(taishan.figures.onlineTheoryShareMax.value).toBe(
      shandong.figures.onlineTheoryShareMax!.value,
    );
    expect(taishan.figures.onlineTheoryShareMax.fromProfile).toBe('shandong-2024');
    expect(taishan.figures.teacherPracticeYearsMin.fromProfile).toBe('national-30');
    expect(taishan.applied.map((a) => a.id)).toEqual(['national-30', 'shandong-2024']);

    const before = getPolicy('370902', '2024-01-01');
    expect(before.figures.onlineTheoryShareMax.value).toBe(
      national.figures.onlineTheoryShareMax!.value,
    );
    const guangdong = getPolicy('440106', '2025-03-01');
    expect(guangdong.figures.onlineTheoryShareMax.value).toBe(
      national.figures.onlineTheoryShareMax!.value,
    );
    expect(guangdong.applied.map((a) => a.id)).toEqual(['national-30']);
  });

  it('marks the 30号令 figures pending verification from 2026-06-01', () => {
    const after = getPolicy('440106', '2026-06-01');
    expect(after.figures.teacherPracticeYearsMin.value).toBe(
      national.figures.teacherPracticeYearsMin!.value,
    );
    expect(after.figures.teacherPracticeYearsMin.status).toBe('pending_19');
    expect(after.figures.faceCheckIntervalMinutes.status).toBe('unconfirmed');
  });

  it('lets a later version of a jurisdiction supersede, and a city override its province', () => {
    const cityVersion: PolicyProfile = {
      id: 'taian-2026',
      regionCode: '3709',
      version: '泰安 2026',
      effectiveFrom: '2026-01-01',
      source: 'test',
      figures: { practicalHoursPerDayMax: { value: 6, source: 'test', status: 'seed' } },
    };
    const p = resolvePolicy([...builtinPolicyProfiles, cityVersion], '370902', '2026-02-01');
    expect(p.figures.practicalHoursPerDayMax).toMatchObject({
      value: 6,
      fromProfile: 'taian-2026',
    });
    expect(p.figures.exitsMin.fromProfile).toBe('shandong-2024');
    expect(
      resolvePolicy([...builtinPolicyProfiles, cityVersion], '370102', '2026-02-01').figures
        .practicalHoursPerDayMax.fromProfile,
    ).toBe('shandong-2024');
  });

  it('gives every figure a source and a status', () => {
    for (const profile of builtinPolicyProfiles) {
      for (const [key, f] of Object.entries(profile.figures)) {
        expect(f?.source.length, `${profile.id}.${key}`).toBeGreaterThan(2);
        expect(['confirmed', 'secondary', 'seed', 'unconfirmed', 'pending_19']).toContain(
          f?.status,
        );
      }
    }
  });

  it('validates a posted profile key by key', () => {
    expect(PolicyProfileSchema.safeParse({ ...shandong, id: 'sd-2025' }).success).toBe(true);
    const bad = PolicyProfileSchema.safeParse({
      ...shandong,
      id: 'sd-2025',
      figures: {
        onlineTheoryShareMax: { value: 1.4, source: 'x', status: 'seed' },
        madeUp: { value: 1 },
      },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths.some((p) => p.startsWith('figures.onlineTheoryShareMax'))).toBe(true);
    expect(bad.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });
});
