import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBundle } from '../../bundle/bundle.service.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import { cleanInstitution, type Fixture } from '../../test-support/detection-fixtures.js';
import { archiveDocumentParts } from '../training/classes.table.js';
import type { Alert } from './alerts.contract.js';
import { alertsForCli, evaluateAndStore } from './alerts.service.js';

/**
 * Issue 13 points 2 and 9 for T02, T03, T09 and T11: each rule fires on a bundle that plants its
 * problem (exact record and evidence asserted) and stays silent on a near-miss twin. The records
 * these rules read travel in the bundle (an online course's claimed 学时, who actually taught a
 * lesson, class documents, closing and seal), so imported history is judged like platform records.
 * Fixtures live in Shandong counties, where RULES.md §C gives: online ≤ 40% of the theory hours,
 * an online course ≥ 45 min per 学时, teachers ≥ 5 years' practice, practical teachers certified
 * for the item.
 */
const NOW = new Date('2026-11-30T12:00:00+08:00');

describe.each(testDatabaseModes)('detection rules T02 T03 T09 T11 on %s', (mode) => {
  let t: TestDatabase;
  let counties: string[] = [];
  let used = 0;
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
  }, 180_000);
  afterAll(() => t?.close());

  const fixture = (name: string) => {
    used++;
    return cleanInstitution({
      p: `${mode}-${name}`,
      region: counties[used * 2 + 1],
      n: 100 + used,
    });
  };
  const judge = async (f: Fixture): Promise<Alert[]> => {
    await importBundle(t.db, 'system:test', f.bundle);
    await evaluateAndStore(t.db, 'system:test', { regionPrefix: f.region, now: NOW });
    return alertsForCli(t.db, { regionPrefix: f.region, rules: null, since: null });
  };
  const refs = (a: Alert) => a.evidence.map((e) => e.ref);
  const brief = (xs: Alert[]) => xs.map((a) => `${a.rule}:${a.code}:${a.record.ref}`);
  const course = (f: Fixture, claimedHours: number, durationSeconds: number, n = 1) => {
    f.bundle.onlineCourses = [
      ...(f.bundle.onlineCourses ?? []),
      {
        ref: `${f.p}:course:${n}`,
        classRef: `${f.p}:class`,
        title: `线上安全知识${n}`,
        mediaKind: 'video',
        mediaUrl: `https://media.test/${f.p}/${n}.mp4`,
        durationSeconds,
        claimedHours,
      },
    ];
  };
  const staff = (f: Fixture, ref: string) => f.bundle.staff.find((s) => s.ref === `${f.p}:${ref}`)!;
  const person = (f: Fixture, staffRef: string) => staff(f, staffRef).personRef;

  it('T02 fires when online courses claim 1.7 学时 against a cap of 40% × 4 = 1.6; 1.6 is fine', async () => {
    const fire = fixture('t02');
    course(fire, 1, 3 * 3600);
    course(fire, 0.7, 3 * 3600, 2);
    const twin = fixture('t02-twin');
    course(twin, 1, 3 * 3600);
    course(twin, 0.6, 3 * 3600, 2);
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T02:online_courses_over_cap:${fire.p}:class`]);
    expect(refs(alerts[0])).toEqual([
      `${fire.p}:class`,
      `${fire.p}:course:1`,
      `${fire.p}:course:2`,
    ]);
    expect(alerts[0].figure).toEqual({ key: 'onlineTheoryShareMax', expected: 1.6, actual: 1.7 });
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T02 fires for planned online lessons above the cap (73 min at 45 per 学时 > 1.6 学时); 72 min is the cap', async () => {
    const online = (f: Fixture, to: string) =>
      f.bundle.lessons.push({
        ref: `${f.p}:lesson:online`,
        classRef: `${f.p}:class`,
        mode: 'online',
        topic: '线上学习',
        teacherRef: person(f, 'staff:t2'),
        startsAt: f.at(f.day, '19:00'),
        endsAt: f.at(f.day, to),
      });
    const fire = fixture('t02-lessons');
    online(fire, '20:13');
    const twin = fixture('t02-lessons-twin');
    online(twin, '20:12');
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T02:online_lessons_over_cap:${fire.p}:class`]);
    expect(refs(alerts[0])).toEqual([`${fire.p}:class`, `${fire.p}:lesson:online`]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T03 fires for a 1-学时 online course of 44 min 59 s; 45 min is enough', async () => {
    const fire = fixture('t03');
    course(fire, 1, 45 * 60 - 1);
    const twin = fixture('t03-twin');
    course(twin, 1, 45 * 60);
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T03:online_course_too_short:${fire.p}:class`]);
    expect(refs(alerts[0])).toEqual([`${fire.p}:class`, `${fire.p}:course:1`]);
    expect(alerts[0].summary).toContain('每学时仅 44.98 分钟');
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T03 says it cannot judge online courses that claim no 学时, instead of zero alerts', async () => {
    const f = fixture('t03-unstated');
    course(f, 1, 3600);
    delete f.bundle.onlineCourses![0].claimedHours;
    await importBundle(t.db, 'system:test', f.bundle);
    const r = await evaluateAndStore(t.db, 'system:test', { regionPrefix: f.region, now: NOW });
    expect(r.outcomes.find((o) => o.rule === 'T03')).toMatchObject({ status: 'not_evaluable' });
  });

  it('T09 fires when someone other than the planned teacher taught; the planned one is fine', async () => {
    const fire = fixture('t09');
    fire.bundle.lessons[0].taughtByRef = person(fire, 'staff:t2');
    const twin = fixture('t09-twin');
    twin.bundle.lessons[0].taughtByRef = person(twin, 'staff:t0');
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T09:teacher_not_planned:${fire.p}:lesson:theory`]);
    expect(refs(alerts[0])).toEqual([
      `${fire.p}:lesson:theory`,
      person(fire, 'staff:t0'),
      person(fire, 'staff:t2'),
    ]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T09 fires for a teacher with 4 years of practice (5 required); 5 is enough', async () => {
    const fire = fixture('t09-years');
    staff(fire, 'staff:t0').practiceYears = 4;
    const twin = fixture('t09-years-twin');
    staff(twin, 'staff:t0').practiceYears = 5;
    const alerts = await judge(fire);
    // The institution's registration (T10) fails on the same staff record; T09 names the lesson.
    expect(brief(alerts)).toEqual([
      `T09:teacher_practice_years:${fire.p}:lesson:theory`,
      `T10:teacher_practice_too_short:${fire.p}:org`,
    ]);
    expect(refs(alerts[0])).toEqual([
      person(fire, 'staff:t0'),
      `${fire.p}:lesson:theory`,
      `${fire.p}:staff:t0`,
    ]);
    expect(alerts[0].figure).toEqual({ key: 'teacherPracticeYearsMin', expected: 5, actual: 4 });
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T09 fires for a practical teacher not certified for the item (taught by a theory-only teacher)', async () => {
    const fire = fixture('t09-cert');
    staff(fire, 'staff:t2').operationItems = ['1.1'];
    fire.bundle.lessons[1].taughtByRef = person(fire, 'staff:t2');
    const alerts = await judge(fire);
    expect(brief(alerts).sort()).toEqual([
      `T09:practical_teacher_certificate:${fire.p}:lesson:practical`,
      `T09:teacher_not_planned:${fire.p}:lesson:practical`,
    ]);
  });

  const documents = () =>
    archiveDocumentParts.map((part) => ({ part, title: `${part} 文件`, content: '内容' }));

  it('T11 fires for a closed class missing its archive documents; the complete twin is clean', async () => {
    const fire = fixture('t11');
    fire.bundle.classes[0].closedAt = fire.at(fire.day, '18:00');
    fire.bundle.classes[0].documents = documents().filter((d) => d.part !== 'quality_assessment');
    const twin = fixture('t11-twin');
    twin.bundle.classes[0].closedAt = twin.at(twin.day, '18:00');
    twin.bundle.classes[0].documents = documents();
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T11:archive_incomplete:${fire.p}:class`]);
    expect(alerts[0].summary).toContain('教学质量评估报告');
    expect(refs(alerts[0])).toEqual([`${fire.p}:class`]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T11 fires for a sealed archive altered afterwards, naming the altered record', async () => {
    const f = fixture('t11-altered');
    f.bundle.classes[0].closedAt = f.at(f.day, '18:00');
    f.bundle.classes[0].documents = documents();
    expect(brief(await judge(f))).toEqual([]);
    const lessonId = (
      await t.db
        .selectFrom('externalRef')
        .select('entityId')
        .where('entityType', '=', 'lessons')
        .where('ref', '=', `${f.p}:lesson:theory`)
        .executeTakeFirstOrThrow()
    ).entityId;
    await sql`update lesson set topic = '改写后的课程' where id = ${lessonId}`.execute(t.db);
    const alerts = await judge(f);
    expect(brief(alerts)).toEqual([`T11:archive_altered:${f.p}:class`]);
    expect(refs(alerts[0])).toEqual([`${f.p}:class`, `${f.p}:lesson:theory`]);
    expect(alerts[0].summary).toContain('修改 1 条');
  });

  it('T11 fires for a class closed without a seal (history from a system that did not seal)', async () => {
    const f = fixture('t11-unsealed');
    f.bundle.classes[0].closedAt = f.at(f.day, '18:00');
    f.bundle.classes[0].sealed = false;
    f.bundle.classes[0].documents = documents();
    expect(brief(await judge(f))).toEqual([`T11:archive_not_sealed:${f.p}:class`]);
  });
});
