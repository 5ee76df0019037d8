import { sql } from 'kysely';
import { idsForRefs } from '../bundle/bundle.service.js';
import { addWorkingDays, beijingWallTime } from '../catalog/calendar.js';
import { addClassDocument, closeClass } from '../modules/training/archive.service.js';
import type { ArchiveDocumentPart } from '../modules/training/classes.table.js';
import type { Actor } from '../platform/auth/actor.js';
import type { Executor } from '../platform/db/database.js';

/**
 * Two finished classes are closed and sealed by their institutions' demo accounts: 泰山's
 * (the model school) stays intact; 岱岳's has its check-out times pushed to the end of the lessons in
 * the database after sealing — the fabrication seed 004 describes, caught by `archive verify`.
 */
export const demoSealedArchives = [
  { classRef: 'class:taishan:A', username: 'school2', tampered: false },
  { classRef: 'class:daiyue:A', username: 'school', tampered: true },
] as const;

/** The six documents of a finished class; the expert checked a lesson two working days before the end. */
const documents = (
  end: string,
): { part: ArchiveDocumentPart; title: string; content: string }[] => [
  {
    part: 'courseware_list',
    title: '课件清单',
    content:
      '1. 安全生产法律法规（课件，45页）\n2. 电气安全基础知识（课件，60页）\n3. 实际操作训练指导书',
  },
  {
    part: 'teaching_log',
    title: '教学日志',
    content: '按教学计划完成理论与实操教学，每日记录授课内容、到课人数与课堂情况。',
  },
  {
    part: 'expert_check',
    title: '专家查班记录',
    content: `${chineseDate(addWorkingDays(end, -2))}专家随堂检查：教学内容与大纲一致，实操设备齐全。`,
  },
  {
    part: 'evaluation',
    title: '学员培训效果评估及统计',
    content: '问卷回收12份，满意9份，基本满意3份。',
  },
  {
    part: 'summary',
    title: '培训班总结',
    content: '本期培训按计划完成，考勤、录像与学时台账由平台生成。',
  },
  {
    part: 'quality_assessment',
    title: '培训质量评估',
    content: '教学质量合格，建议增加实操练习时间。',
  },
];

const chineseDate = (d: string) =>
  `${d.slice(0, 4)}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

export async function sealDemoArchives(
  db: Executor,
  users: Map<string, { userId: string; organizationId: string | null; displayName: string }>,
): Promise<void> {
  const ends = new Map(
    (
      await db
        .selectFrom('trainingClass')
        .select(['id', 'endDate'])
        .where('id', 'in', [
          ...(
            await idsForRefs(
              db,
              'classes',
              demoSealedArchives.map((a) => a.classRef),
            )
          ).values(),
        ])
        .execute()
    ).map((c) => [c.id, c.endDate]),
  );
  const classIds = await idsForRefs(
    db,
    'classes',
    demoSealedArchives.map((a) => a.classRef),
  );
  for (const a of demoSealedArchives) {
    const classId = classIds.get(a.classRef);
    const user = users.get(a.username);
    if (!classId || !user?.organizationId) continue;
    const org = await db
      .selectFrom('organization')
      .select(['name', 'regionCode'])
      .where('id', '=', user.organizationId)
      .executeTakeFirstOrThrow();
    const actor: Actor = {
      userId: user.userId,
      tokenId: null,
      displayName: user.displayName,
      roles: ['training_institution'],
      organizationId: user.organizationId,
      organizationKind: 'training_institution',
      organizationName: org.name,
      regionCode: org.regionCode,
      personId: null,
      tokenScopes: null,
      scope: { kind: 'organization', organizationId: user.organizationId },
    };
    // The documents the working day after the last lesson, the seal the day after that.
    const end = ends.get(classId)!;
    for (const d of documents(end))
      await addClassDocument(
        db,
        actor,
        classId,
        d,
        beijingWallTime(addWorkingDays(end, 1), '17:00'),
      );
    await closeClass(db, actor, classId, beijingWallTime(addWorkingDays(end, 2), '09:00'));
    if (a.tampered) {
      // After sealing, someone moves the first day's check-outs to the end of the morning lesson.
      await sql`
        update attendance_event e set occurred_at = l.ends_at + interval '2 minutes'
        from lesson l
        where l.class_id = ${classId}::uuid and l.mode = 'theory' and e.room_id = l.room_id and e.event_type = 'check_out'
          and e.occurred_at between l.starts_at and l.ends_at
          and l.starts_at = (select min(starts_at) from lesson where class_id = ${classId}::uuid and mode = 'theory')`.execute(
        db,
      );
    }
  }
}
