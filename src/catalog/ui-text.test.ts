import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkInstitutionRegistration,
  institutionFacts,
} from '../modules/registry/registration.rules.js';
import { FacilitiesSchema } from '../modules/registry/registry.contract.js';
import { lessonRules } from '../modules/training/classes.rules.js';
import type { App } from '../platform/http/routing.js';
import { buildTestApp } from '../test-support/app.js';
import { createTestDatabase, type TestDatabase } from '../test-support/db.js';
import { buildUser, loginCookie } from '../test-support/factories.js';
import { catalogLabel, listCatalogFigures, syllabusFor } from './figures.js';
import { detectionRules, findingSeverityNames } from './findings.js';
import { policyLabels } from './labels.js';
import { builtinPolicyProfiles, getPolicy, type PolicyKey } from './policy.js';

/**
 * Issue 11 point 3: what the catalog and the API hand to a Chinese screen is the product's Chinese —
 * display names and legal basis in a regulator's words, never code names (camelCase, snake_case),
 * file names, "seed 004", "(pending)" or English-only text.
 */
const developerText: [string, RegExp][] = [
  ['camelCase', /[a-z][A-Z][a-z]/],
  ['snake_case', /\b[a-z]+_[a-z_]+\b/],
  ['a seed number', /seed\s*0/i],
  ['a file name', /\b[\w-]+\.(md|ts|tsx|js|mjs|json|csv)\b/],
  ['pending', /pending/i],
];

/** Every problem of one user-facing string shown under zh. */
function problemsOf(where: string, text: string | undefined | null): string[] {
  if (text === undefined || text === null) return [`${where}: missing`];
  const out = developerText
    .filter(([, re]) => re.test(text))
    .map(([name]) => `${where}: ${name} in «${text}»`);
  if (!/[^\p{ASCII}]/u.test(text)) out.push(`${where}: no Chinese in «${text}»`);
  return out;
}

describe('what the UI shows under zh', () => {
  it('the checker itself catches developer text', () => {
    expect(problemsOf('x', 'policy teacherPracticeYearsMin')).toHaveLength(2);
    expect(problemsOf('x', 'seed 004: 培训班不得合班 · classes_merged')).toHaveLength(2);
    expect(problemsOf('x', '19号令 (pending)')).toHaveLength(1);
    expect(problemsOf('x', 'measured (docs/faces.md)')).toHaveLength(2);
    expect(problemsOf('x', 'min')).toHaveLength(1);
    expect(problemsOf('x', 'AQ 8011-2023 4.6.2 监控：线下培训全过程联网录像')).toEqual([]);
  });

  it('policy parameters: a name, the legal basis, notes, units and versions in Chinese', () => {
    const problems: string[] = [];
    for (const profile of builtinPolicyProfiles) {
      problems.push(...problemsOf(`${profile.id} version`, profile.version));
      problems.push(...problemsOf(`${profile.id} source`, profile.source));
    }
    for (const [region, date] of [
      ['', '2026-01-01'],
      ['', '2026-07-01'],
      ['370902', '2026-07-01'],
    ]) {
      const policy = getPolicy(region, date);
      for (const [key, f] of Object.entries(policy.figures)) {
        const where = `${region || '全国'} ${date} ${key}`;
        problems.push(...problemsOf(`${where} label`, catalogLabelOfPolicy(key as PolicyKey)));
        problems.push(...problemsOf(`${where} source`, f.source));
        if (f.note) problems.push(...problemsOf(`${where} note`, f.note));
        if (f.unit) problems.push(...problemsOf(`${where} unit`, f.unit));
      }
    }
    expect(problems).toEqual([]);
  });

  it('catalog figures: a name and the legal basis in Chinese', () => {
    const problems = listCatalogFigures().flatMap((r) => {
      const where = `${r.group}.${r.key}`;
      return [
        ...problemsOf(`${where} label`, r.label?.zh),
        ...problemsOf(`${where} source`, r.figure.source),
        ...(r.figure.note ? problemsOf(`${where} note`, r.figure.note) : []),
        ...(r.figure.unit ? problemsOf(`${where} unit`, r.figure.unit) : []),
      ];
    });
    expect(problems).toEqual([]);
    expect(catalogLabel('syllabus', 'category1.initialTheory')?.zh).toBe(
      '电工作业初训理论学时（大纲）',
    );
  });

  it('finding names, sources and messages in Chinese', () => {
    const problems: string[] = [];
    for (const r of Object.values(detectionRules)) problems.push(...problemsOf(r.id, r.name.zh));
    for (const s of Object.values(findingSeverityNames))
      problems.push(...problemsOf('severity', s.zh));
    for (const [name, r] of Object.entries(lessonRules))
      problems.push(...problemsOf(`planning ${name} source`, r.source));
    // An institution failing every condition it can: every message of the registration check.
    const failing = checkInstitutionRegistration(
      institutionFacts(
        [
          {
            personId: 'p1',
            name: '王某',
            education: 'high_school',
            duty: 'manager',
            fullTime: true,
            laborContract: false,
            practiceYears: null,
            operationItems: [],
          },
          {
            personId: 'p1',
            name: '王某',
            education: 'high_school',
            duty: 'teacher',
            fullTime: true,
            laborContract: false,
            practiceYears: 1,
            operationItems: [],
          },
        ],
        FacilitiesSchema.parse({
          premises: { tenure: 'leased', leaseYears: 1 },
          classrooms: [{ name: '教室一', capacity: 30, areaM2: 40 }],
          exits: 1,
          camerasByRoom: { 教室一: 1 },
          practicalAreas: [{ operationItemCode: '2.1', equipmentComplete: false }],
          operationItems: ['1.2', '2.1'],
        }),
      ),
      getPolicy('370902', '2026-07-01'),
    );
    expect(failing.length).toBeGreaterThan(8);
    for (const f of failing) problems.push(...problemsOf(`registration ${f.code}`, f.message));
    for (const kind of ['initial', 'refresher', 'review'] as const)
      for (const code of ['1.2', 'AQ1', '99.9']) {
        const s = syllabusFor(code, kind);
        if ('refused' in s) problems.push(...problemsOf(`syllabus ${code} ${kind}`, s.refused));
      }
    expect(problems).toEqual([]);
  });
});

function catalogLabelOfPolicy(key: PolicyKey): string | undefined {
  return policyLabels[key]?.zh;
}

describe('detection rules in their source files', () => {
  it('write alert texts (sources, summaries) in a regulator’s words: no seed numbers, policy keys or file names', () => {
    const dir = new URL('../modules/detection/rules/', import.meta.url);
    const problems: string[] = [];
    for (const file of readdirSync(dir).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    )) {
      const code = readFileSync(new URL(file, dir), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
        .join('\n');
      // The user-facing literals are the ones with Chinese in them; interpolations are code.
      for (const [, , text] of code.matchAll(/(['`])((?:(?!\1)[^\\]|\\.)*)\1/g)) {
        if (!/[^\p{ASCII}]/u.test(text)) continue;
        const words = text.replace(/\$\{[^}]*\}/g, '');
        for (const [name, re] of [
          ['a seed number', /seed\s*0/i],
          ['a policy key', /policy [a-z][A-Za-z]+/],
          ['a file name', /\b[\w-]+\.(md|ts|tsx|js|json)\b/],
        ] as const)
          if (re.test(words)) problems.push(`${file}: ${name} in «${words}»`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('what the API hands to the policy screen', () => {
  let t: TestDatabase;
  let app: App;
  let cookie: string;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    app = await buildTestApp(t);
    cookie = await loginCookie(app, (await buildUser(t.db, { roles: ['regulator'] })).username);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('every figure in force and in the catalog carries its Chinese name and basis', async () => {
    const inForce = await app.inject({
      method: 'GET',
      url: '/api/policies/in-force?regionCode=370902&date=2026-12-07',
      headers: { cookie },
    });
    expect(inForce.statusCode, inForce.body).toBe(200);
    const figures = inForce.json().figures as Record<
      string,
      { label?: { zh: string; en: string }; source: string; note?: string }
    >;
    expect(Object.keys(figures).length).toBeGreaterThan(20);
    const problems = Object.entries(figures).flatMap(([key, f]) => [
      ...problemsOf(`${key} label`, f.label?.zh),
      ...problemsOf(`${key} source`, f.source),
      ...(f.note ? problemsOf(`${key} note`, f.note) : []),
    ]);
    const versions = (inForce.json().applied as { version: string }[]).map((a) => a.version);
    for (const v of versions) problems.push(...problemsOf('version', v));
    const catalog = await app.inject({ method: 'GET', url: '/api/catalog/figures' });
    for (const r of catalog.json().figures as {
      group: string;
      key: string;
      label?: { zh: string };
      figure: { source: string };
    }[])
      problems.push(
        ...problemsOf(`${r.group}.${r.key} label`, r.label?.zh),
        ...problemsOf(`${r.group}.${r.key} source`, r.figure.source),
      );
    expect(problems).toEqual([]);
  });
});
