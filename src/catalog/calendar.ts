/**
 * Working days (工作日) for deadlines counted in them, such as publishing exam results within 10
 * working days (30号令 第十五条). A working day is Monday to Friday, except the statutory holidays of
 * the State Council's yearly notice, plus the weekend days that notice makes working days (调休).
 *
 * The notices are published each November for the next year. For a year not listed here only
 * weekends are skipped, so a deadline may come a few days early around a holiday — never late;
 * add the year's notice when it is published. `holidaysKnownFor` says whether a date's year is
 * covered. The demo city lays its lessons and exams on this calendar (src/demo/demo-timeline.ts): in
 * a year without a notice its lessons may fall on a public holiday.
 */
interface YearNotice {
  source: string;
  /** Days off that would otherwise be working days, as inclusive ranges. */
  holidays: [string, string][];
  /** Weekend days worked instead (调休上班). */
  workingWeekends: string[];
}

const notices: Record<number, YearNotice> = {
  2025: {
    source: '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）',
    holidays: [
      ['2025-01-01', '2025-01-01'],
      ['2025-01-28', '2025-02-04'],
      ['2025-04-04', '2025-04-06'],
      ['2025-05-01', '2025-05-05'],
      ['2025-05-31', '2025-06-02'],
      ['2025-10-01', '2025-10-08'],
    ],
    workingWeekends: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  2026: {
    source: '国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日，新华社）',
    holidays: [
      ['2026-01-01', '2026-01-03'],
      ['2026-02-15', '2026-02-23'],
      ['2026-04-04', '2026-04-06'],
      ['2026-05-01', '2026-05-05'],
      ['2026-06-19', '2026-06-21'],
      ['2026-09-25', '2026-09-27'],
      ['2026-10-01', '2026-10-07'],
    ],
    workingWeekends: [
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ],
  },
};

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

const holidayDays = new Set<string>();
const workingWeekendDays = new Set<string>();
for (const n of Object.values(notices)) {
  for (const [from, to] of n.holidays)
    for (let d = dayNumber(from); d <= dayNumber(to); d++) holidayDays.add(dateOf(d));
  for (const d of n.workingWeekends) workingWeekendDays.add(d);
}

/** Years whose holiday notice the calendar holds (outside them only weekends are skipped). */
export const calendarYears = Object.keys(notices).map(Number);
export const calendarSources = Object.fromEntries(
  Object.entries(notices).map(([y, n]) => [y, n.source]),
);

export function isWorkingDay(date: string): boolean {
  if (workingWeekendDays.has(date)) return true;
  if (holidayDays.has(date)) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The date `n` working days after `date` (the day itself not counted): the last day of the period.
 * A negative `n` counts back: `addWorkingDays(d, -1)` is the working day before `d`.
 */
export function addWorkingDays(date: string, n: number): string {
  const step = n < 0 ? -1 : 1;
  let day = dayNumber(date);
  for (let left = Math.abs(n); left > 0; ) {
    day += step;
    if (isWorkingDay(dateOf(day))) left--;
  }
  return dateOf(day);
}

/** Whether the calendar holds the State Council's notice for the year of `date` (else only weekends are known). */
export function holidaysKnownFor(date: string): boolean {
  return calendarYears.includes(Number(date.slice(0, 4)));
}
