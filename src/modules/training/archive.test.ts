import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../platform/audit/canonical.js';
import {
  type DatabaseHandle,
  type Db,
  migrateToLatest,
  openDatabase,
} from '../../platform/db/database.js';
import type { App } from '../../platform/http/routing.js';
import { buildTestApp } from '../../test-support/app.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import {
  buildOrganization,
  buildPerson,
  buildUser,
  loginCookie,
} from '../../test-support/factories.js';
import {
  buildClass,
  buildLesson,
  buildRoom,
  enrol,
} from '../../test-support/training-factories.js';
import { computeArchive } from './archive.service.js';
import { archiveDocumentParts } from './classes.table.js';

const NOW = new Date('2026-11-20T08:00:00Z');
const REGION = '370902';
/** Beijing wall-clock time on a day of the class. */
const bj = (hhmm: string, day = '2026-11-16') => new Date(`${day}T${hhmm}:00+08:00`);
const run = promisify(execFile);
const sha = (c: string) => c.repeat(64);

/**
 * A class with everything 一期一档 needs except the six documents and the video of the practical
 * lesson: two trainees, a theory lesson (room A), a practical lesson (room B), an online lesson,
 * terminal events, a make-up, a recording of room A, an online course with a session, a face check
 * and a segment — and rows that must stay outside the archive (a stranger's event, another day).
 */
async function seedClass(db: Db, o: { code?: string } = {}) {
  const school = await buildOrganization(db, { kind: 'training_institution', regionCode: REGION });
  const teacher = await buildPerson(db, { name: '王教师' });
  const trainees = [
    await buildPerson(db, { name: '张一' }),
    await buildPerson(db, { name: '张二' }),
  ];
  const stranger = await buildPerson(db, { name: '路人' });
  const roomA = await buildRoom(db, {
    organizationId: school.id,
    regionCode: REGION,
    name: '理论教室一',
  });
  const roomB = await buildRoom(db, {
    organizationId: school.id,
    regionCode: REGION,
    name: '实操车间',
    kind: 'practical',
  });
  const device = (room: { id: string }, kind: 'face_terminal' | 'camera', serial: string) =>
    db
      .insertInto('device')
      .values({
        organizationId: school.id,
        roomId: room.id,
        regionCode: REGION,
        kind,
        serial,
        name: serial,
        tokenId: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  const terminalA = await device(roomA, 'face_terminal', 'FT-A');
  const terminalB = await device(roomB, 'face_terminal', 'FT-B');
  const cameraA = await device(roomA, 'camera', 'CAM-A');
  const cameraB = await device(roomB, 'camera', 'CAM-B');
  const cls = await buildClass(db, {
    organizationId: school.id,
    regionCode: REGION,
    headTeacherId: teacher.id,
    code: o.code,
  });
  for (const p of trainees) await enrol(db, cls, p.id);
  const theory = await buildLesson(db, cls, {
    teacherId: teacher.id,
    roomId: roomA.id,
    startsAt: bj('08:00'),
    endsAt: bj('12:00'),
    topic: '安全生产法律法规',
  });
  const practical = await buildLesson(db, cls, {
    mode: 'practical',
    teacherId: teacher.id,
    roomId: roomB.id,
    startsAt: bj('14:00'),
    endsAt: bj('17:00'),
    topic: '电工仪表安全使用',
  });
  const online = await buildLesson(db, cls, {
    mode: 'online',
    teacherId: teacher.id,
    startsAt: bj('08:00', '2026-11-17'),
    endsAt: bj('10:00', '2026-11-17'),
    topic: '线上理论',
  });
  let n = 0;
  const event = (
    terminal: { id: string; roomId: string },
    personId: string,
    eventType: 'check_in' | 'check_out' | 'random_check',
    at: Date,
  ) =>
    db
      .insertInto('attendanceEvent')
      .values({
        deviceId: terminal.id,
        deviceEventId: `${o.code ?? 'e'}-${++n}`,
        organizationId: school.id,
        roomId: terminal.roomId,
        regionCode: REGION,
        personId,
        eventType,
        occurredAt: at,
        receivedAt: at,
        matchScore: 0.93,
        liveness: 0.99,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  const inArchive = [
    await event(terminalA, trainees[0].id, 'check_in', bj('07:52')),
    await event(terminalA, trainees[0].id, 'check_out', bj('12:03')),
    await event(terminalA, trainees[1].id, 'check_in', bj('08:05')),
    await event(terminalA, trainees[1].id, 'check_out', bj('11:58')),
    await event(terminalB, trainees[0].id, 'check_in', bj('13:55')),
    await event(terminalB, trainees[0].id, 'check_out', bj('17:01')),
  ];
  const outside = [
    await event(terminalA, stranger.id, 'check_in', bj('08:01')),
    await event(terminalA, trainees[0].id, 'check_in', bj('08:00', '2026-11-18')),
  ];
  const makeup = await db
    .insertInto('attendanceMakeup')
    .values({
      lessonId: practical.id,
      classId: cls.id,
      personId: trainees[1].id,
      organizationId: school.id,
      regionCode: REGION,
      startsAt: bj('14:00'),
      endsAt: bj('17:00'),
      reason: '考勤机故障，班主任核实',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const recording = (
    camera: { id: string; roomId: string },
    id: string,
    from: Date,
    to: Date,
    hash: string,
  ) =>
    db
      .insertInto('recording')
      .values({
        organizationId: school.id,
        regionCode: REGION,
        roomId: camera.roomId,
        deviceId: camera.id,
        deviceRecordingId: id,
        startsAt: from,
        endsAt: to,
        sha256: hash,
        storageUri: `nas://school/${id}.mp4`,
        sizeBytes: 734003200,
        receivedAt: to,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  const recA = await recording(cameraA, 'rec-a', bj('07:58'), bj('12:05'), sha('a'));
  await recording(
    cameraA,
    'rec-other-day',
    bj('08:00', '2026-11-18'),
    bj('12:00', '2026-11-18'),
    sha('c'),
  );
  const course = await db
    .insertInto('onlineCourse')
    .values({
      classId: cls.id,
      organizationId: school.id,
      regionCode: REGION,
      title: '安全生产法律法规（线上）',
      mediaKind: 'video',
      mediaUrl: 'https://media.example/law.mp4',
      durationSeconds: 5400,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const session = await db
    .insertInto('onlineSession')
    .values({
      classId: cls.id,
      courseId: course.id,
      personId: trainees[0].id,
      organizationId: school.id,
      regionCode: REGION,
      startedAt: bj('08:00', '2026-11-17'),
      lastSeenAt: bj('09:30', '2026-11-17'),
      positionSeconds: 5400,
      endedAt: bj('09:30', '2026-11-17'),
      endReason: 'completed',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db
    .insertInto('onlineFaceCheck')
    .values({
      sessionId: session.id,
      personId: trainees[0].id,
      checkedAt: bj('08:00', '2026-11-17'),
      passed: true,
      decision: 'match',
      score: 0.91,
    })
    .execute();
  await db
    .insertInto('onlineSegment')
    .values({
      sessionId: session.id,
      classId: cls.id,
      personId: trainees[0].id,
      regionCode: REGION,
      startsAt: bj('08:00', '2026-11-17'),
      endsAt: bj('09:30', '2026-11-17'),
      positionFrom: 0,
      positionTo: 5400,
      verified: true,
      reason: null,
    })
    .execute();
  const addVideoB = () => recording(cameraB, 'rec-b', bj('13:50'), bj('17:10'), sha('b'));
  return {
    school,
    teacher,
    trainees,
    roomA,
    roomB,
    terminalA,
    cls,
    lessons: { theory, practical, online },
    inArchive,
    outside,
    makeup,
    recA,
    addVideoB,
  };
}

const documentBody = (part: string) => ({
  part,
  title: `${part} 第1期`,
  content: `${part} 的内容：…`,
});

describe.each(testDatabaseModes)('class archive (一期一档) on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let s: Awaited<ReturnType<typeof seedClass>>;
  let cookie: string;
  let rivalCookie: string;
  let regulatorCookie: string;
  let farRegulatorCookie: string;
  let workerCookie: string;
  let root: string;
  let zip: Record<string, Uint8Array>;
  const documentIds: Record<string, string> = {};
  const dir = mkdtempSync(join(tmpdir(), 'zx-archive-'));

  const get = (url: string, c = cookie) =>
    app.inject({ method: 'GET', url, headers: { cookie: c } });
  const post = (url: string, payload: unknown, c = cookie) =>
    app.inject({ method: 'POST', url, headers: { cookie: c }, payload: payload as object });

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    app = await buildTestApp(t, { now: () => NOW });
    s = await seedClass(t.db, { code: 'DG-2026-07' });
    const rival = await buildOrganization(t.db, {
      kind: 'training_institution',
      regionCode: REGION,
    });
    const regulator = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const farRegulator = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3708' });
    cookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['training_institution'], organizationId: s.school.id }))
        .username,
    );
    rivalCookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['training_institution'], organizationId: rival.id }))
        .username,
    );
    regulatorCookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['regulator'], organizationId: regulator.id })).username,
    );
    farRegulatorCookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['regulator'], organizationId: farRegulator.id })).username,
    );
    workerCookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['worker'], personId: s.trainees[0].id })).username,
    );
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await app?.close();
    await t?.close();
  });

  it('lists the parts of the archive and what each lacks', async () => {
    const res = await get(`/api/classes/${s.cls.id}/archive`, workerCookie);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      classId: s.cls.id,
      code: 'DG-2026-07',
      status: 'open',
      complete: false,
      seal: null,
    });
    const by = Object.fromEntries(body.parts.map((p: { part: string }) => [p.part, p]));
    expect(by.plan).toMatchObject({ present: true, count: 3, missing: [] });
    expect(by.roster).toMatchObject({ present: true, count: 2 });
    // Six terminal events of roster persons on the lesson days in the lessons' rooms, and one make-up.
    expect(by.attendance).toMatchObject({ present: true, count: 7 });
    expect(by.video).toMatchObject({
      present: false,
      count: 1,
      missing: ['电工仪表安全使用（2026-11-16 14:00–17:00，实操车间）没有录像'],
    });
    for (const part of archiveDocumentParts)
      expect(by[part]).toMatchObject({
        present: false,
        count: 0,
        missing: [expect.stringMatching(/^缺少/)],
      });
  });

  it('refuses to close an incomplete archive, naming every missing part', async () => {
    const res = await post(`/api/classes/${s.cls.id}/close`, {});
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error.code).toBe('rule_violation');
    const details = res.json().error.details as { path: string; code: string; message: string }[];
    expect(details.map((d) => d.path)).toEqual([
      'archive.video',
      ...archiveDocumentParts.map((p) => `archive.${p}`),
    ]);
    expect(details[0]).toMatchObject({
      code: 'archive_video_missing',
      message: expect.stringContaining('电工仪表安全使用'),
    });
    const row = await t.db
      .selectFrom('trainingClass')
      .select(['status', 'closedAt'])
      .where('id', '=', s.cls.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'open', closedAt: null });
    expect(await t.db.selectFrom('classSeal').selectAll().execute()).toEqual([]);
  });

  it('files documents for the institution only, audited', async () => {
    expect(
      (await post(`/api/classes/${s.cls.id}/documents`, documentBody('summary'), workerCookie))
        .statusCode,
    ).toBe(403);
    expect(
      (await post(`/api/classes/${s.cls.id}/documents`, documentBody('summary'), regulatorCookie))
        .statusCode,
    ).toBe(403);
    expect(
      (await post(`/api/classes/${s.cls.id}/documents`, documentBody('summary'), rivalCookie))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await post(
          `/api/classes/${s.cls.id}/documents`,
          documentBody('summary'),
          farRegulatorCookie,
        )
      ).statusCode,
    ).toBe(404);
    const bad = await post(`/api/classes/${s.cls.id}/documents`, {
      part: 'gossip',
      title: '',
      content: 'x',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['body.part', 'body.title']),
    );
    for (const part of archiveDocumentParts) {
      const res = await post(`/api/classes/${s.cls.id}/documents`, documentBody(part));
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ part, title: `${part} 第1期` });
      documentIds[part] = res.json().id;
    }
    const audited = await t.db
      .selectFrom('auditLog')
      .select(['entityId'])
      .where('action', '=', 'class.document.add')
      .execute();
    expect(audited.map((a) => a.entityId).sort()).toEqual(Object.values(documentIds).sort());
  });

  it('closes a complete archive: class closed, every record a leaf, the root in class_seal and the audit log', async () => {
    await s.addVideoB();
    expect((await get(`/api/classes/${s.cls.id}/archive`)).json().complete).toBe(true);
    expect((await post(`/api/classes/${s.cls.id}/close`, {}, workerCookie)).statusCode).toBe(403);
    expect((await post(`/api/classes/${s.cls.id}/close`, {}, regulatorCookie)).statusCode).toBe(
      403,
    );
    const res = await post(`/api/classes/${s.cls.id}/close`, {});
    expect(res.statusCode, res.body).toBe(200);
    root = res.json().root;
    // class 1 + trainees 2 + lessons 3 + events 6 + make-up 1 + recordings 2 + online 1+1+1+1 + documents 6
    expect(res.json()).toEqual({
      classId: s.cls.id,
      root: expect.stringMatching(/^[0-9a-f]{64}$/),
      sealedAt: NOW.toISOString(),
      leaves: 25,
    });

    const cls = await t.db
      .selectFrom('trainingClass')
      .select(['status', 'closedAt'])
      .where('id', '=', s.cls.id)
      .executeTakeFirstOrThrow();
    expect(cls).toEqual({ status: 'closed', closedAt: NOW });
    const seal = await t.db
      .selectFrom('classSeal')
      .selectAll()
      .where('classId', '=', s.cls.id)
      .executeTakeFirstOrThrow();
    expect(seal.root).toBe(root);
    const kinds = seal.leaves.map((l) => `${l.kind} ${l.id}`);
    for (const e of s.inArchive) expect(kinds).toContain(`attendance_event ${e.id}`);
    for (const e of s.outside) expect(kinds).not.toContain(`attendance_event ${e.id}`);
    expect(kinds).toContain(`attendance_makeup ${s.makeup.id}`);
    expect(seal.leaves.map((l) => l.kind)).toEqual([...seal.leaves.map((l) => l.kind)].sort());
    const entry = await t.db
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'class.seal')
      .where('entityId', '=', s.cls.id)
      .executeTakeFirstOrThrow();
    expect(entry.afterDigest).toBe(digestOf({ root, leaves: 25 }));
    expect(entry.summary).toContain(`root=${root}`);

    const checklist = (await get(`/api/classes/${s.cls.id}/archive`, regulatorCookie)).json();
    expect(checklist).toMatchObject({
      status: 'closed',
      complete: true,
      seal: { root, sealedAt: NOW.toISOString(), leaves: 25 },
    });
    expect(
      (await post(`/api/classes/${s.cls.id}/documents`, documentBody('summary'))).statusCode,
    ).toBe(409);
    expect((await post(`/api/classes/${s.cls.id}/close`, {})).statusCode).toBe(409);
  });

  it('verifies an untouched archive', async () => {
    const res = await get(`/api/classes/${s.cls.id}/archive/verify`, regulatorCookie);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      root,
      manifestRoot: root,
      auditRoot: root,
      currentRoot: root,
      leaves: 25,
      records: 25,
      changed: [],
      added: [],
      removed: [],
      problems: [],
    });
  });

  it('exports a zip whose standalone script recomputes the server root offline', async () => {
    expect((await get(`/api/classes/${s.cls.id}/archive.zip`, workerCookie)).statusCode).toBe(403);
    const res = await get(`/api/classes/${s.cls.id}/archive.zip`, regulatorCookie);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toContain('archive-DG-2026-07.zip');
    zip = unzipSync(new Uint8Array(res.rawPayload));
    expect(Object.keys(zip).sort()).toEqual([
      'README.txt',
      'archive.json',
      'evidence.csv',
      'manifest.json',
      'verify-archive.mjs',
    ]);
    for (const [name, bytes] of Object.entries(zip)) writeFileSync(join(dir, name), bytes);

    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      class: { code: 'DG-2026-07', name: '测试培训班', institution: { id: s.school.id } },
      root,
      sealedAt: NOW.toISOString(),
    });
    const entry = await t.db
      .selectFrom('auditLog')
      .select([sql<string>`seq::text`.as('seq'), 'hash'])
      .where('action', '=', 'class.seal')
      .where('entityId', '=', s.cls.id)
      .executeTakeFirstOrThrow();
    expect(manifest.audit).toMatchObject({ seq: entry.seq, hash: entry.hash });
    const csv = Buffer.from(zip['evidence.csv']).toString('utf8');
    expect(csv.startsWith('\uFEFF录像ID,教室,开始时间,结束时间,SHA-256,存储位置')).toBe(true);
    expect(csv).toContain(
      `${s.recA.id},理论教室一,2026-11-16T07:58:00+08:00,2026-11-16T12:05:00+08:00,${sha('a')},nas://school/rec-a.mp4`,
    );
    expect(Buffer.from(zip['README.txt']).toString('utf8')).toContain('node verify-archive.mjs');

    // The divergence guard: the script's root for archive.json is the server's root.
    const ok = await run('node', ['verify-archive.mjs'], { cwd: dir });
    expect(ok.stdout).toMatch(new RegExp(`^OK 25 records, root ${root}, audit seq ${entry.seq}`));

    const archive = JSON.parse(readFileSync(join(dir, 'archive.json'), 'utf8'));
    // The script canonicalizes by itself: the same records with every key order reversed still verify.
    const reversed = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reversed)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reversed(x)]),
            )
          : v;
    writeFileSync(join(dir, 'archive.json'), JSON.stringify(reversed(archive)));
    expect((await run('node', ['verify-archive.mjs'], { cwd: dir })).stdout).toMatch(
      /^OK 25 records/,
    );

    const lesson = archive.records.find(
      (r: { kind: string; id: string }) => r.kind === 'lesson' && r.id === s.lessons.theory.id,
    );
    lesson.record.teacherId = s.trainees[1].id;
    writeFileSync(join(dir, 'archive.json'), JSON.stringify(archive, null, 2));
    const bad = await run('node', [join(dir, 'verify-archive.mjs')]).catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stdout: string }).stdout).toContain(
      `CHANGED  lesson ${s.lessons.theory.id} 安全生产法律法规（2026-11-16 08:00–12:00）`,
    );
    expect((bad as { stdout: string }).stdout).toContain('ROOT');
  });

  it('names each record changed, added or removed after sealing', async () => {
    await sql`update lesson set ends_at = ${bj('11:30')} where id = ${s.lessons.theory.id}`.execute(
      t.db,
    );
    const added = await sql<{ id: string }>`
      insert into attendance_event (device_id, device_event_id, organization_id, room_id, region_code, person_id, event_type, occurred_at, received_at)
      values (${s.terminalA.id}, 'forged-1', ${s.school.id}, ${s.roomA.id}, ${REGION}, ${s.trainees[1].id}, 'random_check', ${bj('10:00')}, ${bj('10:00')})
      returning id`.execute(t.db);
    await sql`delete from class_document where id = ${documentIds.summary}`.execute(t.db);
    // 张一's check-out of the morning lesson moved from 12:03 to 12:30 (hours stretched after sealing).
    const checkOut = s.inArchive[1];
    await sql`update attendance_event set occurred_at = ${bj('12:30')} where id = ${checkOut.id}`.execute(
      t.db,
    );

    const res = await get(`/api/classes/${s.cls.id}/archive/verify`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ok: false,
      root,
      auditRoot: root,
      added: [
        {
          kind: 'attendance_event',
          id: added.rows[0].id,
          label: '抽查 2026-11-16 10:00',
          person: '张二',
          changes: [],
        },
      ],
      // Read from the copy kept at sealing: what was deleted is still named.
      removed: [
        {
          kind: 'class_document',
          id: documentIds.summary,
          label: '培训班总结报告《summary 第1期》',
          description: '档案文件 培训班总结报告《summary 第1期》：封档后被删除',
        },
      ],
      problems: [],
    });
    const changed = res.json().changed as {
      kind: string;
      id: string;
      person: string | null;
      lesson: string | null;
      changes: { field: string; before: string; after: string }[];
      description: string;
    }[];
    expect(changed.map((c) => c.id).sort()).toEqual([s.lessons.theory.id, checkOut.id].sort());
    // The person, the lesson and the field that changed, from what to what — in Beijing time.
    expect(changed.find((c) => c.id === checkOut.id)).toMatchObject({
      kind: 'attendance_event',
      person: '张一',
      lesson: '安全生产法律法规（2026-11-16 08:00–11:30）',
      changes: [{ field: '考勤时间', before: '2026-11-16 12:03', after: '2026-11-16 12:30' }],
      description:
        '张一 · 安全生产法律法规（2026-11-16 08:00–11:30） · 考勤记录 签退 2026-11-16 12:30：封档后被修改，考勤时间由「2026-11-16 12:03」改为「2026-11-16 12:30」',
    });
    expect(changed.find((c) => c.id === s.lessons.theory.id)).toMatchObject({
      kind: 'lesson',
      label: '安全生产法律法规（2026-11-16 08:00–11:30）',
      changes: [{ field: '结束时间', before: '2026-11-16 12:00', after: '2026-11-16 11:30' }],
    });
    expect(res.json().currentRoot).not.toBe(root);
  });

  it('detects a rewritten manifest: class_seal no longer matches the root in the audit log', async () => {
    // A forger re-seals the tampered state consistently (leaves and root); only the audit log still knows.
    const forged = await computeArchive(t.db, s.cls.id);
    await sql`update class_seal set leaves = ${JSON.stringify(forged.leaves)}::jsonb, root = ${forged.root} where class_id = ${s.cls.id}`.execute(
      t.db,
    );
    const res = (await get(`/api/classes/${s.cls.id}/archive/verify`)).json();
    expect(res).toMatchObject({
      ok: false,
      root: forged.root,
      manifestRoot: forged.root,
      auditRoot: root,
      changed: [],
      added: [],
      removed: [],
    });
    expect(res.problems).toEqual([
      {
        code: 'audit_mismatch',
        message: expect.stringContaining('manifest does not match the audit log'),
      },
    ]);

    // Leaves edited without fixing the root: the manifest contradicts itself and the audit log.
    await sql`update class_seal set leaves = jsonb_set(leaves, '{0,hash}', ${JSON.stringify(sha('0'))}::jsonb) where class_id = ${s.cls.id}`.execute(
      t.db,
    );
    const res2 = (await get(`/api/classes/${s.cls.id}/archive/verify`)).json();
    expect(res2.problems.map((p: { code: string }) => p.code)).toEqual([
      'manifest_root_mismatch',
      'audit_mismatch',
    ]);
    expect(res2.changed).toHaveLength(1);
  });

  it('answers 404 out of scope on every archive route, 409 before sealing', async () => {
    const routes = [
      ['GET', `/api/classes/${s.cls.id}/archive`],
      ['POST', `/api/classes/${s.cls.id}/documents`],
      ['POST', `/api/classes/${s.cls.id}/close`],
      ['GET', `/api/classes/${s.cls.id}/archive/verify`],
      ['GET', `/api/classes/${s.cls.id}/archive.zip`],
    ] as const;
    for (const c of [rivalCookie, farRegulatorCookie]) {
      for (const [method, url] of routes) {
        const res = await app.inject({
          method,
          url,
          headers: { cookie: c },
          payload: method === 'POST' ? documentBody('summary') : undefined,
        });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json().error.code).toBe('not_found');
      }
    }
    const open = await buildClass(t.db, {
      organizationId: s.school.id,
      regionCode: REGION,
      headTeacherId: s.teacher.id,
    });
    expect((await get(`/api/classes/${open.id}/archive/verify`)).statusCode).toBe(409);
    expect((await get(`/api/classes/${open.id}/archive.zip`)).statusCode).toBe(409);
  });
});

/**
 * `zhenxun archive verify` as a subprocess, like audit.test.ts runs `audit verify`: an on-disk
 * PGlite (closed while the CLI runs, PGlite being one process's) or the PostgreSQL test database.
 */
describe.each(testDatabaseModes)('zhenxun archive verify (CLI) on %s', (mode) => {
  const dir = mkdtempSync(join(tmpdir(), 'zx-archive-cli-'));
  let pg: TestDatabase | undefined;
  afterAll(async () => {
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { DATABASE_URL: _ignored, ...baseEnv } = process.env;
  const env = () =>
    pg
      ? { ...baseEnv, DATABASE_URL: pg.pool.options.connectionString, ZHENXUN_FROM_SOURCE: '1' }
      : { ...baseEnv, DATA_DIR: dir, ZHENXUN_FROM_SOURCE: '1' };
  const open = async (): Promise<DatabaseHandle> => {
    if (mode === 'postgresql') {
      pg ??= await createTestDatabase('postgresql');
      return { ...pg, close: async () => {} };
    }
    const h = await openDatabase({ dataDir: dir });
    await migrateToLatest(h.db);
    return h;
  };
  const cli = (...args: string[]) =>
    run('node', ['bin/zhenxun.js', 'archive', 'verify', ...args], { env: env() }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('exits 0 on an intact archive and 1 naming the changed record after tampering', async () => {
    const h = await open();
    await loadRegions(h.db);
    const s = await seedClass(h.db, { code: 'CLI-01' });
    await s.addVideoB();
    const app = await buildTestApp(h, { now: () => NOW });
    const cookie = await loginCookie(
      app,
      (await buildUser(h.db, { roles: ['training_institution'], organizationId: s.school.id }))
        .username,
    );
    for (const part of archiveDocumentParts)
      await app.inject({
        method: 'POST',
        url: `/api/classes/${s.cls.id}/documents`,
        headers: { cookie },
        payload: documentBody(part),
      });
    const closed = await app.inject({
      method: 'POST',
      url: `/api/classes/${s.cls.id}/close`,
      headers: { cookie },
    });
    expect(closed.statusCode, closed.body).toBe(200);
    await app.close();
    await h.close();

    const ok = await cli('CLI-01');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`root ${closed.json().root}`);
    expect(ok.stdout).toContain('archive intact: 25 records');

    const h2 = await open();
    await sql`update lesson set topic = '改过的课题' where id = ${s.lessons.practical.id}`.execute(
      h2.db,
    );
    await h2.close();
    const broken = await cli(s.cls.id);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(
      `changed  lesson ${s.lessons.practical.id} 改过的课题（2026-11-16 14:00–17:00）`,
    );

    expect((await cli('NO-SUCH-CLASS')).code).toBe(2);
    const usage = await run('node', ['bin/zhenxun.js', 'archive', 'verify'], { env: env() }).then(
      () => ({ code: 0 }),
      (e: { code: number }) => e,
    );
    expect(usage.code).toBe(2);
    // Four CLI processes each start Node and open the database: seconds alone, a minute or more on
    // a shared two-core machine, which is not what this test is about.
  }, 240_000);
});
