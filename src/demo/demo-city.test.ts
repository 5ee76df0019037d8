import { describe, expect, it } from 'vitest';
import { getPolicy } from '../catalog/policy.js';
import { BundleSchema } from '../bundle/bundle.contract.js';
import { isValidCreditCode, isValidIdNumber } from '../modules/registry/identifiers.rules.js';
import { checkInstitutionRegistration } from '../modules/registry/registration.rules.js';
import { generateDemoCity } from './demo-city.js';

describe('generateDemoCity', () => {
  const first = generateDemoCity(20241012);

  it('is deterministic: the same seed gives the same city, another seed another one', () => {
    expect(JSON.stringify(generateDemoCity(20241012))).toBe(JSON.stringify(first));
    expect(JSON.stringify(generateDemoCity(1).bundle.persons)).not.toBe(JSON.stringify(first.bundle.persons));
  });

  it('is a valid bundle with unique, checksum-valid identifiers and no dangling refs', () => {
    const b = BundleSchema.parse(first.bundle);
    const ids = b.persons!.map((p) => p.idNumber);
    expect(ids.length).toBeGreaterThanOrEqual(3000);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => isValidIdNumber(id, new Date('2026-11-01T00:00:00Z')))).toBe(true);
    const codes = b.organizations!.map((o) => o.creditCode);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every(isValidCreditCode)).toBe(true);
    const orgRefs = new Set(b.organizations!.map((o) => o.ref));
    const personRefs = new Set(b.persons!.map((p) => p.ref));
    for (const l of [...b.staff!, ...b.employments!]) {
      expect(orgRefs.has(l.organizationRef), l.ref).toBe(true);
      expect(personRefs.has(l.personRef), l.ref).toBe(true);
    }
    for (const a of first.accounts) {
      if (a.organizationRef) expect(orgRefs.has(a.organizationRef), a.username).toBe(true);
      if (a.personRef) expect(personRefs.has(a.personRef), a.username).toBe(true);
    }
  });

  it('has the city the issue asks for: regulators at two levels, an authority, sites, institutions, 100+ enterprises', () => {
    const byKind = (k: string) => first.bundle.organizations!.filter((o) => o.kind === k);
    expect(byKind('regulator').map((o) => o.regionCode.length)).toEqual(expect.arrayContaining([4, 6]));
    expect(byKind('exam_authority')).toHaveLength(1);
    expect(byKind('exam_site').length).toBeGreaterThanOrEqual(2);
    expect(byKind('exam_site').length).toBeLessThanOrEqual(3);
    expect(byKind('training_institution').length).toBeGreaterThanOrEqual(6);
    expect(byKind('training_institution').length).toBeLessThanOrEqual(10);
    const enterprises = byKind('enterprise');
    expect(enterprises.length).toBeGreaterThanOrEqual(100);
    expect(enterprises.filter((e) => e.highRisk).length).toBeGreaterThan(10);
    expect(new Set(enterprises.map((e) => e.industry)).size).toBeGreaterThan(6);
    expect(first.accounts.map((a) => a.role)).toEqual(expect.arrayContaining(['regulator', 'inspector', 'exam_authority', 'exam_site', 'training_institution', 'enterprise', 'worker']));
  });

  it('has exactly the three institutions that fail AQ 8011 on purpose, under the policy in force', () => {
    const b = first.bundle;
    const failing: string[] = [];
    for (const inst of b.organizations!.filter((o) => o.kind === 'training_institution')) {
      const staff = b.staff!.filter((s) => s.organizationRef === inst.ref);
      const person = (ref: string) => b.persons!.find((p) => p.ref === ref)!;
      const f = inst.facilities!;
      const findings = checkInstitutionRegistration(
        {
          managers: staff.filter((s) => s.duty === 'manager').map((s) => ({ personId: s.personRef, name: person(s.personRef).name, education: person(s.personRef).education ?? 'unknown', fullTime: s.fullTime ?? true, laborContract: s.laborContract ?? false })),
          teachers: staff.filter((s) => s.duty === 'teacher').map((s) => ({ personId: s.personRef, name: person(s.personRef).name, fullTime: s.fullTime ?? true, laborContract: s.laborContract ?? false, practiceYears: s.practiceYears ?? 0, certificateItems: s.operationItems ?? [], teachesItems: s.operationItems ?? [] })),
          facilities: { premises: f.premises!, classrooms: f.classrooms, exits: f.exits ?? 0, faceTerminals: f.faceTerminals ?? 0, camerasByRoom: f.camerasByRoom, archiveRoom: f.archiveRoom ?? false, practicalAreas: f.practicalAreas },
          operationItems: f.operationItems,
        },
        getPolicy(inst.regionCode, '2026-11-01'),
      );
      if (findings.some((x) => x.severity === 'blocking')) failing.push(inst.ref);
    }
    expect(failing.sort()).toEqual(['org:institution:daiyue', 'org:institution:dongping', 'org:institution:feicheng']);
  });
});
