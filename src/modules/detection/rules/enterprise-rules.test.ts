import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorOfUser } from '../../../platform/auth/auth.service.js';
import type { Db } from '../../../platform/db/database.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../../test-support/db.js';
import {
  buildEmployment,
  buildOrganization,
  buildPerson,
  buildUser,
} from '../../../test-support/factories.js';
import { issueCertificate } from '../../certificates/certificates.service.js';
import type { Detected, DetectionRule, RuleContext } from '../rule.js';
import c01 from './c01-uncertified-operators.js';
import c02 from './c02-manager-certificate.js';
import c03 from './c03-retraining-and-review.js';
import c04 from './c04-pre-job-training.js';
import c05 from './c05-in-house-trainers.js';
import c06 from './c06-plan-and-records.js';

const NOW = new Date('2026-12-07T12:00:00+08:00');

/**
 * C01–C06 (issue 14 point 5): for each rule an enterprise where it fires (the record and evidence
 * asserted) and a near-miss twin where it must not, each in its own county so each is judged alone.
 * Every enterprise has its plan and trainers so only the rule under test can fire.
 */
describe.each(testDatabaseModes)('enterprise detection rules on %s', (mode) => {
  let t: TestDatabase;
  let counties: string[] = [];
  let used = 0;
  let authority: Awaited<ReturnType<typeof actorOfUser>>;

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    counties = (
      await t.db
        .selectFrom('region')
        .select('code')
        .where('level', '=', 3)
        .where('code', 'like', '37%')
        .orderBy('code')
        .execute()
    ).map((r) => r.code);
    const org = await buildOrganization(t.db, { kind: 'exam_authority', regionCode: '37' });
    const u = await buildUser(t.db, { roles: ['exam_authority'], organizationId: org.id });
    authority = await actorOfUser(t.db, u.userId);
  }, 120_000);
  afterAll(() => t?.close());

  /** A clean enterprise: high-risk chemical, 3 trainers, this year's plan, everyone trained. */
  async function clean(db: Db) {
    const region = counties[used++];
    const org = await buildOrganization(db, {
      kind: 'enterprise',
      regionCode: region,
      industry: 'hazardous_chemicals',
      highRisk: true,
    });
    await db
      .insertInto('enterpriseTrainingPlan')
      .values({
        organizationId: org.id,
        regionCode: region,
        year: 2026,
        title: '2026年度安全培训计划',
        content: '全员培训',
        plannedHours: 200,
        createdBy: 'test',
      })
      .execute();
    for (let i = 0; i < 3; i++) {
      const p = await buildPerson(db);
      await buildEmployment(db, {
        personId: p.id,
        organizationId: org.id,
        regionCode: region,
        post: 'in_house_trainer',
        startDate: '2020-01-05',
      });
    }
    return { org, region };
  }
  async function session(
    db: Db,
    e: { org: { id: string }; region: string },
    kind: string,
    date: string,
    hours: number,
    people: { id: string; assessment?: 'passed' | null }[],
  ) {
    const s = await db
      .insertInto('enterpriseTrainingSession')
      .values({
        organizationId: e.org.id,
        regionCode: e.region,
        planId: null,
        kind: kind as never,
        title: `${kind} 培训`,
        content: '内容',
        startsAt: `${date}T08:00:00+08:00`,
        endsAt: `${date}T18:00:00+08:00`,
        hours,
        trainerPersonId: null,
        createdBy: 'test',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('enterpriseTrainingRecord')
      .values(
        people.map((p) => ({
          sessionId: s.id,
          organizationId: e.org.id,
          regionCode: e.region,
          personId: p.id,
          hours,
          assessment: p.assessment === undefined ? 'passed' : p.assessment,
        })),
      )
      .execute();
    return s.id;
  }
  /** Annual re-training for every trainer so C04's annual obligation stays quiet. */
  async function trainAll(e: { org: { id: string }; region: string }) {
    const people = await t.db
      .selectFrom('employment')
      .select('personId as id')
      .where('organizationId', '=', e.org.id)
      .execute();
    for (const year of ['2025-06-01', '2026-06-01'])
      await session(t.db, e, 'annual', year, 20, people);
  }
  const run = async (rule: DetectionRule<unknown>, region: string): Promise<Detected[]> => {
    const ctx: RuleContext = {
      db: t.db,
      regionPrefix: region,
      organizationIds: null,
      policy: () => ({}) as never,
      resolved: () => ({}) as never,
      now: NOW,
    };
    return rule.judge(await rule.load(ctx), {
      policy: ctx.policy,
      resolved: ctx.resolved,
      now: NOW,
    });
  };
  const issue = (personId: string, item: string, issuedOn: string, kind = 'special_operation') =>
    issueCertificate(
      t.db,
      authority!,
      { kind: kind as never, personId, operationItemCode: item, issuedOn },
      { now: new Date(`${issuedOn}T10:00:00+08:00`) },
    );

  it('C01 fires for a special operator with a number not in the registry, not for a certified one', async () => {
    const firing = await clean(t.db);
    const twin = await clean(t.db);
    const ids: string[] = [];
    for (const e of [firing, twin]) {
      const p = await buildPerson(t.db, { name: e === firing ? '钱假证' : '孙真证' });
      const emp = await buildEmployment(t.db, {
        personId: p.id,
        organizationId: e.org.id,
        regionCode: e.region,
        post: 'special_operator',
        operationItemCode: '9.8',
        startDate: '2020-03-01',
      });
      ids.push(emp.id);
      if (e === twin) await issue(p.id, '9.8', '2024-05-01');
      else
        await t.db
          .insertInto('certificateCheck')
          .values({
            employmentId: emp.id,
            organizationId: e.org.id,
            regionCode: e.region,
            declaredNumber: 'T000000000000000000',
            checkedOn: '2026-12-01',
            outcome: 'not_found',
            flag: 'fake',
            certificateId: null,
            evidence: JSON.stringify({ message: 'not found' }),
            checkedBy: 'test',
          })
          .execute();
      await trainAll(e);
    }
    const fired = await run(c01, firing.region);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      rule: 'C01',
      code: 'special_certificate',
      subject: { kind: 'employment', id: ids[0] },
    });
    expect(fired[0].message).toContain('持假证');
    expect(fired[0].evidence.map((e) => e.kind)).toContain('certificate_check');
    expect(await run(c01, twin.region)).toEqual([]);
  });

  it('C02 fires for a safety manager 7 months in post without 合格证, not at 5 months', async () => {
    const firing = await clean(t.db);
    const twin = await clean(t.db);
    for (const [e, start] of [
      [firing, '2026-05-01'],
      [twin, '2026-07-01'],
    ] as const) {
      const p = await buildPerson(t.db);
      await buildEmployment(t.db, {
        personId: p.id,
        organizationId: e.org.id,
        regionCode: e.region,
        post: 'safety_manager',
        startDate: start,
      });
    }
    const fired = await run(c02, firing.region);
    expect(fired.map((f) => [f.rule, f.code, f.date])).toEqual([
      ['C02', 'manager_certificate', '2026-11-01'],
    ]);
    expect(await run(c02, twin.region)).toEqual([]);
  });

  it('C03 fires for an operation certificate past its review date, not for one reviewed', async () => {
    const firing = await clean(t.db);
    const twin = await clean(t.db);
    for (const e of [firing, twin]) {
      const p = await buildPerson(t.db);
      await buildEmployment(t.db, {
        personId: p.id,
        organizationId: e.org.id,
        regionCode: e.region,
        post: 'special_operator',
        operationItemCode: '1.2',
        startDate: '2019-01-01',
      });
      const c = await issue(p.id, '1.2', '2023-03-01');
      if (e === twin)
        await t.db
          .insertInto('certificateEvent')
          .values({
            certificateId: c.id,
            kind: 'review',
            occurredOn: '2026-02-01',
            recordedBy: 'test',
          })
          .execute();
      await trainAll(e);
    }
    const fired = await run(c03, firing.region);
    expect(fired.map((f) => [f.rule, f.code])).toEqual([['C03', 'certificate_review']]);
    expect(await run(c03, twin.region)).toEqual([]);
  });

  it('C04 fires for a new hire working after 10 学时 of pre-job training, not after 72', async () => {
    const firing = await clean(t.db);
    const twin = await clean(t.db);
    for (const [e, hours] of [
      [firing, 10],
      [twin, 72],
    ] as const) {
      const p = await buildPerson(t.db);
      await buildEmployment(t.db, {
        personId: p.id,
        organizationId: e.org.id,
        regionCode: e.region,
        post: 'general',
        startDate: '2026-11-02',
      });
      await session(t.db, e, 'pre_job', '2026-10-28', hours, [{ id: p.id }]);
      for (const level of ['three_level_company', 'three_level_workshop', 'three_level_team'])
        await session(t.db, e, level, '2026-10-29', 0.5, [{ id: p.id }]);
      await trainAll(e);
    }
    const fired = await run(c04, firing.region);
    expect(fired.map((f) => [f.code, f.figure])).toEqual([
      ['pre_job_training', { key: 'pre_job_training', expected: 72, actual: 11.5 }],
    ]);
    expect(await run(c04, twin.region)).toEqual([]);
  });

  it('C05 fires for a 900-person chemical plant with 2 in-house trainers, not with 5', async () => {
    const firing = await clean(t.db);
    const twin = await clean(t.db);
    for (const [e, extra] of [
      [firing, -1],
      [twin, 2],
    ] as const) {
      await t.db
        .updateTable('organization')
        .set({ employeeCount: 900 })
        .where('id', '=', e.org.id)
        .execute();
      if (extra < 0)
        await t.db
          .updateTable('employment')
          .set({ endDate: '2026-06-30' })
          .where(
            'id',
            '=',
            (
              await t.db
                .selectFrom('employment')
                .select('id')
                .where('organizationId', '=', e.org.id)
                .executeTakeFirstOrThrow()
            ).id,
          )
          .execute();
      for (let i = 0; i < extra; i++) {
        const p = await buildPerson(t.db);
        await buildEmployment(t.db, {
          personId: p.id,
          organizationId: e.org.id,
          regionCode: e.region,
          post: 'in_house_trainer',
          startDate: '2026-01-05',
        });
      }
    }
    const fired = await run(c05, firing.region);
    expect(
      fired.map((f) => [f.code, f.subject.kind, f.figure?.expected, f.figure?.actual]),
    ).toEqual([['in_house_trainers', 'organization', 5, 2]]);
    expect(await run(c05, twin.region)).toEqual([]);
  });

  it('C06 fires for a session without assessment results and a missing plan, not for a complete one', async () => {
    const firing = await clean(t.db);
    const twin = await clean(t.db);
    await t.db
      .deleteFrom('enterpriseTrainingPlan')
      .where('organizationId', '=', firing.org.id)
      .execute();
    for (const e of [firing, twin]) {
      const p = await buildPerson(t.db);
      await buildEmployment(t.db, {
        personId: p.id,
        organizationId: e.org.id,
        regionCode: e.region,
        post: 'general',
        startDate: '2018-01-01',
      });
      await session(t.db, e, 'annual', '2026-09-10', 8, [
        { id: p.id, assessment: e === firing ? null : 'passed' },
      ]);
    }
    const fired = await run(c06, firing.region);
    expect(fired.map((f) => f.code).sort()).toEqual(['annual_plan', 'training_record_incomplete']);
    expect(await run(c06, twin.region)).toEqual([]);
  });
});
