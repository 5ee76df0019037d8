import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoCity } from '../demo/demo-city.js';
import { DomainError } from '../platform/errors.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../test-support/db.js';
import { type Bundle, bundleJsonSchema, bundleSections } from './bundle.contract.js';

/** An import count per section: the given ones, zero for every other section. */
const perSection = (counts: Partial<Record<(typeof bundleSections)[number], number>>) =>
  Object.fromEntries(bundleSections.map((s) => [s, counts[s] ?? 0]));

import { exportBundle, importBundle, validateBundle } from './bundle.service.js';

/** The example of docs/bundle.md, so the documentation cannot drift from what imports. */
function docExample(): Bundle {
  const md = readFileSync(new URL('../../docs/bundle.md', import.meta.url), 'utf8');
  return JSON.parse(md.split('```json')[1].split('```')[0]);
}

const tables = [
  'organization',
  'person',
  'staffAssignment',
  'employment',
  'externalRef',
  'auditLog',
] as const;
async function counts(t: TestDatabase) {
  const out: Record<string, number> = {};
  for (const table of tables)
    out[table] = Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return out;
}
const withoutTime = (b: Bundle) => ({ ...b, generatedAt: undefined });

describe.each(testDatabaseModes)('exchange bundle on %s', (mode) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
  });
  afterAll(() => t?.close());

  it('imports the documented example and derives what the file does not carry', async () => {
    const result = await importBundle(t.db, 'system:test', docExample());
    expect(result.created).toEqual(perSection({ organizations: 1, persons: 1, employments: 1 }));
    const person = await t.db
      .selectFrom('person')
      .selectAll()
      .where('idNumber', '=', '370902197902284573')
      .executeTakeFirstOrThrow();
    expect(person).toMatchObject({ name: '王建国', birthDate: '1979-02-28', gender: 'male' });
  });

  it('links instead of duplicating when the same file comes again', async () => {
    const before = await counts(t);
    const again = await importBundle(t.db, 'system:test', docExample());
    expect(again.created).toEqual(perSection({}));
    expect(again.linked).toEqual(perSection({ organizations: 1, persons: 1, employments: 1 }));
    const after = await counts(t);
    expect({ ...after, auditLog: 0 }).toEqual({ ...before, auditLog: 0 });
  });

  it('reports every error with section, ref and field, and writes nothing', async () => {
    const bad = docExample();
    bad.organizations!.push(
      {
        ref: 'org:bad-code',
        kind: 'enterprise',
        name: '校验码错误公司',
        creditCode: '91370902MA3C00001Q',
        regionCode: '370902',
      },
      {
        ref: 'org:nowhere',
        kind: 'enterprise',
        name: '不存在区划公司',
        creditCode: '91370902MA3C00002Z',
        regionCode: '379999',
      },
    );
    bad.persons!.push(
      { ref: 'p:bad-id', idNumber: '370902197902284570', name: '李四' },
      { ref: 'p:wang-jianguo', idNumber: '370902197902284573', name: '王建国' },
    );
    bad.staff = [
      {
        ref: 's:1',
        personRef: 'p:ghost',
        organizationRef: 'org:taishan-machinery',
        duty: 'teacher',
        startDate: '2020-01-01',
      },
    ];
    bad.employments!.push({
      ref: 'e:2',
      personRef: 'p:wang-jianguo',
      organizationRef: 'org:taishan-machinery',
      post: 'special_operator',
      startDate: '2024-01-01',
      endDate: '2023-01-01',
    });
    const before = await counts(t);
    const v = await validateBundle(t.db, bad);
    expect(v.ok).toBe(false);
    const errors = v.ok ? [] : v.errors.map((e) => `${e.section}|${e.ref}|${e.field}|${e.code}`);
    expect(errors).toEqual(
      expect.arrayContaining([
        'organizations|org:bad-code|creditCode|credit_code_checksum',
        'organizations|org:nowhere|regionCode|unknown_region',
        'persons|p:bad-id|idNumber|id_number_checksum',
        'persons|p:wang-jianguo|ref|duplicate_ref',
        'staff|s:1|personRef|dangling_ref',
        'staff|s:1|duty|duty_not_allowed',
        'employments|e:2|operationItemCode|item_required',
        'employments|e:2|endDate|end_before_start',
      ]),
    );
    await expect(importBundle(t.db, 'system:test', bad)).rejects.toBeInstanceOf(DomainError);
    expect(await counts(t)).toEqual(before);
  });

  it('carries syllabus versions: a dead kind is refused by ref, a good one comes back out of export', async () => {
    const syllabus = {
      ref: 'syl:37:1.2',
      regionCode: '37',
      operationItemCode: '1.2',
      kind: 'initial' as const,
      theoryHours: 56,
      practicalHours: 32,
      effectiveFrom: '2026-01-01',
      source: '测试大纲',
    };
    const bad = await validateBundle(t.db, {
      format: 'zhenxun.bundle',
      version: 1,
      syllabi: [{ ...syllabus, ref: 'syl:bad', kind: 'refresher' }],
    });
    expect(bad.ok ? [] : bad.errors).toEqual([
      expect.objectContaining({
        section: 'syllabi',
        ref: 'syl:bad',
        field: 'kind',
        code: 'no_syllabus',
      }),
    ]);
    await importBundle(t.db, 'system:test', {
      format: 'zhenxun.bundle',
      version: 1,
      syllabi: [syllabus],
    });
    const out = await exportBundle(t.db, 'system:test');
    expect(out.syllabi).toEqual([syllabus]);
  });

  it('names schema errors by record', async () => {
    const v = await validateBundle(t.db, {
      format: 'zhenxun.bundle',
      version: 1,
      persons: [{ ref: 'p:x', idNumber: 42, name: '' }],
      orgs: [],
    });
    expect(v.ok).toBe(false);
    const errors = v.ok ? [] : v.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ section: 'persons', index: 0, ref: 'p:x', field: 'idNumber' }),
        expect.objectContaining({ section: 'persons', index: 0, ref: 'p:x', field: 'name' }),
        expect.objectContaining({ section: null, code: 'schema' }),
      ]),
    );
  });

  // A 400-person city exported, validated and written twice: past a minute on a loaded 2-core machine.
  it('round-trips: export → import into an empty database → export gives the same bundle', async () => {
    const city = generateDemoCity(7, { persons: 400 }).bundle;
    const a = await createTestDatabase(mode);
    const b = await createTestDatabase(mode);
    try {
      await loadRegions(a.db);
      await loadRegions(b.db);
      await importBundle(a.db, 'system:test', city);
      const first = await exportBundle(a.db, 'system:test');
      expect(first.persons).toHaveLength(city.persons!.length);
      expect(first.organizations?.map((o) => o.ref)).toEqual(
        [...city.organizations!.map((o) => o.ref)].sort(),
      );
      await importBundle(b.db, 'system:test', first);
      const second = await exportBundle(b.db, 'system:test');
      expect(withoutTime(second)).toEqual(withoutTime(first));
    } finally {
      await a.close();
      await b.close();
    }
  }, 240_000);
});

describe('bundle JSON Schema', () => {
  it('is a valid draft 2020-12 schema that accepts the documented example and refuses unknown sections', () => {
    // Formats (dates, times) are the import's own schema's job; this checks the JSON Schema's structure.
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(bundleJsonSchema());
    expect(validate(docExample())).toBe(true);
    expect(validate({ ...docExample(), orgs: [] })).toBe(false);
    expect(validate({ ...docExample(), version: 2 })).toBe(false);
  });
});
