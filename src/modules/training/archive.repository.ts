import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { ArchiveKind } from './archive.rules.js';
import type { ArchiveDocumentPart, SealedRecord, SealLeaf } from './classes.table.js';

/**
 * The rows of one class's archive (一期一档). Each table's record is the explicit column list below
 * (every column when this was written): a column added to a table later does not silently change
 * the hash of every archive sealed before it. Callers have already found the class in the actor's
 * scope (findVisibleClass) or run as the system (the CLI).
 */
const columns = {
  trainingClass: [
    'id',
    'organizationId',
    'regionCode',
    'code',
    'name',
    'operationItemCode',
    'kind',
    'headTeacherId',
    'startDate',
    'endDate',
    'syllabusTheoryHours',
    'syllabusPracticalHours',
    'status',
    'closedAt',
    'createdAt',
  ],
  classTrainee: ['id', 'classId', 'personId', 'organizationId', 'regionCode', 'enrolledAt'],
  lesson: [
    'id',
    'classId',
    'organizationId',
    'regionCode',
    'mode',
    'topic',
    'teacherId',
    'roomId',
    'startsAt',
    'endsAt',
    'warnings',
    'createdAt',
  ],
  attendanceEvent: [
    'id',
    'deviceId',
    'deviceEventId',
    'organizationId',
    'roomId',
    'regionCode',
    'personId',
    'eventType',
    'occurredAt',
    'receivedAt',
    'matchScore',
    'liveness',
    'photoRef',
  ],
  attendanceMakeup: [
    'id',
    'lessonId',
    'classId',
    'personId',
    'organizationId',
    'regionCode',
    'startsAt',
    'endsAt',
    'reason',
    'enteredBy',
    'createdAt',
  ],
  recording: [
    'id',
    'organizationId',
    'regionCode',
    'roomId',
    'deviceId',
    'deviceRecordingId',
    'startsAt',
    'endsAt',
    'sha256',
    'storageUri',
    'sizeBytes',
    'receivedAt',
  ],
  onlineCourse: [
    'id',
    'classId',
    'organizationId',
    'regionCode',
    'title',
    'mediaKind',
    'mediaUrl',
    'durationSeconds',
    'createdAt',
  ],
  onlineSession: [
    'id',
    'classId',
    'courseId',
    'personId',
    'organizationId',
    'regionCode',
    'startedAt',
    'lastSeenAt',
    'positionSeconds',
    'lastPassedCheckAt',
    'endedAt',
    'endReason',
  ],
  onlineFaceCheck: [
    'id',
    'sessionId',
    'personId',
    'checkedAt',
    'passed',
    'decision',
    'score',
    'faceVerificationId',
  ],
  onlineSegment: [
    'id',
    'sessionId',
    'classId',
    'personId',
    'regionCode',
    'startsAt',
    'endsAt',
    'positionFrom',
    'positionTo',
    'verified',
    'reason',
  ],
  classDocument: [
    'id',
    'classId',
    'organizationId',
    'regionCode',
    'part',
    'title',
    'content',
    'createdBy',
    'createdAt',
  ],
} as const;

/** A lesson's Beijing day as [start, end) instants: attendance is paired per room and Beijing day (ledger.ts). */
const dayStart = sql`(date_trunc('day', l.starts_at at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai')`;
const dayEnd = sql`((date_trunc('day', l.starts_at at time zone 'Asia/Shanghai') + interval '1 day') at time zone 'Asia/Shanghai')`;

export async function loadArchiveRows(db: Executor, classId: string) {
  const rows = (await loadArchiveRowsOf(db, [classId])).get(classId);
  if (!rows) throw new Error(`no class ${classId}`);
  return rows;
}

/** Groups rows by class, keeping their order (every query below orders by id). */
function byClass<T>(rows: readonly T[], classOf: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = classOf(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/** Drops the class key a multi-class query adds, so the record hashed is exactly its columns. */
function withoutKey<T extends { forClassId: string }>(r: T): Omit<T, 'forClassId'> {
  const { forClassId: _k, ...rest } = r;
  return rest;
}

/**
 * The archives of many classes at once (detection T11 reads every closed class of a region): the
 * same records and order as one class at a time, one query per table over the whole set.
 */
export async function loadArchiveRowsOf(db: Executor, classIds: readonly string[]) {
  const out = new Map<string, ChunkRows>();
  for (let i = 0; i < classIds.length; i += 1000)
    for (const [k, v] of await loadArchiveChunk(db, classIds.slice(i, i + 1000))) out.set(k, v);
  return out;
}

type ChunkRows =
  Awaited<ReturnType<typeof loadArchiveChunk>> extends Map<string, infer R> ? R : never;

async function loadArchiveChunk(db: Executor, ids: string[]) {
  const classes = await db
    .selectFrom('trainingClass')
    .select(columns.trainingClass)
    .where('id', 'in', ids)
    .execute();
  const trainees = await db
    .selectFrom('classTrainee')
    .select(columns.classTrainee)
    .where('classId', 'in', ids)
    .orderBy('id')
    .execute();
  const lessons = await db
    .selectFrom('lesson')
    .select(columns.lesson)
    .where('classId', 'in', ids)
    .orderBy('id')
    .execute();
  // Every terminal event of a roster person in an offline lesson's room on that lesson's Beijing day
  // (a check-in a few minutes before the lesson is the evidence its hours rest on, so it is sealed
  // too). Driven from the classes' lessons, so both use the (room_id, time) indexes.
  const events = await db
    .selectFrom('lesson as l')
    .innerJoin('attendanceEvent as e', (j) =>
      j
        .onRef('e.roomId', '=', 'l.roomId')
        .on(sql<boolean>`e.occurred_at >= ${dayStart} and e.occurred_at < ${dayEnd}`),
    )
    .innerJoin('classTrainee as ct', (j) =>
      j.onRef('ct.classId', '=', 'l.classId').onRef('ct.personId', '=', 'e.personId'),
    )
    .where('l.classId', 'in', ids)
    .where('l.mode', '<>', 'online')
    .distinctOn(['e.id', 'l.classId'])
    .select([...columns.attendanceEvent.map((c) => `e.${c}` as const), 'l.classId as forClassId'])
    .orderBy('e.id')
    .orderBy('l.classId')
    .execute();
  const makeups = await db
    .selectFrom('attendanceMakeup')
    .select(columns.attendanceMakeup)
    .where('classId', 'in', ids)
    .orderBy('id')
    .execute();
  const recordings = await db
    .selectFrom('lesson as l')
    .innerJoin('recording as r', (j) =>
      j
        .onRef('r.roomId', '=', 'l.roomId')
        .onRef('r.startsAt', '<', 'l.endsAt')
        .onRef('r.endsAt', '>', 'l.startsAt'),
    )
    .where('l.classId', 'in', ids)
    .where('l.mode', '<>', 'online')
    .distinctOn(['r.id', 'l.classId'])
    .select([...columns.recording.map((c) => `r.${c}` as const), 'l.classId as forClassId'])
    .orderBy('r.id')
    .orderBy('l.classId')
    .execute();
  const onlineCourses = await db
    .selectFrom('onlineCourse')
    .select(columns.onlineCourse)
    .where('classId', 'in', ids)
    .orderBy('id')
    .execute();
  const onlineSessions = await db
    .selectFrom('onlineSession')
    .select(columns.onlineSession)
    .where('classId', 'in', ids)
    .orderBy('id')
    .execute();
  const onlineFaceChecks = await db
    .selectFrom('onlineFaceCheck as f')
    .innerJoin('onlineSession as s', 's.id', 'f.sessionId')
    .select([...columns.onlineFaceCheck.map((c) => `f.${c}` as const), 's.classId as forClassId'])
    .where('s.classId', 'in', ids)
    .orderBy('f.id')
    .execute();
  const onlineSegments = await db
    .selectFrom('onlineSegment')
    .select(columns.onlineSegment)
    .where('classId', 'in', ids)
    .orderBy('id')
    .execute();
  const documents = await db
    .selectFrom('classDocument')
    .select(columns.classDocument)
    .where('classId', 'in', ids)
    .orderBy('id')
    .execute();
  const t = byClass(trainees, (r) => r.classId);
  const l = byClass(lessons, (r) => r.classId);
  const e = byClass(events, (r) => r.forClassId);
  const m = byClass(makeups, (r) => r.classId);
  const rc = byClass(recordings, (r) => r.forClassId);
  const oc = byClass(onlineCourses, (r) => r.classId);
  const os = byClass(onlineSessions, (r) => r.classId);
  const fc = byClass(onlineFaceChecks, (r) => r.forClassId);
  const sg = byClass(onlineSegments, (r) => r.classId);
  const d = byClass(documents, (r) => r.classId);
  return new Map(
    classes.map((cls) => [
      cls.id,
      {
        cls,
        trainees: t.get(cls.id) ?? [],
        lessons: l.get(cls.id) ?? [],
        events: (e.get(cls.id) ?? []).map(withoutKey),
        makeups: m.get(cls.id) ?? [],
        recordings: (rc.get(cls.id) ?? []).map(withoutKey),
        onlineCourses: oc.get(cls.id) ?? [],
        onlineSessions: os.get(cls.id) ?? [],
        onlineFaceChecks: (fc.get(cls.id) ?? []).map(withoutKey),
        onlineSegments: sg.get(cls.id) ?? [],
        documents: d.get(cls.id) ?? [],
      },
    ]),
  );
}
export type ArchiveRows = Awaited<ReturnType<typeof loadArchiveRows>>;

/** Every record of the archive as `{kind, id, record}` (kind = table name). */
export function archiveRecords(
  rows: ArchiveRows,
): { kind: ArchiveKind; id: string; record: Record<string, unknown> }[] {
  const of = (kind: ArchiveKind, list: readonly { id: string }[]) =>
    list.map((record) => ({ kind, id: record.id, record: record as Record<string, unknown> }));
  return [
    ...of('training_class', [rows.cls]),
    ...of('class_trainee', rows.trainees),
    ...of('lesson', rows.lessons),
    ...of('attendance_event', rows.events),
    ...of('attendance_makeup', rows.makeups),
    ...of('recording', rows.recordings),
    ...of('online_course', rows.onlineCourses),
    ...of('online_session', rows.onlineSessions),
    ...of('online_face_check', rows.onlineFaceChecks),
    ...of('online_segment', rows.onlineSegments),
    ...of('class_document', rows.documents),
  ];
}

export function personNames(db: Executor, personIds: string[]) {
  if (personIds.length === 0) return Promise.resolve([] as { id: string; name: string }[]);
  return db.selectFrom('person').select(['id', 'name']).where('id', 'in', personIds).execute();
}

export function roomNames(db: Executor, roomIds: string[]) {
  if (roomIds.length === 0) return Promise.resolve([] as { id: string; name: string }[]);
  return db.selectFrom('room').select(['id', 'name']).where('id', 'in', roomIds).execute();
}

/** Locks the class row for a workflow transition (close) or a write that must not race one. */
export async function lockClass(db: Executor, classId: string): Promise<void> {
  await db.selectFrom('trainingClass').select('id').where('id', '=', classId).forUpdate().execute();
}

export function closeClassRow(db: Executor, classId: string, closedAt: Date) {
  return db
    .updateTable('trainingClass')
    .set({ status: 'closed', closedAt })
    .where('id', '=', classId)
    .execute();
}

export function insertDocument(
  db: Executor,
  row: {
    classId: string;
    organizationId: string;
    regionCode: string;
    part: ArchiveDocumentPart;
    title: string;
    content: string;
    createdBy: string | null;
    createdAt: Date;
  },
) {
  return db
    .insertInto('classDocument')
    .values(row)
    .returning(['id', 'part', 'title', 'createdAt'])
    .executeTakeFirstOrThrow();
}

export function insertSeal(
  db: Executor,
  seal: {
    classId: string;
    root: string;
    leaves: SealLeaf[];
    sealedAt: Date;
    sealedBy: string | null;
    records: SealedRecord[];
  },
) {
  return db
    .insertInto('classSeal')
    .values({
      ...seal,
      leaves: JSON.stringify(seal.leaves),
      records: JSON.stringify(seal.records),
    })
    .execute();
}

export function findSeal(db: Executor, classId: string) {
  return db.selectFrom('classSeal').selectAll().where('classId', '=', classId).executeTakeFirst();
}

export async function findSeals(db: Executor, classIds: readonly string[]) {
  const out = [];
  for (let i = 0; i < classIds.length; i += 1000)
    out.push(
      ...(await db
        .selectFrom('classSeal')
        .selectAll()
        .where('classId', 'in', classIds.slice(i, i + 1000))
        .execute()),
    );
  return out;
}

/** The audit entry of the seal: the last 'class.seal' entry of the class (its fields, to recompute its hash). */
export function findSealAuditEntry(db: Executor, classId: string) {
  return db
    .selectFrom('auditLog')
    .select([
      sql<string>`seq::text`.as('seq'),
      'at',
      'actor',
      'action',
      'entityType',
      'entityId',
      'regionCode',
      'beforeDigest',
      'afterDigest',
      'summary',
      'prevHash',
      'hash',
    ])
    .where('action', '=', 'class.seal')
    .where('entityType', '=', 'training_class')
    .where('entityId', '=', classId)
    .orderBy(sql`audit_log.seq`, 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Classes a CLI reference names: the id, or the class code (unique per institution only). */
export function findClassesByRef(db: Executor, ref: string) {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  return db
    .selectFrom('trainingClass as c')
    .innerJoin('organization as o', 'o.id', 'c.organizationId')
    .selectAll('c')
    .select('o.name as organizationName')
    .where(isUuid ? 'c.id' : 'c.code', '=', ref)
    .execute();
}

export function organizationOf(db: Executor, organizationId: string) {
  return db
    .selectFrom('organization')
    .select(['id', 'name', 'creditCode'])
    .where('id', '=', organizationId)
    .executeTakeFirstOrThrow();
}

/** The columns of each archive table that its seal covers (tests that attack seals pick among them). */
export { columns as sealedColumns };
