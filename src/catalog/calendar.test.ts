import { describe, expect, it } from 'vitest';
import {
  addDays,
  addWorkingDays,
  addYears,
  beijingDay,
  beijingHm,
  beijingTime,
  beijingWallTime,
  calendarYears,
  daysBetween,
  holidaysKnownFor,
  isWorkingDay,
} from './calendar.js';

describe('working-day calendar', () => {
  it('skips weekends and the statutory holidays, and counts the weekends worked instead', () => {
    expect(isWorkingDay('2026-11-20')).toBe(true); // Friday
    expect(isWorkingDay('2026-11-21')).toBe(false); // Saturday
    expect(isWorkingDay('2026-10-05')).toBe(false); // Monday inside 国庆
    expect(isWorkingDay('2026-10-10')).toBe(true); // Saturday worked (调休)
    expect(isWorkingDay('2025-01-26')).toBe(true);
  });

  it('counts a period of working days from the day after', () => {
    // Monday + 10 working days = the Monday two weeks later.
    expect(addWorkingDays('2026-11-02', 10)).toBe('2026-11-16');
    // An exam on 30 September: 国庆 (1–7 Oct) does not count, 10 Oct (Saturday) does.
    expect(addWorkingDays('2026-09-30', 10)).toBe('2026-10-20');
    // Across 春节 2026 (15–23 Feb off, 14 and 28 Feb worked).
    expect(addWorkingDays('2026-02-12', 3)).toBe('2026-02-24');
  });

  it('counts back with a negative period, skipping the same days', () => {
    expect(addWorkingDays('2026-11-16', -10)).toBe('2026-11-02');
    expect(addWorkingDays('2026-10-20', -10)).toBe('2026-09-30');
    expect(addWorkingDays('2026-02-24', -3)).toBe('2026-02-12');
    expect(addWorkingDays('2026-11-16', 0)).toBe('2026-11-16');
  });

  it('knows the years it holds, and falls back to weekends outside them', () => {
    expect(calendarYears).toContain(2026);
    expect(isWorkingDay('2030-10-01')).toBe(true); // a Tuesday; no notice for 2030 in the calendar
    expect(isWorkingDay('2030-10-05')).toBe(false); // a Saturday is still a weekend
    expect(holidaysKnownFor('2026-05-01')).toBe(true);
    expect(holidaysKnownFor('2030-10-01')).toBe(false);
  });
});

describe('Beijing time', () => {
  it('puts 01:00 Beijing (17:00 UTC the evening before) on the Beijing date', () => {
    const at = new Date('2026-12-06T17:00:00Z');
    expect(beijingDay(at)).toBe('2026-12-07');
    expect(beijingTime(at)).toBe('2026-12-07 01:00');
    expect(beijingHm(at)).toBe('01:00');
    expect(beijingDay(new Date('2026-12-06T15:59:59Z'))).toBe('2026-12-06');
    expect(beijingWallTime('2026-12-07', '01:00').toISOString()).toBe('2026-12-06T17:00:00.000Z');
  });

  it('adds days and years across month ends, leap days and years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(daysBetween('2026-12-07', '2027-01-07')).toBe(31);
  });
});
