import { syllabusFor } from '../catalog/figures.js';
import { syllabusInForce } from '../modules/policy/syllabus.service.js';
import { writeSeal } from '../modules/training/archive.service.js';
import type { Actor } from '../platform/auth/actor.js';
import type { Executor } from '../platform/db/database.js';
import type { Bundle, BundleError, BundleSection } from './bundle.contract.js';
import * as repo from './bundle.repository.js';

/**
 * The training sections of the bundle (rooms → devices → classes → lessons → attendance, make-ups,
 * recordings → online courses → online sessions). A bundle carries history from other systems, so
 * the planning rules do not refuse it: what it brings in is judged afterwards, like any record
 * (class findings, the ledger, detection). What is refused is what cannot be a record: a dangling
 * ref, an impossible span, an offline lesson without a room, a class kind its item does not have.
 */

type OnlineSession = NonNullable<Bundle['onlineSessions']>[number];
type FaceCheck = NonNullable<OnlineSession['faceChecks']>[number];
type Segment = NonNullable<OnlineSession['segments']>[number];

type ClassKindName = 'initial' | 'refresher' | 'review';

type Err = (
  section: string,
  index: number,
  ref: string,
  field: string,
  code: string,
  message: string,
) => void;

interface Known {
  /** ref → where it points, for records in the file and those already imported. */
  rooms: Map<string, { organizationId?: string; organizationRef?: string }>;
  devices: Map<string, { kind: string }>;
}

const span = (a: string, b: string) => Date.parse(b) > Date.parse(a);

async function refsInDb(
  db: Executor,
  section: BundleSection,
  wanted: Iterable<string>,
  inFile: Set<string>,
) {
  return repo.findRefs(
    db,
    section,
    [...new Set(wanted)].filter((r) => !inFile.has(r)),
  );
}

/** Validates the training sections; `orgInfo` and the person refs come from the registry validation. */
export async function validateTrainingSections(
  db: Executor,
  b: Bundle,
  orgInfo: Map<string, { id?: string; kind: string; regionCode: string }>,
  personKnown: (ref: string) => boolean,
  push: (e: BundleError) => void,
  existing: Record<BundleSection, Map<string, string>>,
  personIds: Map<string, string>,
): Promise<void> {
  const err: Err = (section, index, ref, field, code, message) =>
    push({ section, index, ref, field, code, message });
  const rooms = b.rooms ?? [];
  const devices = b.devices ?? [];
  const classes = b.classes ?? [];
  const lessons = b.lessons ?? [];
  const refsOf = (rows: { ref: string }[]) => new Set(rows.map((r) => r.ref));
  const roomRefs = refsOf(rooms);
  const deviceRefs = refsOf(devices);
  const classRefs = refsOf(classes);
  const lessonRefs = refsOf(lessons);
  const courseRefs = refsOf(b.onlineCourses ?? []);

  const dbRooms = await refsInDb(
    db,
    'rooms',
    devices.map((d) => d.roomRef).concat(lessons.flatMap((l) => (l.roomRef ? [l.roomRef] : []))),
    roomRefs,
  );
  const dbDevices = await refsInDb(
    db,
    'devices',
    [...(b.attendance ?? []), ...(b.recordings ?? [])].map((r) => r.deviceRef),
    deviceRefs,
  );
  const dbDeviceKinds = new Map(
    (dbDevices.size
      ? await db
          .selectFrom('device')
          .select(['id', 'kind'])
          .where('id', 'in', [...dbDevices.values()])
          .execute()
      : []
    ).map((d) => [d.id, d.kind]),
  );
  const dbClasses = await refsInDb(
    db,
    'classes',
    lessons.map((l) => l.classRef).concat((b.onlineCourses ?? []).map((c) => c.classRef)),
    classRefs,
  );
  const dbLessons = await refsInDb(
    db,
    'lessons',
    (b.makeups ?? []).map((m) => m.lessonRef),
    lessonRefs,
  );
  const dbCourses = await refsInDb(
    db,
    'onlineCourses',
    (b.onlineSessions ?? []).map((s) => s.courseRef),
    courseRefs,
  );
  const known: Known = { rooms: new Map(), devices: new Map() };
  for (const d of devices) known.devices.set(d.ref, { kind: d.kind });
  for (const [ref, id] of dbDevices)
    known.devices.set(ref, { kind: dbDeviceKinds.get(id) ?? 'unknown' });

  const person = (section: string, i: number, ref: string, field: string, personRef: string) => {
    if (!personKnown(personRef))
      err(section, i, ref, field, 'dangling_ref', `${field}「${personRef}」不存在`);
  };
  const exists = (
    section: string,
    i: number,
    ref: string,
    field: string,
    target: string,
    inFile: Set<string>,
    inDb: Map<string, string>,
  ) => {
    if (!inFile.has(target) && !inDb.has(target))
      err(section, i, ref, field, 'dangling_ref', `${field}「${target}」不存在`);
  };

  const regions = new Set(
    (
      await db
        .selectFrom('region')
        .select('code')
        .where('code', 'in', [...new Set((b.syllabi ?? []).map((x) => x.regionCode)), ''])
        .execute()
    ).map((r) => r.code),
  );
  (b.syllabi ?? []).forEach((x, i) => {
    if (!regions.has(x.regionCode))
      err('syllabi', i, x.ref, 'regionCode', 'unknown_region', `行政区划 ${x.regionCode} 不存在`);
    const s = syllabusFor(x.operationItemCode, x.kind);
    if ('refused' in s) err('syllabi', i, x.ref, 'kind', 'no_syllabus', s.refused);
  });
  rooms.forEach((r, i) => {
    const org = orgInfo.get(r.organizationRef);
    if (!org)
      err(
        'rooms',
        i,
        r.ref,
        'organizationRef',
        'dangling_ref',
        `organizationRef「${r.organizationRef}」不存在`,
      );
    else if (org.kind !== 'training_institution' && org.kind !== 'exam_site')
      err('rooms', i, r.ref, 'organizationRef', 'not_institution', '教室只登记在培训机构或考点');
  });
  for (const [i, d] of devices.entries())
    exists('devices', i, d.ref, 'roomRef', d.roomRef, roomRefs, dbRooms);
  const codes = new Set<string>();
  classes.forEach((c, i) => {
    const org = orgInfo.get(c.organizationRef);
    if (!org)
      err(
        'classes',
        i,
        c.ref,
        'organizationRef',
        'dangling_ref',
        `organizationRef「${c.organizationRef}」不存在`,
      );
    else if (org.kind !== 'training_institution')
      err('classes', i, c.ref, 'organizationRef', 'not_institution', '培训班只属于培训机构');
    const s = syllabusFor(c.operationItemCode, c.kind);
    if ('refused' in s) err('classes', i, c.ref, 'kind', 'no_syllabus', s.refused);
    if (c.endDate < c.startDate)
      err('classes', i, c.ref, 'endDate', 'end_before_start', '结业日期早于开班日期');
    const code = `${c.organizationRef}\u0000${c.code}`;
    if (codes.has(code))
      err('classes', i, c.ref, 'code', 'duplicate_code', `期号 ${c.code} 在同一机构重复`);
    codes.add(code);
    person('classes', i, c.ref, 'headTeacherRef', c.headTeacherRef);
    for (const [j, t] of (c.traineeRefs ?? []).entries())
      person('classes', i, c.ref, `traineeRefs.${j}`, t);
    if (new Set(c.traineeRefs ?? []).size !== (c.traineeRefs ?? []).length)
      err('classes', i, c.ref, 'traineeRefs', 'duplicate_trainee', '同一学员在本班重复');
    for (const [j, t] of (c.trainees ?? []).entries())
      person('classes', i, c.ref, `trainees.${j}.personRef`, t.personRef);
    if (new Set((c.trainees ?? []).map((t) => t.personRef)).size !== (c.trainees ?? []).length)
      err('classes', i, c.ref, 'trainees', 'duplicate_trainee', '同一学员在本班重复');
    if (c.closedAt && c.closedAt.slice(0, 10) < c.startDate)
      err('classes', i, c.ref, 'closedAt', 'closed_before_start', '结业时间早于开班日期');
    if (c.sealed && !c.closedAt)
      err('classes', i, c.ref, 'sealed', 'sealed_while_open', '未结业的培训班不能封档');
  });
  await validateTrainingConflicts(db, b, orgInfo, existing, personIds, dbRooms, dbDevices, err);
  lessons.forEach((l, i) => {
    exists('lessons', i, l.ref, 'classRef', l.classRef, classRefs, dbClasses);
    person('lessons', i, l.ref, 'teacherRef', l.teacherRef);
    if (l.taughtByRef) person('lessons', i, l.ref, 'taughtByRef', l.taughtByRef);
    if (!span(l.startsAt, l.endsAt))
      err('lessons', i, l.ref, 'endsAt', 'end_before_start', '下课时间须晚于上课时间');
    if (l.mode === 'online' && l.roomRef)
      err('lessons', i, l.ref, 'roomRef', 'online_in_room', '线上课程不占用教室');
    if (l.mode !== 'online') {
      if (!l.roomRef) err('lessons', i, l.ref, 'roomRef', 'room_required', '线下课程须指定教室');
      else exists('lessons', i, l.ref, 'roomRef', l.roomRef, roomRefs, dbRooms);
    }
  });
  const device = (section: string, i: number, ref: string, deviceRef: string, kind: string) => {
    const d = known.devices.get(deviceRef);
    if (!d) err(section, i, ref, 'deviceRef', 'dangling_ref', `deviceRef「${deviceRef}」不存在`);
    else if (d.kind !== kind)
      err(
        section,
        i,
        ref,
        'deviceRef',
        'wrong_device_kind',
        kind === 'camera' ? '录像须来自摄像头' : '考勤须来自人脸识别终端',
      );
  };
  (b.attendance ?? []).forEach((a, i) => {
    device('attendance', i, a.ref, a.deviceRef, 'face_terminal');
    person('attendance', i, a.ref, 'personRef', a.personRef);
  });
  (b.makeups ?? []).forEach((m, i) => {
    exists('makeups', i, m.ref, 'lessonRef', m.lessonRef, lessonRefs, dbLessons);
    person('makeups', i, m.ref, 'personRef', m.personRef);
    if (!span(m.startsAt, m.endsAt))
      err('makeups', i, m.ref, 'endsAt', 'end_before_start', '结束时间须晚于开始时间');
  });
  (b.recordings ?? []).forEach((r, i) => {
    device('recordings', i, r.ref, r.deviceRef, 'camera');
    if (!span(r.startsAt, r.endsAt))
      err('recordings', i, r.ref, 'endsAt', 'end_before_start', '录像结束时间须晚于开始时间');
  });
  for (const [i, c] of (b.onlineCourses ?? []).entries())
    exists('onlineCourses', i, c.ref, 'classRef', c.classRef, classRefs, dbClasses);
  const openSessions = new Set<string>();
  (b.onlineSessions ?? []).forEach((s, i) => {
    exists('onlineSessions', i, s.ref, 'courseRef', s.courseRef, courseRefs, dbCourses);
    person('onlineSessions', i, s.ref, 'personRef', s.personRef);
    if (!s.endedAt) {
      if (openSessions.has(s.personRef))
        err(
          'onlineSessions',
          i,
          s.ref,
          'endedAt',
          'two_active_sessions',
          '同一学员只能有一个进行中的学习会话',
        );
      openSessions.add(s.personRef);
    }
    (s.segments ?? []).forEach((g, j) => {
      if (!span(g.startsAt, g.endsAt))
        err(
          'onlineSessions',
          i,
          s.ref,
          `segments.${j}.endsAt`,
          'end_before_start',
          '结束时间须晚于开始时间',
        );
    });
  });
}

/**
 * What the database's unique constraints would refuse at write time, found before anything is
 * written and named like every other problem (section, index, ref, field): a room name, a device
 * serial or a class code its organization already uses, a make-up already entered for the person
 * and lesson, a syllabus version already stored, a second open online session, an event or recording
 * id its device already sent. Records linked by their ref are the rows themselves, not conflicts.
 */
async function validateTrainingConflicts(
  db: Executor,
  b: Bundle,
  orgInfo: Map<string, { id?: string }>,
  existing: Record<BundleSection, Map<string, string>>,
  personIds: Map<string, string>,
  dbRooms: Map<string, string>,
  dbDevices: Map<string, string>,
  err: Err,
): Promise<void> {
  type Key = { scope: string; value: string; db: boolean };
  /** An organization's row id, or its ref for one the file brings (whose names cannot clash in the database). */
  const orgKey = (ref: string, value: string): Key => {
    const id = orgInfo.get(ref)?.id;
    return { scope: id ?? `ref:${ref}`, value, db: id !== undefined };
  };
  /**
   * `keyOf` gives a record's unique key; `inDb` is asked only for keys whose scope is a database row
   * (`db`), the others can clash only inside the file (checked unless `inFile` is false, when the
   * section's own validation already does).
   */
  const taken = async <R extends { ref: string }>(
    section: BundleSection,
    records: R[],
    keyOf: (r: R) => Key | null,
    inDb: (pairs: Key[]) => Promise<Set<string>>,
    field: string,
    code: string,
    message: (r: R) => string,
    inFile = true,
  ) => {
    const fresh = records
      .map((r, i) => ({ r, i, k: existing[section].has(r.ref) ? null : keyOf(r) }))
      .filter((x): x is { r: R; i: number; k: Key } => x.k !== null);
    const toAsk = fresh.map((x) => x.k).filter((k) => k.db);
    const dbKeys = toAsk.length ? await inDb(toAsk) : new Set<string>();
    const seen = new Map<string, string>();
    for (const { r, i, k } of fresh) {
      const key = `${k.scope}\u0000${k.value}`;
      if (k.db && dbKeys.has(key)) err(section, i, r.ref, field, code, message(r));
      else if (inFile && seen.has(key))
        err(section, i, r.ref, field, code, `${message(r)}（与「${seen.get(key)}」相同）`);
      seen.set(key, r.ref);
    }
  };
  const keysIn = (rows: { scope: string; value: string }[]) =>
    new Set(rows.map((r) => `${r.scope}\u0000${r.value}`));

  await taken(
    'rooms',
    b.rooms ?? [],
    (r) => orgKey(r.organizationRef, r.name),
    async (pairs) =>
      keysIn(
        await db
          .selectFrom('room')
          .select(['organizationId as scope', 'name as value'])
          .where('organizationId', 'in', [...new Set(pairs.map((p) => p.scope))])
          .where('name', 'in', [...new Set(pairs.map((p) => p.value))])
          .execute(),
      ),
    'name',
    'room_name_taken',
    (r) => `该机构已有名为「${r.name}」的教室`,
  );
  // A device belongs to its room's organization: a room in the file to its organizationRef, a room
  // already imported to the organization the database has for it.
  const roomOrg = new Map<string, (value: string) => Key>(
    (b.rooms ?? []).map((r) => [r.ref, (value: string) => orgKey(r.organizationRef, value)]),
  );
  const linkedRooms = [...dbRooms.values(), ...existing.rooms.values()];
  if (linkedRooms.length) {
    const rows = await db
      .selectFrom('room')
      .select(['id', 'organizationId'])
      .where('id', 'in', linkedRooms)
      .execute();
    const orgOfRoom = new Map(rows.map((r) => [r.id, r.organizationId]));
    for (const [ref, id] of [...dbRooms, ...existing.rooms]) {
      const org = orgOfRoom.get(id);
      if (org) roomOrg.set(ref, (value) => ({ scope: org, value, db: true }));
    }
  }
  await taken(
    'devices',
    b.devices ?? [],
    (d) => roomOrg.get(d.roomRef)?.(d.serial) ?? null,
    async (pairs) =>
      keysIn(
        await db
          .selectFrom('device')
          .select(['organizationId as scope', 'serial as value'])
          .where('organizationId', 'in', [...new Set(pairs.map((p) => p.scope))])
          .where('serial', 'in', [...new Set(pairs.map((p) => p.value))])
          .execute(),
      ),
    'serial',
    'device_serial_taken',
    (d) => `该机构已登记序列号为「${d.serial}」的设备`,
  );
  await taken(
    'classes',
    b.classes ?? [],
    (c) => orgKey(c.organizationRef, c.code),
    async (pairs) =>
      keysIn(
        await db
          .selectFrom('trainingClass')
          .select(['organizationId as scope', 'code as value'])
          .where('organizationId', 'in', [...new Set(pairs.map((p) => p.scope))])
          .where('code', 'in', [...new Set(pairs.map((p) => p.value))])
          .execute(),
      ),
    'code',
    'class_code_taken',
    (c) => `该机构已有期号为「${c.code}」的培训班`,
    false,
  );
  await taken(
    'syllabi',
    b.syllabi ?? [],
    (x) => ({
      scope: x.regionCode,
      value: `${x.operationItemCode}\u0000${x.kind}\u0000${x.effectiveFrom}`,
      db: true,
    }),
    async (pairs) =>
      keysIn(
        (
          await db
            .selectFrom('syllabusVersion')
            .select(['regionCode', 'operationItemCode', 'kind', 'effectiveFrom'])
            .where('regionCode', 'in', [...new Set(pairs.map((p) => p.scope))])
            .execute()
        ).map((r) => ({
          scope: r.regionCode,
          value: `${r.operationItemCode}\u0000${r.kind}\u0000${dateOnly(r.effectiveFrom)}`,
        })),
      ),
    'effectiveFrom',
    'syllabus_version_taken',
    (x) => `该地区 ${x.operationItemCode} 自 ${x.effectiveFrom} 起的大纲版本已存在`,
  );
  const lessonIds = await refsAndLinks(
    db,
    'lessons',
    (b.makeups ?? []).map((m) => m.lessonRef),
    existing,
  );
  await taken(
    'makeups',
    b.makeups ?? [],
    (m) => {
      const lesson = lessonIds.get(m.lessonRef);
      const person = personIds.get(m.personRef);
      return lesson && person ? { scope: lesson, value: person, db: true } : null;
    },
    async (pairs) =>
      keysIn(
        await db
          .selectFrom('attendanceMakeup')
          .select(['lessonId as scope', 'personId as value'])
          .where('lessonId', 'in', [...new Set(pairs.map((p) => p.scope))])
          .where('personId', 'in', [...new Set(pairs.map((p) => p.value))])
          .execute(),
      ),
    'personRef',
    'makeup_exists',
    () => '该学员本节课已有补录',
  );
  const deviceIds = new Map([...dbDevices, ...existing.devices]);
  await taken(
    'attendance',
    b.attendance ?? [],
    (a) => {
      const device = deviceIds.get(a.deviceRef);
      return device ? { scope: device, value: a.ref, db: true } : null;
    },
    async (pairs) =>
      keysIn(
        await db
          .selectFrom('attendanceEvent')
          .select(['deviceId as scope', 'deviceEventId as value'])
          .where('deviceId', 'in', [...new Set(pairs.map((p) => p.scope))])
          .where('deviceEventId', 'in', [...new Set(pairs.map((p) => p.value))])
          .execute(),
      ),
    'ref',
    'device_event_taken',
    () => '该终端已上传过同一事件编号的考勤',

    false,
  );
  await taken(
    'recordings',
    b.recordings ?? [],
    (r) => {
      const device = deviceIds.get(r.deviceRef);
      return device ? { scope: device, value: r.ref, db: true } : null;
    },
    async (pairs) =>
      keysIn(
        await db
          .selectFrom('recording')
          .select(['deviceId as scope', 'deviceRecordingId as value'])
          .where('deviceId', 'in', [...new Set(pairs.map((p) => p.scope))])
          .where('deviceRecordingId', 'in', [...new Set(pairs.map((p) => p.value))])
          .execute(),
      ),
    'ref',
    'device_recording_taken',
    () => '该摄像头已上传过同一录像编号',

    false,
  );
  await taken(
    'onlineSessions',
    (b.onlineSessions ?? []).filter((s) => !s.endedAt),
    (s) => {
      const person = personIds.get(s.personRef);
      return person ? { scope: 'open', value: person, db: true } : null;
    },
    async (pairs) =>
      keysIn(
        (
          await db
            .selectFrom('onlineSession')
            .select('personId')
            .where('endedAt', 'is', null)
            .where(
              'personId',
              'in',
              pairs.map((p) => p.value),
            )
            .execute()
        ).map((r) => ({ scope: 'open', value: r.personId })),
      ),
    'endedAt',
    'two_active_sessions',
    () => '该学员已有进行中的学习会话',
    false,
  );
}

const dateOnly = (d: Date | string) =>
  typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10);

/** ref → id of records already in the database, named by ref (imported before) or linked. */
async function refsAndLinks(
  db: Executor,
  section: BundleSection,
  refs: string[],
  existing: Record<BundleSection, Map<string, string>>,
) {
  return new Map([...(await repo.findRefs(db, section, [...new Set(refs)])), ...existing[section]]);
}

type Take = (
  section: BundleSection,
  ref: string,
  regionCode: string | null,
) => { id: string; isNew: boolean };
type IdOf = (section: BundleSection, ref: string) => Promise<string>;

/** Writes the training sections inside the import transaction, after the registry sections. */
export async function importTrainingSections(
  trx: Executor,
  b: Bundle,
  take: Take,
  idOf: IdOf,
  now: Date,
  importer: Actor | string,
): Promise<void> {
  const toSeal: { id: string; code: string; regionCode: string; closedAt: Date }[] = [];
  const orgRegion = new Map<string, string>();
  const regionOfOrg = async (orgId: string) => {
    let r = orgRegion.get(orgId);
    if (!r) {
      r = (
        await trx
          .selectFrom('organization')
          .select('regionCode')
          .where('id', '=', orgId)
          .executeTakeFirstOrThrow()
      ).regionCode;
      orgRegion.set(orgId, r);
    }
    return r;
  };
  const rowOf = async <T extends 'room' | 'device' | 'trainingClass' | 'lesson' | 'onlineCourse'>(
    table: T,
    id: string,
  ) =>
    trx
      .selectFrom(table as 'room')
      .select(['organizationId', 'regionCode'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  for (const x of b.syllabi ?? []) {
    const { id, isNew } = take('syllabi', x.ref, x.regionCode);
    if (isNew) {
      await trx
        .insertInto('syllabusVersion')
        .values({
          id,
          regionCode: x.regionCode,
          operationItemCode: x.operationItemCode,
          kind: x.kind,
          theoryHours: x.theoryHours,
          practicalHours: x.practicalHours,
          effectiveFrom: x.effectiveFrom,
          source: x.source,
          createdBy: null,
        })
        .execute();
    }
  }
  for (const r of b.rooms ?? []) {
    const organizationId = await idOf('organizations', r.organizationRef);
    const regionCode = await regionOfOrg(organizationId);
    const { id, isNew } = take('rooms', r.ref, regionCode);
    if (isNew)
      await trx
        .insertInto('room')
        .values({
          id,
          organizationId,
          regionCode,
          name: r.name,
          kind: r.kind,
          capacity: r.capacity ?? null,
          areaM2: r.areaM2 ?? null,
        })
        .execute();
  }
  const deviceRows = new Map<
    string,
    { organizationId: string; regionCode: string; roomId: string }
  >();
  const deviceOf = async (ref: string) => {
    const id = await idOf('devices', ref);
    let d = deviceRows.get(id);
    if (!d) {
      d = await trx
        .selectFrom('device')
        .select(['organizationId', 'regionCode', 'roomId'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      deviceRows.set(id, d);
    }
    return { id, ...d };
  };
  for (const d of b.devices ?? []) {
    const roomId = await idOf('rooms', d.roomRef);
    const room = await rowOf('room', roomId);
    const { id, isNew } = take('devices', d.ref, room.regionCode);
    if (isNew)
      await trx
        .insertInto('device')
        .values({
          id,
          organizationId: room.organizationId,
          regionCode: room.regionCode,
          roomId,
          kind: d.kind,
          serial: d.serial,
          name: d.name,
          tokenId: null,
        })
        .execute();
  }
  for (const c of b.classes ?? []) {
    const organizationId = await idOf('organizations', c.organizationRef);
    const regionCode = await regionOfOrg(organizationId);
    const { id, isNew } = take('classes', c.ref, regionCode);
    if (!isNew) continue;
    if (c.closedAt && c.sealed !== false)
      toSeal.push({ id, code: c.code, regionCode, closedAt: new Date(c.closedAt) });
    const s = await syllabusInForce(trx, regionCode, c.operationItemCode, c.kind, c.startDate);
    if ('refused' in s) throw new Error(`validated class ${c.ref} has no syllabus`);
    await trx
      .insertInto('trainingClass')
      .values({
        id,
        organizationId,
        regionCode,
        code: c.code,
        name: c.name,
        operationItemCode: c.operationItemCode,
        kind: c.kind,
        headTeacherId: await idOf('persons', c.headTeacherRef),
        startDate: c.startDate,
        endDate: c.endDate,
        syllabusTheoryHours: s.theoryHours,
        syllabusPracticalHours: s.practicalHours,
        status: c.closedAt ? 'closed' : 'open',
        closedAt: c.closedAt ? new Date(c.closedAt) : null,
      })
      .execute();
    const documents = (c.documents ?? []).map((d) => ({
      classId: id,
      organizationId,
      regionCode,
      part: d.part,
      title: d.title,
      content: d.content,
      createdBy: null,
      ...(d.createdAt ? { createdAt: d.createdAt } : {}),
    }));
    if (documents.length) await trx.insertInto('classDocument').values(documents).execute();
    const trainees = [];
    const kindOf = new Map((c.trainees ?? []).map((t) => [t.personRef, t.trainingKind]));
    for (const t of new Set([...(c.traineeRefs ?? []), ...kindOf.keys()]))
      trainees.push({
        classId: id,
        personId: await idOf('persons', t),
        organizationId,
        regionCode,
        trainingKind: kindOf.get(t) ?? null,
      });
    if (trainees.length) await trx.insertInto('classTrainee').values(trainees).execute();
  }
  const lessonRows = [];
  for (const l of b.lessons ?? []) {
    const classId = await idOf('classes', l.classRef);
    const cls = await rowOf('trainingClass', classId);
    const { id, isNew } = take('lessons', l.ref, cls.regionCode);
    if (!isNew) continue;
    lessonRows.push({
      id,
      classId,
      organizationId: cls.organizationId,
      regionCode: cls.regionCode,
      mode: l.mode,
      topic: l.topic,
      teacherId: await idOf('persons', l.teacherRef),
      taughtById: l.taughtByRef ? await idOf('persons', l.taughtByRef) : null,
      roomId: l.roomRef ? await idOf('rooms', l.roomRef) : null,
      startsAt: l.startsAt,
      endsAt: l.endsAt,
    });
  }
  for (const c of chunks(lessonRows)) await trx.insertInto('lesson').values(c).execute();

  const attendanceRows = [];
  for (const a of b.attendance ?? []) {
    const d = await deviceOf(a.deviceRef);
    const { id, isNew } = take('attendance', a.ref, d.regionCode);
    if (!isNew) continue;
    attendanceRows.push({
      id,
      deviceId: d.id,
      deviceEventId: a.ref,
      organizationId: d.organizationId,
      roomId: d.roomId,
      regionCode: d.regionCode,
      personId: await idOf('persons', a.personRef),
      eventType: a.type,
      occurredAt: a.occurredAt,
      receivedAt: now,
      matchScore: a.matchScore ?? null,
      liveness: a.liveness ?? null,
      photoRef: a.photoRef ?? null,
    });
  }
  for (const c of chunks(attendanceRows))
    await trx.insertInto('attendanceEvent').values(c).execute();

  for (const m of b.makeups ?? []) {
    const lessonId = await idOf('lessons', m.lessonRef);
    const lesson = await trx
      .selectFrom('lesson')
      .select(['classId', 'organizationId', 'regionCode'])
      .where('id', '=', lessonId)
      .executeTakeFirstOrThrow();
    const { id, isNew } = take('makeups', m.ref, lesson.regionCode);
    if (isNew) {
      await trx
        .insertInto('attendanceMakeup')
        .values({
          id,
          lessonId,
          classId: lesson.classId,
          personId: await idOf('persons', m.personRef),
          organizationId: lesson.organizationId,
          regionCode: lesson.regionCode,
          startsAt: m.startsAt,
          endsAt: m.endsAt,
          reason: m.reason,
          enteredBy: null,
        })
        .execute();
    }
  }
  const recordingRows = [];
  for (const r of b.recordings ?? []) {
    const d = await deviceOf(r.deviceRef);
    const { id, isNew } = take('recordings', r.ref, d.regionCode);
    if (!isNew) continue;
    recordingRows.push({
      id,
      organizationId: d.organizationId,
      regionCode: d.regionCode,
      roomId: d.roomId,
      deviceId: d.id,
      deviceRecordingId: r.ref,
      startsAt: r.startsAt,
      endsAt: r.endsAt,
      sha256: r.sha256,
      storageUri: r.storageUri,
      sizeBytes: r.sizeBytes ?? null,
      receivedAt: now,
    });
  }
  for (const c of chunks(recordingRows)) await trx.insertInto('recording').values(c).execute();

  for (const c of b.onlineCourses ?? []) {
    const classId = await idOf('classes', c.classRef);
    const cls = await rowOf('trainingClass', classId);
    const { id, isNew } = take('onlineCourses', c.ref, cls.regionCode);
    if (isNew) {
      await trx
        .insertInto('onlineCourse')
        .values({
          id,
          classId,
          organizationId: cls.organizationId,
          regionCode: cls.regionCode,
          title: c.title,
          mediaKind: c.mediaKind,
          mediaUrl: c.mediaUrl,
          durationSeconds: c.durationSeconds,
          claimedHours: c.claimedHours ?? null,
        })
        .execute();
    }
  }
  for (const s of b.onlineSessions ?? []) {
    const courseId = await idOf('onlineCourses', s.courseRef);
    const course = await trx
      .selectFrom('onlineCourse')
      .select(['classId', 'organizationId', 'regionCode'])
      .where('id', '=', courseId)
      .executeTakeFirstOrThrow();
    const { id, isNew } = take('onlineSessions', s.ref, course.regionCode);
    if (!isNew) continue;
    const personId = await idOf('persons', s.personRef);
    const lastPassed =
      (s.faceChecks ?? [])
        .filter((c) => c.passed)
        .map((c) => c.checkedAt)
        .sort()
        .at(-1) ?? null;
    await trx
      .insertInto('onlineSession')
      .values({
        id,
        classId: course.classId,
        courseId,
        personId,
        organizationId: course.organizationId,
        regionCode: course.regionCode,
        startedAt: s.startedAt,
        lastSeenAt: s.lastSeenAt,
        positionSeconds: s.positionSeconds ?? 0,
        lastPassedCheckAt: lastPassed ? new Date(lastPassed) : null,
        endedAt: s.endedAt ? new Date(s.endedAt) : null,
        endReason: s.endReason ?? null,
      })
      .execute();
    const checks = (s.faceChecks ?? []).map((c) => ({
      sessionId: id,
      personId,
      checkedAt: c.checkedAt,
      passed: c.passed,
      decision: c.decision,
      score: c.score ?? null,
      faceVerificationId: null,
    }));
    if (checks.length) await trx.insertInto('onlineFaceCheck').values(checks).execute();
    const segments = (s.segments ?? []).map((g) => ({
      sessionId: id,
      classId: course.classId,
      personId,
      regionCode: course.regionCode,
      startsAt: g.startsAt,
      endsAt: g.endsAt,
      positionFrom: g.positionFrom,
      positionTo: g.positionTo,
      verified: g.verified,
      reason: g.reason ?? null,
    }));
    for (const c of chunks(segments)) await trx.insertInto('onlineSegment').values(c).execute();
  }
  // A class that arrives closed is sealed over what this bundle brought for it, as closing seals on
  // the platform: what changes afterwards shows as altered after sealing (T11).
  for (const c of toSeal) await writeSeal(trx, importer, c, c.closedAt);
}

function chunks<T>(rows: T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

const iso = (d: Date | string) => new Date(d).toISOString().replace('Z', '+00:00');

/** The training sections of an export under a region prefix, in ref order. */
export async function exportTrainingSections(
  db: Executor,
  prefix: string,
  ref: (section: BundleSection, id: string) => string,
): Promise<Partial<Bundle>> {
  const like = `${prefix}%`;
  const syllabi = await db
    .selectFrom('syllabusVersion')
    .selectAll()
    .where('regionCode', 'like', like)
    .execute();
  const [
    rooms,
    devices,
    classes,
    trainees,
    lessons,
    attendance,
    makeups,
    recordings,
    courses,
    sessions,
    checks,
    segments,
    documents,
    seals,
  ] = await Promise.all([
    db.selectFrom('room').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('device').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('trainingClass').selectAll().where('regionCode', 'like', like).execute(),
    db
      .selectFrom('classTrainee')
      .select(['classId', 'personId', 'trainingKind'])
      .where('regionCode', 'like', like)
      .execute(),
    db.selectFrom('lesson').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('attendanceEvent').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('attendanceMakeup').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('recording').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('onlineCourse').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('onlineSession').selectAll().where('regionCode', 'like', like).execute(),
    db
      .selectFrom('onlineFaceCheck as c')
      .innerJoin('onlineSession as s', 's.id', 'c.sessionId')
      .select(['c.sessionId', 'c.checkedAt', 'c.passed', 'c.decision', 'c.score'])
      .where('s.regionCode', 'like', like)
      .execute(),
    db.selectFrom('onlineSegment').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('classDocument').selectAll().where('regionCode', 'like', like).execute(),
    db
      .selectFrom('classSeal as s')
      .innerJoin('trainingClass as c', 'c.id', 's.classId')
      .select('s.classId')
      .where('c.regionCode', 'like', like)
      .execute(),
  ]);
  const byRef = <T extends { ref: string }>(rows: T[]) =>
    rows.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  const group = <T, K>(rows: T[], key: (r: T) => K) => {
    const m = new Map<K, T[]>();
    for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
    return m;
  };
  const traineesOf = group(trainees, (t) => t.classId);
  // Trainees' own kinds travel only where recorded (v1 files without them stay as they were).
  const kindsOf = (list: { personId: string; trainingKind: ClassKindName | null }[]) => {
    const kinds = list
      .filter((t) => t.trainingKind !== null)
      .map((t) => ({ personRef: ref('persons', t.personId), trainingKind: t.trainingKind! }))
      .sort((a, b) => (a.personRef < b.personRef ? -1 : a.personRef > b.personRef ? 1 : 0));
    return kinds.length > 0 ? { trainees: kinds } : {};
  };
  const checksOf = group(checks, (c) => c.sessionId);
  const documentsOf = group(documents, (d) => d.classId);
  const sealedIds = new Set(seals.map((s) => s.classId));
  const segmentsOf = group(segments, (s) => s.sessionId);
  return {
    syllabi: byRef(
      syllabi.map((x) => ({
        ref: ref('syllabi', x.id),
        regionCode: x.regionCode,
        operationItemCode: x.operationItemCode,
        kind: x.kind,
        theoryHours: x.theoryHours,
        practicalHours: x.practicalHours,
        effectiveFrom: x.effectiveFrom,
        source: x.source,
      })),
    ),
    rooms: byRef(
      rooms.map((r) => ({
        ref: ref('rooms', r.id),
        organizationRef: ref('organizations', r.organizationId),
        name: r.name,
        kind: r.kind,
        capacity: r.capacity,
        areaM2: r.areaM2,
      })),
    ),
    devices: byRef(
      devices.map((d) => ({
        ref: ref('devices', d.id),
        roomRef: ref('rooms', d.roomId),
        kind: d.kind,
        serial: d.serial,
        name: d.name,
      })),
    ),
    classes: byRef(
      classes.map((c) => ({
        ref: ref('classes', c.id),
        organizationRef: ref('organizations', c.organizationId),
        code: c.code,
        name: c.name,
        operationItemCode: c.operationItemCode,
        kind: c.kind,
        headTeacherRef: ref('persons', c.headTeacherId),
        startDate: c.startDate,
        endDate: c.endDate,
        traineeRefs: (traineesOf.get(c.id) ?? []).map((t) => ref('persons', t.personId)).sort(),
        ...kindsOf(traineesOf.get(c.id) ?? []),
        ...(documentsOf.has(c.id)
          ? {
              documents: documentsOf
                .get(c.id)!
                .map((d) => ({
                  part: d.part,
                  title: d.title,
                  content: d.content,
                  createdAt: iso(d.createdAt),
                }))
                .sort(
                  (a, b) =>
                    a.createdAt.localeCompare(b.createdAt) || a.title.localeCompare(b.title),
                ),
            }
          : {}),
        ...(c.status === 'closed' && c.closedAt
          ? { closedAt: iso(c.closedAt), ...(sealedIds.has(c.id) ? {} : { sealed: false }) }
          : {}),
      })),
    ),
    lessons: byRef(
      lessons.map((l) => ({
        ref: ref('lessons', l.id),
        classRef: ref('classes', l.classId),
        mode: l.mode,
        topic: l.topic,
        teacherRef: ref('persons', l.teacherId),
        ...(l.taughtById ? { taughtByRef: ref('persons', l.taughtById) } : {}),
        roomRef: l.roomId ? ref('rooms', l.roomId) : null,
        startsAt: iso(l.startsAt),
        endsAt: iso(l.endsAt),
      })),
    ),
    attendance: byRef(
      attendance.map((a) => ({
        ref: ref('attendance', a.id),
        deviceRef: ref('devices', a.deviceId),
        personRef: ref('persons', a.personId),
        type: a.eventType,
        occurredAt: iso(a.occurredAt),
        matchScore: a.matchScore,
        liveness: a.liveness,
        photoRef: a.photoRef,
      })),
    ),
    makeups: byRef(
      makeups.map((m) => ({
        ref: ref('makeups', m.id),
        lessonRef: ref('lessons', m.lessonId),
        personRef: ref('persons', m.personId),
        startsAt: iso(m.startsAt),
        endsAt: iso(m.endsAt),
        reason: m.reason,
      })),
    ),
    recordings: byRef(
      recordings.map((r) => ({
        ref: ref('recordings', r.id),
        deviceRef: ref('devices', r.deviceId),
        startsAt: iso(r.startsAt),
        endsAt: iso(r.endsAt),
        sha256: r.sha256,
        storageUri: r.storageUri,
        sizeBytes: r.sizeBytes,
      })),
    ),
    onlineCourses: byRef(
      courses.map((c) => ({
        ref: ref('onlineCourses', c.id),
        classRef: ref('classes', c.classId),
        title: c.title,
        mediaKind: c.mediaKind,
        mediaUrl: c.mediaUrl,
        durationSeconds: c.durationSeconds,
        ...(c.claimedHours !== null ? { claimedHours: Number(c.claimedHours) } : {}),
      })),
    ),
    onlineSessions: byRef(
      sessions.map((s) => ({
        ref: ref('onlineSessions', s.id),
        courseRef: ref('onlineCourses', s.courseId),
        personRef: ref('persons', s.personId),
        startedAt: iso(s.startedAt),
        lastSeenAt: iso(s.lastSeenAt),
        positionSeconds: s.positionSeconds,
        endedAt: s.endedAt ? iso(s.endedAt) : null,
        // The columns hold only what the API and the bundle schema let in.
        endReason: s.endReason as OnlineSession['endReason'],
        faceChecks: (checksOf.get(s.id) ?? [])
          .map((c) => ({
            checkedAt: iso(c.checkedAt),
            passed: c.passed,
            decision: c.decision as FaceCheck['decision'],
            score: c.score,
          }))
          .sort((a, b) => a.checkedAt.localeCompare(b.checkedAt)),
        segments: (segmentsOf.get(s.id) ?? [])
          .map((g) => ({
            startsAt: iso(g.startsAt),
            endsAt: iso(g.endsAt),
            positionFrom: g.positionFrom,
            positionTo: g.positionTo,
            verified: g.verified,
            reason: g.reason as Segment['reason'],
          }))
          .sort((a, b) => a.startsAt.localeCompare(b.startsAt)),
      })),
    ),
  };
}
