import {
  addDays,
  addWorkingDays,
  beijingWallTime,
  daysBetween,
  isWorkingDay,
} from '../catalog/calendar.js';

/**
 * Where the demo city's events sit in time, relative to its anchor: the Beijing date of the first
 * start (stored with the city, so a restart keeps it). The generator's people and history were
 * written against DEMO_REFERENCE_DAY; `shift` moves such a date by the same number of days to the
 * anchor, so ages, tenures and "recent hires" mean the same on any anchor. Events that depend on the
 * working-day calendar (lessons, the exam, results) are laid out on working days around the anchor:
 *
 * - finished classes (sealed or not): their last lesson a few working days before last month's exam;
 * - last month's exam (~4 weeks before the anchor), results 2 working days later, certificates a day after;
 * - running classes: some lesson days already held, one on the anchor day itself (even when the anchor
 *   is a weekend or a holiday: a weekend class), the rest after it; the class period stays open at
 *   least RUNNING_OPEN_WORKING_DAYS working days after the anchor, so online learning is open;
 * - next week's exam: the first working day a week after the anchor.
 *
 * Pure and deterministic: the same anchor gives the same dates. Outside the years whose State Council
 * holiday notice the calendar holds, only weekends are skipped (catalog/calendar.ts), so a demo lesson
 * may then fall on a public holiday.
 */
export const DEMO_REFERENCE_DAY = '2026-11-01';
/** The earliest anchor: the history the generator writes (AQ 8011 in force, Shandong's 2024 profile) is before it. */
export const DEMO_EARLIEST_ANCHOR = '2025-01-01';
/** Working days after the anchor that a running class's period stays open at least. */
export const RUNNING_OPEN_WORKING_DAYS = 5;

export function assertDemoAnchor(anchor: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(anchor) || Number.isNaN(Date.parse(`${anchor}T00:00:00Z`)))
    throw new Error(`demo anchor must be a date YYYY-MM-DD, got "${anchor}"`);
  if (addDays(anchor, 0) !== anchor) throw new Error(`no such date: ${anchor}`);
  if (anchor < DEMO_EARLIEST_ANCHOR)
    throw new Error(`demo anchor ${anchor} is before ${DEMO_EARLIEST_ANCHOR}`);
}

/** The last working day on or before `day`. */
function workingDayOnOrBefore(day: string): string {
  return isWorkingDay(day) ? day : addWorkingDays(day, -1);
}
/** The first working day on or after `day`. */
function workingDayOnOrAfter(day: string): string {
  return isWorkingDay(day) ? day : addWorkingDays(day, 1);
}
/** `n` consecutive working days starting at the first working day on or after `start`. */
function workingDaysFrom(start: string, n: number): string[] {
  const out = [workingDayOnOrAfter(start)];
  while (out.length < n) out.push(addWorkingDays(out.at(-1)!, 1));
  return out;
}

export interface DemoTimeline {
  anchor: string;
  /** A date of the generator's reference calendar moved to the anchor's (same distance from "today"). */
  shift(day: string): string;
  /** Lesson days of a class that finished before last month's exam. */
  finishedDays(n: number): string[];
  /** Lesson days of a class running on the anchor day (the anchor among them). */
  runningDays(n: number): string[];
  /** The end date of a running class whose last lesson is on `lastLesson`. */
  runningEndDate(lastLesson: string): string;
  /** Last month's exam day, its results and its certificates. */
  pastExam: { day: string; resultsDay: string; certifiedDay: string };
  /** The exam session coming next week, and the working day its candidates were registered. */
  nextExam: { day: string; registeredDay: string };
  /** Records (attendance, recordings, online learning) exist for what ended before this instant. */
  recordsUntil: Date;
}

export function demoTimeline(anchor: string): DemoTimeline {
  assertDemoAnchor(anchor);
  const delta = daysBetween(DEMO_REFERENCE_DAY, anchor);
  const examDay = workingDayOnOrBefore(addDays(anchor, -28));
  // The finished classes end 4 working days before the exam (registration, photos, the plan).
  const finishedEnd = addWorkingDays(examDay, -4);
  return {
    anchor,
    shift: (day) => addDays(day, delta),
    finishedDays: (n) => {
      const out = [finishedEnd];
      while (out.length < n) out.unshift(addWorkingDays(out[0], -1));
      return out;
    },
    runningDays: (n) => {
      const before = Math.min(3, n - 1);
      const out = [anchor];
      while (out.length <= before) out.unshift(addWorkingDays(out[0], -1));
      if (out.length < n) out.push(...workingDaysFrom(addDays(anchor, 1), n - out.length));
      return out;
    },
    runningEndDate: (lastLesson) => {
      const open = addWorkingDays(anchor, RUNNING_OPEN_WORKING_DAYS);
      return lastLesson > open ? lastLesson : open;
    },
    pastExam: {
      day: examDay,
      resultsDay: addWorkingDays(examDay, 2),
      certifiedDay: addWorkingDays(examDay, 3),
    },
    nextExam: {
      day: workingDayOnOrAfter(addDays(anchor, 7)),
      registeredDay: addWorkingDays(anchor, -1),
    },
    recordsUntil: beijingWallTime(anchor, '00:00'),
  };
}
