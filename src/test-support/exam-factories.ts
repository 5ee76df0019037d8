import type { Db } from '../platform/db/database.js';
import { buildOrganization, buildPerson, buildStaff } from './factories.js';
import { buildClass, buildLesson, buildRoom, enrol } from './training-factories.js';

const bj = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`);

/**
 * A finished class of an item whose trainees have recorded hours (terminal check-in/out in a filmed
 * room for a theory and a practical lesson) that meet its small syllabus — and, if asked, trainees who
 * were enrolled but never came. The hours are computed by the real ledger from these records.
 */
export async function buildTrainedClass(
  db: Db,
  o: {
    regionCode: string;
    day: string;
    trainees: number;
    absentees?: number;
    operationItemCode?: string;
    birthDate?: (i: number) => string;
    education?: string;
  },
) {
  const school = await buildOrganization(db, {
    kind: 'training_institution',
    regionCode: o.regionCode,
  });
  const teacher = await buildPerson(db, { birthDate: '1980-03-03' });
  await buildStaff(db, {
    personId: teacher.id,
    organizationId: school.id,
    regionCode: o.regionCode,
    duty: 'teacher',
    operationItems: [o.operationItemCode ?? '1.2'],
  });
  const theoryRoom = await buildRoom(db, { organizationId: school.id, regionCode: o.regionCode });
  const practicalRoom = await buildRoom(db, {
    organizationId: school.id,
    regionCode: o.regionCode,
    kind: 'practical',
  });
  // 4 h of theory and 3 h of practice at 45 min per 学时 prove 5.33 and 4 学时.
  const cls = await buildClass(db, {
    organizationId: school.id,
    regionCode: o.regionCode,
    headTeacherId: teacher.id,
    operationItemCode: o.operationItemCode ?? '1.2',
    startDate: o.day,
    endDate: o.day,
    theoryHours: 4,
    practicalHours: 3,
  });
  await buildLesson(db, cls, {
    teacherId: teacher.id,
    roomId: theoryRoom.id,
    startsAt: bj(o.day, '08:00'),
    endsAt: bj(o.day, '12:00'),
  });
  await buildLesson(db, cls, {
    mode: 'practical',
    teacherId: teacher.id,
    roomId: practicalRoom.id,
    startsAt: bj(o.day, '13:00'),
    endsAt: bj(o.day, '16:00'),
  });
  const device = (roomId: string, kind: 'face_terminal' | 'camera') =>
    db
      .insertInto('device')
      .values({
        organizationId: school.id,
        roomId,
        regionCode: o.regionCode,
        kind,
        serial: `${kind}-${roomId.slice(0, 8)}`,
        name: kind,
        tokenId: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  const terminals = [
    await device(theoryRoom.id, 'face_terminal'),
    await device(practicalRoom.id, 'face_terminal'),
  ];
  for (const [i, room] of [theoryRoom, practicalRoom].entries()) {
    const camera = await device(room.id, 'camera');
    await db
      .insertInto('recording')
      .values({
        organizationId: school.id,
        regionCode: o.regionCode,
        roomId: room.id,
        deviceId: camera.id,
        deviceRecordingId: `rec-${cls.code}-${i}`,
        startsAt: bj(o.day, '07:30'),
        endsAt: bj(o.day, '16:30'),
        sha256: 'a'.repeat(64),
        storageUri: `nas://${cls.code}/${i}.mp4`,
        sizeBytes: 1000,
        receivedAt: bj(o.day, '16:30'),
      })
      .execute();
  }
  let n = 0;
  const trainees = [];
  for (let i = 0; i < o.trainees + (o.absentees ?? 0); i++) {
    const p = await buildPerson(db, {
      birthDate: o.birthDate?.(i) ?? `199${i % 10}-0${1 + (i % 9)}-1${i % 10}`,
      education: o.education ?? 'high_school',
    });
    await enrol(db, cls, p.id);
    trainees.push(p);
    if (i >= o.trainees) continue;
    const events: [number, 'check_in' | 'check_out', string][] = [
      [0, 'check_in', '07:55'],
      [0, 'check_out', '12:02'],
      [1, 'check_in', '12:56'],
      [1, 'check_out', '16:03'],
    ];
    for (const [t, type, time] of events) {
      await db
        .insertInto('attendanceEvent')
        .values({
          deviceId: terminals[t].id,
          deviceEventId: `${cls.code}-${++n}`,
          organizationId: school.id,
          roomId: terminals[t].roomId,
          regionCode: o.regionCode,
          personId: p.id,
          eventType: type,
          occurredAt: bj(o.day, time),
          receivedAt: bj(o.day, time),
          matchScore: 0.93,
          liveness: 0.99,
        })
        .execute();
    }
  }
  return {
    school,
    cls,
    trained: trainees.slice(0, o.trainees),
    absent: trainees.slice(o.trainees),
  };
}
