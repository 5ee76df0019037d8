import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBundle } from '../../bundle/bundle.service.js';
import { practicalStandard } from '../../catalog/practical.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import { cleanInstitution, type Fixture, withExam } from '../../test-support/detection-fixtures.js';
import { makeCreditCode, makeIdNumber } from '../registry/identifiers.rules.js';
import type { Alert } from './alerts.contract.js';
import { alertsForCli, evaluateAndStore } from './alerts.service.js';

/**
 * Issue 13 point 9 for the exam rules: each fires on a bundle that plants its problem (exact record
 * and evidence) and stays silent on a near-miss twin. The exam fixture (detection-fixtures withExam)
 * is a session 09:00–11:00 the day after the class at the fixture's own exam site.
 */
const NOW = new Date('2026-11-30T12:00:00+08:00');
const std = practicalStandard('1.2')!;

describe.each(testDatabaseModes)('detection exam rules on %s', (mode) => {
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
    return withExam(
      cleanInstitution({ p: `${mode}-${name}`, region: counties[used * 3 + 2], n: 300 + used }),
    );
  };
  const judge = async (f: Fixture): Promise<Alert[]> => {
    await importBundle(t.db, 'system:test', f.bundle);
    await evaluateAndStore(t.db, 'system:test', { regionPrefix: f.region, now: NOW });
    return alertsForCli(t.db, { regionPrefix: f.region, rules: null, since: null });
  };
  const refs = (a: Alert) => a.evidence.map((e) => e.ref);
  const brief = (xs: Alert[]) => xs.map((a) => `${a.rule}:${a.code}:${a.record.ref}`);
  const reg = (f: Fixture, i: number) =>
    f.bundle.examRegistrations!.find((r) => r.ref === `${f.p}:reg:${i}`)!;
  const sessionDay = (f: Fixture) => f.bundle.examSessions![0].startsAt.slice(0, 10);
  const checkIn = (f: Fixture, i: number, hm: string) => {
    Object.assign(reg(f, i), {
      status: 'checked_in',
      checkedInAt: f.at(sessionDay(f), hm),
      checkinDecision: 'match',
      checkinScore: 0.9,
    });
  };
  const examiner = (f: Fixture) => {
    f.bundle.persons.push({
      ref: `${f.p}:examiner`,
      idNumber: makeIdNumber({
        regionCode6: f.region.slice(0, 6),
        birthDate: '1980-05-05',
        sequence: 500 + used,
      }),
      name: `考评员${used}`,
    });
    f.bundle.staff.push({
      ref: `${f.p}:staff:examiner`,
      personRef: `${f.p}:examiner`,
      organizationRef: `${f.p}:site`,
      duty: 'examiner',
      startDate: '2020-01-01',
    });
    return `${f.p}:examiner`;
  };
  const score = (
    f: Fixture,
    i: number,
    subject: string,
    from: string,
    to: string,
    points: number | null,
    by?: string,
  ) => {
    f.bundle.practicalScores = [
      ...(f.bundle.practicalScores ?? []),
      {
        ref: `${f.p}:ps:${i}:${subject}`,
        registrationRef: `${f.p}:reg:${i}`,
        subjectCode: subject,
        taskCode: std.subjects.find((s) => s.code === subject)!.tasks[0].code,
        examinerRef: by ?? null,
        startedAt: f.at(sessionDay(f), from),
        scoredAt: f.at(sessionDay(f), to),
        points,
      },
    ];
  };

  it('E01 fires for a check-in a minute before the window opens (08:00 for a 09:00 session); 08:00 is fine', async () => {
    const fire = fixture('e01');
    checkIn(fire, 0, '07:59');
    const twin = fixture('e01-twin');
    checkIn(twin, 0, '08:00');
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`E01:held_outside_time:${fire.p}:session`]);
    expect(refs(alerts[0])).toEqual([`${fire.p}:session`, `${fire.p}:reg:0`]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('E01 fires for a candidate checked in at another exam site', async () => {
    const fire = fixture('e01-place');
    const other = { ...fire.bundle.organizations.find((o) => o.ref === `${fire.p}:site`)! };
    fire.bundle.organizations.push({
      ...other,
      ref: `${fire.p}:site2`,
      name: `另一考点${fire.p}`,
      creditCode: makeCreditCode({
        authority: '5',
        orgType: '2',
        regionCode6: fire.region.slice(0, 6),
        serial9: '477777777',
      }),
    });
    checkIn(fire, 1, '08:30');
    reg(fire, 1).checkinSiteRef = `${fire.p}:site2`;
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`E01:held_elsewhere:${fire.p}:session`]);
    expect(refs(alerts[0])).toEqual([`${fire.p}:session`, `${fire.p}:reg:1`, `${fire.p}:site2`]);
  });

  it('E02 fires for one examiner scoring two candidates in overlapping spans; back-to-back is fine', async () => {
    const fire = fixture('e02');
    const x = examiner(fire);
    score(fire, 0, 'K1', '11:00', '11:20', null, x);
    score(fire, 1, 'K1', '11:19', '11:40', null, x);
    const twin = fixture('e02-twin');
    const y = examiner(twin);
    score(twin, 0, 'K1', '11:00', '11:20', null, y);
    score(twin, 1, 'K1', '11:20', '11:40', null, y);
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`E02:examiner_scoring_several:${fire.p}:session`]);
    expect(refs(alerts[0])).toEqual([
      x,
      `${fire.p}:ps:0:K1`,
      `${fire.p}:ps:1:K1`,
      `${fire.p}:reg:0`,
      `${fire.p}:reg:1`,
    ]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('E03 fires for an examiner of a special-operation exam without a certificate of the item', async () => {
    const fire = fixture('e03');
    fire.bundle.examSessions![0].examinerRefs = [examiner(fire)];
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`E03:examiner_not_certified:${fire.p}:session`]);
    expect(refs(alerts[0])).toEqual([`${fire.p}:session`, `${fire.p}:examiner`]);
  });

  it('E04 fires for an exam site run by a training institution; an independent site is fine', async () => {
    const fire = fixture('e04');
    fire.bundle.organizations.find((o) => o.ref === `${fire.p}:site`)!.operatorRef =
      `${fire.p}:org`;
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`E04:site_operated_by_institution:${fire.p}:site`]);
    expect(refs(alerts[0])).toEqual([`${fire.p}:site`, `${fire.p}:org`]);
    expect(brief(await judge(fixture('e04-twin')))).toEqual([]);
  });

  it('E05 fires for a practical score without K4; all four subjects are fine', async () => {
    const fire = fixture('e05');
    for (const s of ['K1', 'K2', 'K3']) score(fire, 0, s, '11:00', '11:10', 10);
    reg(fire, 0).practicalScore = 30;
    const twin = fixture('e05-twin');
    for (const s of ['K1', 'K2', 'K3', 'K4']) score(twin, 0, s, '11:00', '11:10', 20);
    reg(twin, 0).practicalScore = 80;
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`E05:practical_subject_missing:${fire.p}:reg:0`]);
    expect(refs(alerts[0])).toEqual([
      `${fire.p}:reg:0`,
      `${fire.p}:session`,
      `${fire.p}:ps:0:K1`,
      `${fire.p}:ps:0:K2`,
      `${fire.p}:ps:0:K3`,
    ]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('E05 fires for a site whose task list for 1.2 leaves out one task of the standard', async () => {
    const all = std.subjects.flatMap((s) => s.tasks.map((x) => x.code));
    const site = (f: Fixture, taskCodes: string[]) => {
      f.bundle.organizations.find((o) => o.ref === `${f.p}:site`)!.facilities = {
        classrooms: [],
        camerasByRoom: {},
        practicalAreas: [],
        operationItems: [],
        practicalTasks: [{ operationItemCode: '1.2', taskCodes }],
      };
    };
    const fire = fixture('e05-site');
    site(fire, all.slice(0, -1));
    const twin = fixture('e05-site-twin');
    site(twin, all);
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`E05:site_tasks_missing:${fire.p}:site`]);
    expect(alerts[0].summary).toContain(all.at(-1)!);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('E06 fires for a one-minute hole in the exam video; full coverage is fine', async () => {
    const video = (f: Fixture, to: string) => {
      f.bundle.rooms.push({
        ref: `${f.p}:room:exam`,
        organizationRef: `${f.p}:site`,
        name: '第一考场',
        kind: 'exam',
      });
      f.bundle.devices.push({
        ref: `${f.p}:dev:exam:cam`,
        roomRef: `${f.p}:room:exam`,
        kind: 'camera',
        serial: `${f.p}-EX`,
        name: '考场摄像头',
      });
      f.bundle.recordings.push({
        ref: `${f.p}:rec:exam`,
        deviceRef: `${f.p}:dev:exam:cam`,
        startsAt: f.at(sessionDay(f), '09:00'),
        endsAt: f.at(sessionDay(f), to),
        sha256: 'b'.repeat(64),
        storageUri: `s3://test/${f.p}/exam.mp4`,
      });
    };
    const fire = fixture('e06');
    video(fire, '10:59');
    const twin = fixture('e06-twin');
    video(twin, '11:00');
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`E06:exam_video_gap:${fire.p}:session`]);
    expect(alerts[0].summary).toContain('10:59–11:00');
    expect(refs(alerts[0])).toEqual([
      `${fire.p}:session`,
      `${fire.p}:room:exam`,
      `${fire.p}:rec:exam`,
    ]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('E09 fires for a candidate let in over a face mismatch; a score at the threshold is a match', async () => {
    const fire = fixture('e09');
    Object.assign(reg(fire, 0), {
      status: 'checked_in',
      checkedInAt: fire.at(sessionDay(fire), '08:30'),
      checkinDecision: 'mismatch',
      checkinScore: 0.41,
      overrideReason: '照片较旧，本人',
      overrideBy: '监考员甲',
    });
    const twin = fixture('e09-twin');
    Object.assign(reg(twin, 0), {
      status: 'checked_in',
      checkedInAt: twin.at(sessionDay(twin), '08:30'),
      checkinDecision: 'match',
      checkinScore: 0.7,
    });
    const alerts = await judge(fire);
    expect(brief(alerts)).toEqual([`E09:checkin_face_mismatch:${fire.p}:reg:0`]);
    expect(refs(alerts[0])).toEqual([`${fire.p}:reg:0`, fire.trainees[0], `${fire.p}:session`]);
    expect(brief(await judge(twin))).toEqual([]);
  });

  it('E07 says it cannot be evaluated (no equipment inspection records) instead of zero alerts', async () => {
    const r = await evaluateAndStore(t.db, 'system:test', { regionPrefix: counties[1], now: NOW });
    expect(r.outcomes.find((o) => o.rule === 'E07')).toMatchObject({ status: 'not_evaluable' });
  });
});
