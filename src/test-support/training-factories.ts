import type { ClassKind, LessonMode } from '../modules/training/classes.table.js';
import type { Db } from '../platform/db/database.js';

/**
 * Rows for training tests, written directly (a state to start from, not the use-case under test).
 * Times are ISO strings or Dates; a class's region is its institution's.
 */
export async function buildRoom(
  db: Db,
  o: { organizationId: string; regionCode: string; name?: string; kind?: 'theory' | 'practical' },
) {
  return db
    .insertInto('room')
    .values({
      organizationId: o.organizationId,
      regionCode: o.regionCode,
      name: o.name ?? `教室${Math.random().toString(36).slice(2, 8)}`,
      kind: o.kind ?? 'theory',
      capacity: 80,
      areaM2: 130,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildClass(
  db: Db,
  o: {
    organizationId: string;
    regionCode: string;
    headTeacherId: string;
    code?: string;
    operationItemCode?: string;
    kind?: ClassKind;
    startDate?: string;
    endDate?: string;
    theoryHours?: number;
    practicalHours?: number;
  },
) {
  return db
    .insertInto('trainingClass')
    .values({
      organizationId: o.organizationId,
      regionCode: o.regionCode,
      code: o.code ?? `T${Math.random().toString(36).slice(2, 8)}`,
      name: '测试培训班',
      operationItemCode: o.operationItemCode ?? '1.2',
      kind: o.kind ?? 'initial',
      headTeacherId: o.headTeacherId,
      startDate: o.startDate ?? '2026-11-02',
      endDate: o.endDate ?? '2026-11-30',
      syllabusTheoryHours: o.theoryHours ?? 48,
      syllabusPracticalHours: o.practicalHours ?? 32,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function enrol(
  db: Db,
  cls: { id: string; organizationId: string; regionCode: string },
  personId: string,
) {
  return db
    .insertInto('classTrainee')
    .values({
      classId: cls.id,
      personId,
      organizationId: cls.organizationId,
      regionCode: cls.regionCode,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildLesson(
  db: Db,
  cls: { id: string; organizationId: string; regionCode: string },
  o: {
    mode?: LessonMode;
    teacherId: string;
    roomId?: string | null;
    startsAt: string | Date;
    endsAt: string | Date;
    topic?: string;
  },
) {
  const mode = o.mode ?? 'theory';
  return db
    .insertInto('lesson')
    .values({
      classId: cls.id,
      organizationId: cls.organizationId,
      regionCode: cls.regionCode,
      mode,
      topic: o.topic ?? '安全生产法律法规',
      teacherId: o.teacherId,
      roomId: mode === 'online' ? null : (o.roomId ?? null),
      startsAt: o.startsAt,
      endsAt: o.endsAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
