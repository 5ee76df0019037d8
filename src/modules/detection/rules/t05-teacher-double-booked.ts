import { teacherDoubleBooked } from '../../training/classes.rules.js';
import { defineRule } from '../rule.js';
import { collidingOthers, lessonOf, loadOverlaps } from './overlaps.js';
import { beijingDay, orgOf } from './shared.js';

/**
 * T05 同一教师同时段在不同班次授课 (seed 004: 同一时间段内安排有多个不同工种的特种作业培训，但培训教师均安排为同一人):
 * the same function that refuses such a lesson at planning (classes.rules.ts teacherDoubleBooked),
 * over every stored plan — lessons imported from another system included. A teacher booked at two
 * institutions at once is raised against each.
 */
export default defineRule({
  id: 'T05',
  record: 'lesson',
  policyKeys: [],
  triggers: ['lesson', 'class'],
  reach: 'region',
  load: (ctx) => loadOverlaps(ctx, 'teacher'),
  judge(rows) {
    return rows.flatMap((r) => {
      const f = teacherDoubleBooked({
        teacher: { id: r.shareId, name: r.shareName ?? undefined },
        lesson: lessonOf(r),
        others: collidingOthers(r),
      });
      if (!f) return [];
      return [
        {
          ...f,
          rule: 'T05' as const,
          message: `${r.orgName}：${f.message}`,
          organization: orgOf(r),
          date: beijingDay(r.startsAt),
        },
      ];
    });
  },
});
