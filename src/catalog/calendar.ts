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

// ——— Beijing time ———

/**
 * China keeps one zone, UTC+8, with no daylight saving: the day a rule judges (a class's phase, a
 * certificate's expiry, a deadline, the policy in force) is the UTC+8 calendar date of the instant,
 * whatever zone the server or browser runs in. Every module takes its days and clock labels from here.
 */
export const CHINA_UTC_OFFSET_MS = 8 * 3_600_000;

const inBeijing = (at: Date | string) =>
  new Date(new Date(at).getTime() + CHINA_UTC_OFFSET_MS).toISOString();

/** 'YYYY-MM-DD': the Beijing calendar day of an instant. */
export const beijingDay = (at: Date | string): string => inBeijing(at).slice(0, 10);
/** 'YYYY-MM-DD HH:MM' in Beijing time. */
export const beijingTime = (at: Date | string): string =>
  inBeijing(at).slice(0, 16).replace('T', ' ');
/** 'HH:MM' in Beijing time. */
export const beijingHm = (at: Date | string): string => inBeijing(at).slice(11, 16);
/** The instant of a Beijing wall-clock time on a day. */
export const beijingWallTime = (day: string, hhmm: string): Date =>
  new Date(`${day}T${hhmm}:00+08:00`);

// ——— calendar dates ('YYYY-MM-DD') ———

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Same day n years on; 29 February becomes 28 February in a common year (as PostgreSQL's `date + interval`). */
export function addYears(iso: string, n: number): string {
  const y = Number(iso.slice(0, 4)) + n;
  const md = iso.slice(5) === '02-29' && !isLeap(y) ? '02-28' : iso.slice(5);
  return `${String(y).padStart(4, '0')}-${md}`;
}
/**
 * Day arithmetic on integers (H. Hinnant's days_from_civil / civil_from_days): the status of every
 * certificate of a public check runs it a dozen times, and a Date parse and ISO print per call was
 * a measurable share of that check's CPU. certificates.rules.test.ts compares it with Date.
 */
export function addDays(iso: string, n: number): string {
  let y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  y -= m <= 2 ? 1 : 0;
  let era = Math.floor(y / 400);
  let yoe = y - era * 400;
  const doe0 =
    yoe * 365 +
    Math.floor(yoe / 4) -
    Math.floor(yoe / 100) +
    Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) +
    d -
    1;
  const z = era * 146_097 + doe0 + n;
  era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}
/** Whole days from one calendar date to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
