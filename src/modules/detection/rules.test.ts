import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBundle } from '../../bundle/bundle.service.js';
import type { DetectionRuleId } from '../../catalog/findings.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import {
  addClass,
  addLesson,
  cleanInstitution,
  type Fixture,
  moveEvent,
  withExam,
} from '../../test-support/detection-fixtures.js';
import type { Alert } from './alerts.contract.js';
import { alertsForCli, evaluateAndStore } from './alerts.service.js';

/**
 * Issue 13 point 9: for each rule a bundle where it fires (the exact record and evidence asserted)
 * and a near-miss twin where it must not. Each fixture lives in its own county of Shandong (the
 * Shandong profile applies: 8 practical 学时 a day, 2 cameras a room, 5 full-time managers…), so one
 * database holds them all and each is judged over its own region, as `zhenxun detect --region` does.
 */
const NOW = new Date('2026-11-30T12:00:00+08:00');
const implemented: DetectionRuleId[] = [
  'T01',
  'T02',
  'T03',
  'T04',
  'T05',
  'T06',
  'T07',
  'T08',
  'T09',
  'T10',
  'T11',
  'E01',
  'E02',
  'E03',
  'E04',
  'E05',
  'E08',
  'E09',
];

describe.each(testDatabaseModes)('detection rules on %s', (mode) => {
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
    return cleanInstitution({ p: `${mode}-${name}`, region: counties[used * 2], n: used });
  };
  /** Imports the fixture and returns every alert of its region (all implemented rules evaluated). */
  const judge = async (f: Fixture): Promise<Alert[]> => {
    await importBundle(t.db, 'system:test', f.bundle);
    await evaluateAndStore(t.db, 'system:test', { regionPrefix: f.region, now: NOW });
    return alertsForCli(t.db, { regionPrefix: f.region, rules: null, since: null });
  };
  const refs = (a: Alert) => a.evidence.map((e) => e.ref);
  const brief = (xs: Alert[]) => xs.map((a) => `${a.rule}:${a.code}:${a.record.ref}`);

  it('a clean institution passes every implemented rule', async () => {
    const f = fixture('clean');
    expect(brief(await judge(f))).toEqual([]);
    const f2 = withExam(fixture('clean-exam'));
    expect(brief(await judge(f2))).toEqual([]);
  });

  it('T04 fires at 361 practical minutes in a day (8 学时 × 45 = 360), not at 360', async () => {
    const fire = fixture('t04');
    addLesson(fire, {
      ref: 'lesson:extra',
      mode: 'practical',
      teacher: 1,
      room: 'practical',
      from: '08:00',
      to: '11:01',
    });
    const twin = fixture('t04-twin');
    addLesson(twin, {
      ref: 'lesson:extra',
      mode: 'practical',
      teacher: 1,
      room: 'practical',
      from: '08:00',
      to: '11:00',
    });
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T04:practical_daily_cap:${fire.p}:class`]);
    expect(alerts[0].subject.ref).toBe(`${fire.p}:org`);
    expect(refs(alerts[0])).toEqual([
      `${fire.p}:class`,
      `${fire.p}:lesson:extra`,
      `${fire.p}:lesson:practical`,
    ]);
    expect(alerts[0].summary).toContain('实操培训 8.02 学时，超过每天 8 学时的上限');
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T05 fires for one teacher in two classes at once; back-to-back lessons do not collide', async () => {
    const fire = fixture('t05');
    const c2 = addClass(fire);
    addLesson(fire, {
      ref: 'lesson:c2',
      classRef: c2,
      mode: 'theory',
      teacher: 0,
      room: 'practical',
      from: '11:29',
      to: '12:30',
    });
    const twin = fixture('t05-twin');
    const d2 = addClass(twin);
    addLesson(twin, {
      ref: 'lesson:c2',
      classRef: d2,
      mode: 'theory',
      teacher: 0,
      room: 'practical',
      from: '11:30',
      to: '12:30',
    });
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T05:teacher_double_booked:${fire.p}:lesson:theory`]);
    expect(refs(alerts[0])).toEqual([
      `${fire.p}:person:6`,
      `${fire.p}:lesson:theory`,
      `${fire.p}:lesson:c2`,
    ]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T06 fires for two classes in one room at once (合班), not for back-to-back use', async () => {
    const fire = fixture('t06');
    const c2 = addClass(fire);
    addLesson(fire, {
      ref: 'lesson:c2',
      classRef: c2,
      mode: 'theory',
      teacher: 2,
      room: 'theory',
      from: '11:00',
      to: '12:00',
    });
    const twin = fixture('t06-twin');
    const d2 = addClass(twin);
    addLesson(twin, {
      ref: 'lesson:c2',
      classRef: d2,
      mode: 'theory',
      teacher: 2,
      room: 'theory',
      from: '11:30',
      to: '12:00',
    });
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T06:classes_merged:${fire.p}:lesson:theory`]);
    expect(refs(alerts[0])).toEqual([
      `${fire.p}:room:theory`,
      `${fire.p}:lesson:theory`,
      `${fire.p}:lesson:c2`,
    ]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T06 fires for a refresher trainee in an initial class (混合编班); an initial trainee is fine', async () => {
    const fire = fixture('t06-mixed');
    fire.bundle.classes[0].trainees = [{ personRef: fire.trainees[1], trainingKind: 'refresher' }];
    const twin = fixture('t06-mixed-twin');
    twin.bundle.classes[0].trainees = [{ personRef: twin.trainees[1], trainingKind: 'initial' }];
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T06:class_kinds_mixed:${fire.p}:class`]);
    expect(refs(alerts[0])).toEqual([`${fire.p}:class`, fire.trainees[1]]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T07 fires for a trainee who signs in and never out; in and out once is enough', async () => {
    const fire = fixture('t07');
    fire.bundle.attendance = fire.bundle.attendance.filter(
      (e) => e.ref !== `${fire.p}:ev:0:1` && e.ref !== `${fire.p}:ev:0:3`,
    );
    const twin = fixture('t07-twin');
    // Trainee 0 is there in the morning only: one sign-in and one sign-out (2 = the minimum).
    twin.bundle.attendance = twin.bundle.attendance.filter(
      (e) => e.ref !== `${twin.p}:ev:0:2` && e.ref !== `${twin.p}:ev:0:3`,
    );
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T07:single_sign_in:${fire.p}:class`]);
    expect(refs(alerts[0])).toEqual([`${fire.p}:class`, `${fire.p}:ev:0:0`, `${fire.p}:ev:0:2`]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T07 fires for a face match score below the threshold (0.69 < 0.70), not at it', async () => {
    const fire = fixture('t07-face');
    fire.bundle.attendance.find((e) => e.ref === `${fire.p}:ev:2:0`)!.matchScore = 0.69;
    const twin = fixture('t07-face-twin');
    twin.bundle.attendance.find((e) => e.ref === `${twin.p}:ev:2:0`)!.matchScore = 0.7;
    const alerts = await judge(fire);
    // The stay needs both ends face-verified: the theory hours of trainee 2 also fall (no exam here, so no T01).
    expect(brief(alerts)).toEqual([`T07:face_mismatch:${fire.p}:class`]);
    expect(refs(alerts[0])).toEqual([`${fire.p}:class`, `${fire.p}:ev:2:0`]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T08 fires for a one-minute hole in the video of a lesson; two cameras that together cover it are fine', async () => {
    const fire = fixture('t08');
    for (const r of fire.bundle.recordings.filter((x) => x.ref.includes(':rec:theory:'))) {
      r.startsAt = fire.at(fire.day, r.ref.endsWith('1') ? '08:00' : '10:01');
      r.endsAt = fire.at(fire.day, r.ref.endsWith('1') ? '10:00' : '12:00');
    }
    fire.bundle.recordings.push({
      ...fire.bundle.recordings.find((x) => x.ref === `${fire.p}:rec:theory:1`)!,
      ref: `${fire.p}:rec:theory:1b`,
      startsAt: fire.at(fire.day, '10:01'),
      endsAt: fire.at(fire.day, '12:00'),
      sha256: 'a'.repeat(64),
    });
    const twin = fixture('t08-twin');
    for (const r of twin.bundle.recordings.filter((x) => x.ref.includes(':rec:theory:'))) {
      r.startsAt = twin.at(twin.day, r.ref.endsWith('1') ? '08:00' : '10:00');
      r.endsAt = twin.at(twin.day, r.ref.endsWith('1') ? '10:00' : '12:00');
    }
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T08:video_gap:${fire.p}:lesson:theory`]);
    expect(alerts[0].summary).toContain('10:00–10:01');
    expect(refs(alerts[0])).toEqual([
      `${fire.p}:lesson:theory`,
      `${fire.p}:room:theory`,
      `${fire.p}:rec:theory:1`,
      // Recordings in time order; the two starting at 10:01 by their content hash.
      ...[`${fire.p}:rec:theory:2`, `${fire.p}:rec:theory:1b`].sort((x, y) =>
        fire.bundle.recordings.find((r) => r.ref === x)!.sha256 <
        fire.bundle.recordings.find((r) => r.ref === y)!.sha256
          ? -1
          : 1,
      ),
    ]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T08 fires for a teaching room with one camera where the policy wants two', async () => {
    const fire = fixture('t08-cam');
    fire.bundle.devices = fire.bundle.devices.filter(
      (d) => d.ref !== `${fire.p}:dev:practical:cam2`,
    );
    fire.bundle.recordings = fire.bundle.recordings.filter(
      (r) => r.deviceRef !== `${fire.p}:dev:practical:cam2`,
    );
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T08:one_camera_room:${fire.p}:room:practical`]);
    expect(refs(alerts[0])).toEqual([`${fire.p}:room:practical`, `${fire.p}:dev:practical:cam1`]);
  });

  it('T10 fires for 4 full-time managers where Shandong requires 5', async () => {
    const fire = fixture('t10');
    fire.bundle.staff = fire.bundle.staff.filter((s) => s.ref !== `${fire.p}:staff:m4`);
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T10:managers_too_few:${fire.p}:org`]);
    expect(alerts[0].figure).toEqual({ key: 'institutionManagersMin', expected: 5, actual: 4 });
  });

  it('T01 fires for a candidate 1 minute short of the syllabus (179/180 min of theory); 180 is enough', async () => {
    const fire = withExam(fixture('t01'));
    moveEvent(fire, 0, 1, '11:29');
    const twin = withExam(fixture('t01-twin'));
    moveEvent(twin, 0, 1, '11:30');
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T01:hours_short:${fire.p}:reg:0`]);
    expect(alerts[0].subject.ref).toBe(`${fire.p}:org`);
    expect(refs(alerts[0])).toEqual([
      `${fire.p}:reg:0`,
      fire.trainees[0],
      `${fire.p}:class`,
      `${fire.p}:session`,
    ]);
    expect(alerts[0].summary).toContain('理论 3.97/4');
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('T01 fires for a candidate with no training record of the item, against whoever registered them', async () => {
    const fire = withExam(fixture('t01-none'));
    fire.bundle.classes[0].traineeRefs = fire.trainees.slice(1);
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`T01:no_training_record:${fire.p}:reg:0`]);
    expect(alerts[0].subject.ref).toBe(`${fire.p}:org`);
  });

  it('reports rules it cannot evaluate instead of zero alerts', async () => {
    const r = await evaluateAndStore(t.db, 'system:test', { regionPrefix: counties[0], now: NOW });
    const status = Object.fromEntries(r.outcomes.map((o) => [o.rule, o.status]));
    for (const id of implemented) expect(status[id]).toBe('evaluated');
    expect(r.outcomes.find((o) => o.rule === 'C01')).toMatchObject({ status: 'not_evaluable' });
    expect(r.outcomes).toHaveLength(27);
  });
});
