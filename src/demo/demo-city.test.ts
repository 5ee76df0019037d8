import { describe, expect, it } from 'vitest';
import { BundleSchema } from '../bundle/bundle.contract.js';
import { findOperationItem } from '../catalog/operations.js';
import { getPolicy } from '../catalog/policy.js';
import {
  isValidCreditCode,
  isValidIdNumber,
  parseIdNumber,
} from '../modules/registry/identifiers.rules.js';
import { loadRegionRows, regionCode6 } from '../modules/registry/regions.data.js';
import {
  checkInstitutionRegistration,
  institutionFacts,
} from '../modules/registry/registration.rules.js';
import {
  FacilitiesSchema,
  highRiskIndustries,
  industries,
} from '../modules/registry/registry.contract.js';
import { dutyAllowedFor, separationConflicts } from '../modules/registry/staffing.rules.js';
import {
  DEMO_SITE,
  type DemoBundle,
  demoDeliberateProblems,
  generateDemoCity,
} from './demo-city.js';

const SEED = 20241012;
/** The tests pin the demo's anchor (a Wednesday); the city is placed around it. */
const DEMO_TODAY = '2026-11-18';
const ageOn = (birth: string, on = DEMO_TODAY) =>
  Number(on.slice(0, 4)) - Number(birth.slice(0, 4)) - (on.slice(5) >= birth.slice(5) ? 0 : 1);
const activeOn = (r: { startDate: string; endDate?: string | null }, on = DEMO_TODAY) =>
  r.startDate <= on && (!r.endDate || r.endDate >= on);

/** AQ 8011 findings of one institution, built from the bundle the way the registry service builds them. */
function registrationFindings(b: DemoBundle, ref: string) {
  const inst = b.organizations.find((o) => o.ref === ref)!;
  const person = new Map(b.persons.map((p) => [p.ref, p]));
  const staff = b.staff.filter((s) => s.organizationRef === ref && activeOn(s));
  const facts = institutionFacts(
    staff.map((s) => ({
      personId: s.personRef,
      name: person.get(s.personRef)!.name,
      education: person.get(s.personRef)!.education ?? null,
      duty: s.duty,
      fullTime: s.fullTime ?? true,
      laborContract: s.laborContract ?? false,
      practiceYears: s.practiceYears ?? null,
      operationItems: s.operationItems ?? [],
    })),
    FacilitiesSchema.parse(inst.facilities),
  );
  return checkInstitutionRegistration(facts, getPolicy(inst.regionCode, DEMO_TODAY));
}

describe('generateDemoCity', () => {
  const city = generateDemoCity(SEED, { anchor: DEMO_TODAY });
  const b = city.bundle;
  const org = new Map(b.organizations.map((o) => [o.ref, o]));
  const ofKind = (k: string) => b.organizations.filter((o) => o.kind === k);

  it('is deterministic: the same seed gives the same bytes, another seed another city', () => {
    expect(JSON.stringify(generateDemoCity(SEED, { anchor: DEMO_TODAY }))).toBe(
      JSON.stringify(city),
    );
    const other = generateDemoCity(SEED + 1, { anchor: DEMO_TODAY }).bundle;
    expect(other.persons.map((p) => p.idNumber)).not.toEqual(b.persons.map((p) => p.idNumber));
    expect(other.organizations.map((o) => o.name)).not.toEqual(b.organizations.map((o) => o.name));
  });

  it('is a valid v1 bundle whose refs all resolve', () => {
    expect(() => BundleSchema.parse(b)).not.toThrow();
    expect(b).toMatchObject({
      format: 'zhenxun.bundle',
      version: 1,
      generatedAt: `${DEMO_TODAY}T00:00:00+08:00`,
      source: { system: 'zhenxun-demo' },
    });
    for (const section of ['organizations', 'persons', 'staff', 'employments'] as const) {
      const refs = b[section].map((r) => r.ref);
      expect(new Set(refs).size, section).toBe(refs.length);
    }
    const persons = new Set(b.persons.map((p) => p.ref));
    for (const l of [...b.staff, ...b.employments]) {
      expect(org.has(l.organizationRef), l.ref).toBe(true);
      expect(persons.has(l.personRef), l.ref).toBe(true);
    }
    for (const o of b.organizations)
      if (o.operatorRef) expect(org.has(o.operatorRef), o.ref).toBe(true);
    // Nobody is in the file without a duty or a post.
    const linked = new Set([...b.staff, ...b.employments].map((l) => l.personRef));
    expect(b.persons.filter((p) => !linked.has(p.ref))).toEqual([]);
  });

  it('has ≥ 3,000 people with unique, valid ID numbers of working age and plausible details', () => {
    expect(b.persons).toHaveLength(3200);
    expect(
      generateDemoCity(SEED, { persons: 3500, anchor: DEMO_TODAY }).bundle.persons,
    ).toHaveLength(3500);
    const ids = b.persons.map((p) => p.idNumber);
    expect(new Set(ids).size).toBe(ids.length);
    const today = new Date(`${DEMO_TODAY}T00:00:00+08:00`);
    expect(ids.filter((id) => !isValidIdNumber(id, today))).toEqual([]);
    const ages = ids.map((id) => ageOn(parseIdNumber(id).birthDate));
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(18);
    expect(Math.max(...ages)).toBeLessThanOrEqual(60);
    const local = ids.filter((id) => id.startsWith('3709')).length;
    expect(local / ids.length).toBeGreaterThan(0.7);
    expect(local).toBeLessThan(ids.length);
    const women = ids.filter((id) => parseIdNumber(id).gender === 'female').length;
    expect(women / ids.length).toBeGreaterThan(0.2);
    expect(women / ids.length).toBeLessThan(0.5);
    expect(b.persons.every((p) => /^1[3-9]\d{9}$/.test(p.phone ?? ''))).toBe(true);
    expect(b.persons.every((p) => /^\p{Script=Han}{2,3}$/u.test(p.name))).toBe(true);
  });

  it('gives every organization a unique, valid credit code registered in its own county, in a real region', () => {
    const codes = b.organizations.map((o) => o.creditCode);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.filter((c) => !isValidCreditCode(c))).toEqual([]);
    for (const o of b.organizations)
      expect(o.creditCode.slice(2, 8), o.ref).toBe(regionCode6(o.regionCode));
    const regions = new Set(loadRegionRows().map((r) => r.code));
    expect(
      b.organizations.filter((o) => !regions.has(o.regionCode) || !o.regionCode.startsWith('3709')),
    ).toEqual([]);
  });

  it('has the organizations of the city: two levels of regulators, the authority, sites, institutions, 100+ enterprises', () => {
    const regulators = ofKind('regulator');
    expect(regulators.map((o) => o.regionCode).sort()).toEqual([
      '3709',
      '370902',
      '370911',
      '370921',
      '370923',
      '370982',
      '370983',
    ]);
    expect(regulators.find((o) => o.regionCode === '3709')?.name).toBe('泰安市应急管理局');
    expect(ofKind('exam_authority').map((o) => o.name)).toEqual(['泰安市安全生产培训考务中心']);
    const sites = ofKind('exam_site');
    expect(sites.length).toBeGreaterThanOrEqual(2);
    expect(sites.length).toBeLessThanOrEqual(3);
    expect(new Set(sites.map((s) => s.regionCode.slice(0, 6))).size).toBe(sites.length);
    const institutions = ofKind('training_institution');
    expect(institutions.length).toBeGreaterThanOrEqual(6);
    expect(institutions.length).toBeLessThanOrEqual(10);
    expect(institutions.every((i) => i.facilities && i.facilities.operationItems.length > 0)).toBe(
      true,
    );
    const enterprises = ofKind('enterprise');
    expect(enterprises.length).toBeGreaterThanOrEqual(100);
    const highRisk = enterprises.filter((e) => e.highRisk).length / enterprises.length;
    expect(highRisk).toBeGreaterThan(0.25);
    expect(highRisk).toBeLessThan(0.35);
    expect(
      enterprises.every((e) => e.highRisk === highRiskIndustries.includes(e.industry ?? '')),
    ).toBe(true);
    expect(new Set(enterprises.map((e) => e.industry))).toEqual(new Set(industries));
    expect(new Set(enterprises.map((e) => e.regionCode.slice(0, 6)))).toEqual(
      new Set(regulators.filter((r) => r.regionCode.length === 6).map((r) => r.regionCode)),
    );
    expect(enterprises.every((e) => e.scale && (e.employeeCount ?? 0) > 0)).toBe(true);
    expect(new Set(enterprises.map((e) => e.name)).size).toBe(enterprises.length);
  });

  it('gives duties only where the kind allows them, posts only at enterprises, and real operation items', () => {
    for (const s of b.staff) {
      expect(dutyAllowedFor(org.get(s.organizationRef)!.kind, s.duty), s.ref).toBe(true);
      for (const item of s.operationItems ?? [])
        expect(findOperationItem(item)?.status, `${s.ref} ${item}`).toBe('active');
    }
    for (const e of b.employments) {
      expect(org.get(e.organizationRef)!.kind, e.ref).toBe('enterprise');
      if (e.post === 'special_operator')
        expect(findOperationItem(e.operationItemCode ?? '')?.status, e.ref).toBe('active');
      else expect(e.operationItemCode, e.ref).toBeUndefined();
    }
    for (const i of ofKind('training_institution')) {
      for (const item of i.facilities!.operationItems)
        expect(findOperationItem(item)?.status, `${i.ref} ${item}`).toBe('active');
    }
  });

  it('keeps dates and people consistent: nobody starts before 18, nothing ends before it starts or after today', () => {
    const birth = new Map(b.persons.map((p) => [p.ref, parseIdNumber(p.idNumber).birthDate]));
    for (const l of [...b.staff, ...b.employments]) {
      expect(ageOn(birth.get(l.personRef)!, l.startDate), l.ref).toBeGreaterThanOrEqual(18);
      expect(l.startDate <= DEMO_TODAY, l.ref).toBe(true);
      if (l.endDate) expect(l.startDate <= l.endDate && l.endDate <= DEMO_TODAY, l.ref).toBe(true);
    }
    for (const s of b.staff) {
      if (s.practiceYears != null)
        expect(s.practiceYears, s.ref).toBeLessThanOrEqual(ageOn(birth.get(s.personRef)!) - 18);
    }
  });

  it('fits education to the post: institution managers 大专+, special operators 初中+, chemical operators 高中+', () => {
    const education = new Map(b.persons.map((p) => [p.ref, p.education]));
    const managers = b.staff.filter(
      (s) => s.duty === 'manager' && org.get(s.organizationRef)!.kind === 'training_institution',
    );
    expect(
      managers.filter(
        (s) =>
          !['associate', 'bachelor', 'master', 'doctor'].includes(education.get(s.personRef) ?? ''),
      ),
    ).toEqual([]);
    const operators = b.employments.filter((e) => e.post === 'special_operator');
    expect(
      operators.filter((e) =>
        ['primary', undefined].includes(education.get(e.personRef) ?? undefined),
      ),
    ).toEqual([]);
    const chemical = operators.filter((e) => e.operationItemCode?.startsWith('9.'));
    expect(chemical.length).toBeGreaterThan(20);
    expect(chemical.filter((e) => education.get(e.personRef) === 'junior_high')).toEqual([]);
  });

  it('has one file per person across organizations and over time', () => {
    const byPerson = new Map<string, typeof b.employments>();
    for (const e of b.employments)
      byPerson.set(e.personRef, [...(byPerson.get(e.personRef) ?? []), e]);
    const movers = [...byPerson.values()].filter((es) => {
      const ended = es.find((e) => e.endDate);
      return (
        ended &&
        es.some(
          (e) =>
            e.organizationRef !== ended.organizationRef &&
            e.startDate > ended.endDate! &&
            !e.endDate,
        )
      );
    });
    expect(movers.length).toBeGreaterThanOrEqual(20);
    // Recent hires: the last three months before the anchor.
    expect(b.employments.filter((e) => e.startDate >= '2026-08-18').length).toBeGreaterThan(20);
    expect(b.employments.filter((e) => e.endDate).length).toBeGreaterThan(50);
    // Part-time teachers who also work at an enterprise: the same person record in both.
    const employed = new Set(b.employments.map((e) => e.personRef));
    const partTimers = b.staff.filter(
      (s) => s.duty === 'teacher' && s.fullTime === false && !s.endDate,
    );
    expect(partTimers.length).toBeGreaterThan(0);
    expect(partTimers.every((s) => employed.has(s.personRef))).toBe(true);
  });

  it('keeps 培考分离 in the staff data; the only 培考不分 is the exam site run by an institution', () => {
    const byPerson = new Map<string, typeof b.staff>();
    for (const s of b.staff) byPerson.set(s.personRef, [...(byPerson.get(s.personRef) ?? []), s]);
    const conflicts: string[] = [];
    for (const assignments of byPerson.values()) {
      for (const a of assignments) {
        const overlapping = assignments.filter(
          (o) =>
            o !== a &&
            o.organizationRef !== a.organizationRef &&
            o.startDate <= (a.endDate ?? '9999') &&
            a.startDate <= (o.endDate ?? '9999'),
        );
        const found = separationConflicts(
          { kind: org.get(a.organizationRef)!.kind, duty: a.duty },
          overlapping.map((o) => ({
            kind: org.get(o.organizationRef)!.kind,
            duty: o.duty,
            organizationName: org.get(o.organizationRef)!.name,
          })),
        );
        if (found.length > 0) conflicts.push(a.ref);
      }
    }
    expect(conflicts).toEqual([]);
    // The teacher who became an examiner after leaving is there, and is not a conflict.
    const sequential = [...byPerson.values()].filter(
      (as) =>
        as.some((s) => s.duty === 'teacher' && s.endDate) && as.some((s) => s.duty === 'examiner'),
    );
    expect(sequential).toHaveLength(1);
    const operated = ofKind('exam_site').filter((s) => s.operatorRef);
    expect(operated.map((s) => [s.ref, org.get(s.operatorRef!)!.kind])).toEqual([
      ['org:site:ningyang', 'training_institution'],
    ]);
  });

  it('fails AQ 8011 exactly where intended, each institution the way seed 004 describes, under the Shandong policy', () => {
    const intended = demoDeliberateProblems.filter((p) => p.rule === 'T10');
    expect(getPolicy('370911003', DEMO_TODAY).applied.map((p) => p.id)).toContain('shandong-2024');
    const results = ofKind('training_institution').map((i) => ({
      ref: i.ref,
      findings: registrationFindings(b, i.ref),
    }));
    const failing = results.filter((r) => r.findings.some((f) => f.severity === 'blocking'));
    expect(failing.map((r) => r.ref).sort()).toEqual(intended.map((p) => p.ref).sort());
    for (const p of intended) {
      const codes = new Set(results.find((r) => r.ref === p.ref)!.findings.map((f) => f.code));
      expect([...codes].sort(), p.ref).toEqual([...p.findings].sort());
    }
    // The others are clean: not even a warning.
    for (const r of results.filter((x) => !intended.some((p) => p.ref === x.ref)))
      expect(r.findings, r.ref).toEqual([]);
    // Each failing institution shows its problem in the records, not just in the verdict.
    const daiyue = registrationFindings(b, 'org:institution:daiyue');
    expect(daiyue.find((f) => f.code === 'managers_too_few')).toMatchObject({
      expected: 5,
      actual: 3,
    });
    const feicheng = registrationFindings(b, 'org:institution:feicheng');
    expect(feicheng.find((f) => f.code === 'teacher_lacks_item_certificate')?.subject?.id).toBe(
      '2.1',
    );
    expect(
      feicheng.filter((f) => f.code === 'teacher_practice_too_short').map((f) => f.actual),
    ).toEqual([3, 3]);
    expect(org.get('org:institution:daizong')!.facilities).toMatchObject({
      exits: 1,
      faceTerminals: 0,
      camerasByRoom: { 实操大厅: 1 },
    });
    // Staff who left are not counted: the teacher with 4 years who left before AQ 8011 applied.
    expect(
      b.staff.some(
        (s) =>
          s.organizationRef === 'org:institution:taishan' && s.practiceYears === 4 && s.endDate,
      ),
    ).toBe(true);
  });

  it('has one suspended institution with its decision', () => {
    const suspended = b.organizations.filter((o) => o.status === 'suspended');
    expect(suspended.map((o) => [o.ref, o.statusDecision])).toEqual([
      ['org:institution:wenhe', '泰应急罚〔2024〕17号 停业整顿'],
    ]);
  });

  it('has one account per role, pointing at the right records, the same for every seed and size', () => {
    const a = new Map(city.accounts.map((x) => [x.username, x]));
    expect([...a.keys()]).toEqual([
      'regulator',
      'county',
      'inspector',
      'exam',
      'site',
      'invigilator',
      'examiner',
      'school',
      'school2',
      'company',
      'worker',
    ]);
    expect(
      city.accounts.every(
        (x) =>
          x.password === 'zhenxun2024' && x.roles.includes(x.role) && x.description.length > 10,
      ),
    ).toBe(true);
    for (const x of city.accounts) {
      if (x.organizationRef) expect(org.has(x.organizationRef), x.username).toBe(true);
      if (x.personRef)
        expect(
          b.persons.some((p) => p.ref === x.personRef),
          x.username,
        ).toBe(true);
    }
    expect(a.get('regulator')).toMatchObject({
      roles: ['regulator', 'admin'],
      organizationRef: 'org:regulator:3709',
    });
    expect(org.get(a.get('county')!.organizationRef!)).toMatchObject({
      name: '泰安市泰山区应急管理局',
      regionCode: '370902',
    });
    const inspector = a.get('inspector')!;
    expect(
      b.staff.some(
        (s) =>
          s.personRef === inspector.personRef &&
          s.organizationRef === inspector.organizationRef &&
          s.duty === 'inspector',
      ),
    ).toBe(true);
    expect(org.get(a.get('exam')!.organizationRef!)!.kind).toBe('exam_authority');
    expect(org.get(a.get('site')!.organizationRef!)!.kind).toBe('exam_site');
    // The site's invigilator and examiner accounts are people on duty there; the examiner examines the demo session's item.
    for (const [username, duty] of [
      ['invigilator', 'invigilator'],
      ['examiner', 'examiner'],
    ] as const) {
      const x = a.get(username)!;
      expect(x.organizationRef).toBe(a.get('site')!.organizationRef);
      const duties = b.staff.filter((s) => s.personRef === x.personRef);
      expect(
        duties.map((s) => [s.organizationRef, s.duty]),
        username,
      ).toEqual([[x.organizationRef, duty]]);
    }
    expect(
      b.staff.find((s) => s.personRef === a.get('examiner')!.personRef)!.operationItems,
    ).toContain(DEMO_SITE.examinerItem);
    expect(
      registrationFindings(b, a.get('school')!.organizationRef!).some(
        (f) => f.severity === 'blocking',
      ),
    ).toBe(true);
    expect(registrationFindings(b, a.get('school2')!.organizationRef!)).toEqual([]);
    const company = org.get(a.get('company')!.organizationRef!)!;
    expect(company).toMatchObject({ kind: 'enterprise', highRisk: true });
    const worker = a.get('worker')!;
    expect(worker.organizationRef).toBeNull();
    expect(
      b.employments.some(
        (e) =>
          e.personRef === worker.personRef &&
          e.organizationRef === company.ref &&
          e.post === 'special_operator' &&
          !e.endDate,
      ),
    ).toBe(true);
    expect(b.persons.find((p) => p.ref === worker.personRef)!.name).toBe(worker.displayName);
    // The login screen lists the accounts before any city exists: they must not depend on the seed.
    expect(generateDemoCity(7, { persons: 0 }).accounts).toEqual(city.accounts);
  });
});
