import { describe, expect, it } from 'vitest';
import { beijingDay } from '../../catalog/calendar.js';
import { getPolicy, policyValues } from '../../catalog/policy.js';
import { type LessonFacts, lessonFindings, lessonMode } from './classes.rules.js';

const shandong = policyValues(getPolicy('370902', '2026-11-02'));
const national = policyValues(getPolicy('1101', '2026-11-02'));

function facts(policy = shandong, o: Partial<LessonFacts> = {}): LessonFacts {
  return {
    cls: {
      code: 'C1',
      startDate: '2026-11-02',
      endDate: '2026-11-30',
      operationItemCode: '1.2',
      syllabusTheoryHours: 48,
    },
    policy,
    teacher: {
      onStaff: true,
      practiceYears: policy.teacherPracticeYearsMin,
      operationItems: ['1.2'],
    },
    teacherOverlaps: [],
    roomOverlaps: [],
    practicalMinutesThatDay: 0,
    onlineMinutesPlanned: 0,
    ...o,
  };
}
const at = (s: string) => new Date(`2026-11-10T${s}:00+08:00`);
const rules = (f: ReturnType<typeof lessonFindings>) => f.map((x) => `${x.rule}:${x.severity}`);

describe('lesson planning rules', () => {
  it('judges by the Beijing day', () => {
    expect(beijingDay(new Date('2026-11-09T16:30:00Z'))).toBe('2026-11-10');
    expect(beijingDay(new Date('2026-11-09T15:59:59Z'))).toBe('2026-11-09');
  });

  it('refuses practical training planned online, and offline lessons without a room', () => {
    expect(lessonMode({ content: 'practical', online: true })).toMatchObject({
      problem: { rule: 'practical_online', severity: 'refuse' },
    });
    expect(lessonMode({ content: 'theory', online: false })).toMatchObject({
      problem: { rule: 'offline_lesson_without_room' },
    });
    expect(lessonMode({ content: 'theory', online: true })).toEqual({ mode: 'online' });
    expect(lessonMode({ content: 'practical', online: false, roomId: 'r' })).toEqual({
      mode: 'practical',
    });
  });

  it('the practical daily cap applies only where a policy sets it', () => {
    expect(shandong.practicalHoursPerDayMax).not.toBeNull();
    expect(national.practicalHoursPerDayMax).toBeNull();
    const capMinutes =
      (shandong.practicalHoursPerDayMax as number) * shandong.offlineMinutesPerHour;
    const lesson = { mode: 'practical' as const, startsAt: at('14:00'), endsAt: at('15:00') };
    expect(
      rules(lessonFindings(lesson, facts(shandong, { practicalMinutesThatDay: capMinutes - 60 }))),
    ).toEqual([]);
    expect(
      rules(lessonFindings(lesson, facts(shandong, { practicalMinutesThatDay: capMinutes - 59 }))),
    ).toEqual(['practical_daily_cap:refuse']);
    expect(
      rules(lessonFindings(lesson, facts(national, { practicalMinutesThatDay: capMinutes * 2 }))),
    ).toEqual([]);
  });

  it('a practical teacher without the item certificate is refused where the policy requires it, warned elsewhere', () => {
    const lesson = { mode: 'practical' as const, startsAt: at('09:00'), endsAt: at('10:00') };
    const teacher = { onStaff: true, practiceYears: 20, operationItems: ['2.1'] };
    expect(shandong.practicalTeacherNeedsItemCertificate).toBe(true);
    expect(rules(lessonFindings(lesson, facts(shandong, { teacher })))).toEqual([
      'practical_teacher_certificate:refuse',
    ]);
    expect(rules(lessonFindings(lesson, facts(national, { teacher })))).toEqual([
      'practical_teacher_certificate:warn',
    ]);
    expect(
      rules(lessonFindings({ ...lesson, mode: 'theory' }, facts(shandong, { teacher }))),
    ).toEqual([]);
  });

  it('names every double booking, merged class and short career', () => {
    const lesson = { mode: 'theory' as const, startsAt: at('09:00'), endsAt: at('10:00') };
    const found = lessonFindings(
      lesson,
      facts(shandong, {
        teacher: {
          onStaff: true,
          practiceYears: shandong.teacherPracticeYearsMin - 1,
          operationItems: [],
        },
        teacherOverlaps: [
          { classCode: 'C2', sameInstitution: true, startsAt: at('09:30'), endsAt: at('10:30') },
          { classCode: 'X', sameInstitution: false, startsAt: at('08:00'), endsAt: at('09:30') },
        ],
        roomOverlaps: [{ classCode: 'C3', startsAt: at('09:00'), endsAt: at('10:00') }],
      }),
    );
    expect(rules(found)).toEqual([
      'teacher_double_booked:refuse',
      'teacher_double_booked:refuse',
      'classes_merged:refuse',
      'teacher_practice_years:refuse',
    ]);
    expect(found[0].message).toContain('C2');
    expect(found[1].message).not.toContain('X');
    expect(
      rules(
        lessonFindings(
          lesson,
          facts(shandong, { teacher: { onStaff: true, practiceYears: null, operationItems: [] } }),
        ),
      ),
    ).toEqual(['teacher_practice_years:warn']);
    expect(
      rules(
        lessonFindings(
          lesson,
          facts(shandong, { teacher: { onStaff: false, practiceYears: 30, operationItems: [] } }),
        ),
      ),
    ).toEqual(['teacher_not_on_staff:refuse']);
  });

  it('warns when online lessons exceed the online share of the syllabus', () => {
    const capMinutes = shandong.onlineTheoryShareMax * 48 * shandong.onlineMinutesPerHour;
    const lesson = { mode: 'online' as const, startsAt: at('19:00'), endsAt: at('20:00') };
    expect(
      rules(lessonFindings(lesson, facts(shandong, { onlineMinutesPlanned: capMinutes - 60 }))),
    ).toEqual([]);
    expect(
      rules(lessonFindings(lesson, facts(shandong, { onlineMinutesPlanned: capMinutes }))),
    ).toEqual(['online_share:warn']);
  });
});
