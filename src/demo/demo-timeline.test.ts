import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { addDays, beijingDay, holidaysKnownFor, isWorkingDay } from '../catalog/calendar.js';
import { generateDemoCity } from './demo-city.js';
import { demoTimeline, RUNNING_OPEN_WORKING_DAYS } from './demo-timeline.js';

const webPublic = fileURLToPath(new URL('../../web/public', import.meta.url));
const daysBetween = (a: string, b: string) =>
  (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;

describe('the demo timeline around its anchor', () => {
  it('on every day of three years: finished before last month’s exam, running today, next exam next week', () => {
    for (let anchor = '2025-01-01'; anchor <= '2027-12-31'; anchor = addDays(anchor, 1)) {
      const t = demoTimeline(anchor);
      const finished = t.finishedDays(8);
      expect(finished.every(isWorkingDay), anchor).toBe(true);
      expect(finished.at(-1)! < t.pastExam.day, anchor).toBe(true);
      expect(isWorkingDay(t.pastExam.day), anchor).toBe(true);
      const ago = daysBetween(t.pastExam.day, anchor);
      expect(ago, anchor).toBeGreaterThanOrEqual(28);
      expect(ago, anchor).toBeLessThan(40);
      expect(t.pastExam.resultsDay > t.pastExam.day, anchor).toBe(true);
      expect(t.pastExam.certifiedDay < anchor, anchor).toBe(true);
      for (const n of [1, 2, 8]) {
        const running = t.runningDays(n);
        expect(running, anchor).toHaveLength(n);
        expect(running, anchor).toContain(anchor);
        expect(running.filter((d) => d !== anchor).every(isWorkingDay), anchor).toBe(true);
        expect([...running].sort(), anchor).toEqual(running);
        const end = t.runningEndDate(running.at(-1)!);
        expect(
          end >= running.at(-1)! && daysBetween(anchor, end) >= RUNNING_OPEN_WORKING_DAYS,
        ).toBe(true);
      }
      expect(t.runningDays(8)[0] < anchor, anchor).toBe(true);
      // A week later, on the first working day from then (after 春节 or 国庆 when the week ends inside them).
      const inDays = daysBetween(anchor, t.nextExam.day);
      expect(inDays, anchor).toBeGreaterThanOrEqual(7);
      expect(isWorkingDay(t.nextExam.day), anchor).toBe(true);
      for (let d = addDays(anchor, 7); d < t.nextExam.day; d = addDays(d, 1))
        expect(isWorkingDay(d), `${anchor}: ${d}`).toBe(false);
      expect(t.nextExam.registeredDay < anchor, anchor).toBe(true);
      expect(beijingDay(t.recordsUntil)).toBe(anchor);
    }
  });

  it('refuses an anchor that is not a date or is before the history it writes', () => {
    expect(() => demoTimeline('2026-02-30')).toThrow();
    expect(() => demoTimeline('yesterday')).toThrow();
    expect(() => demoTimeline('2024-06-01')).toThrow();
  });
});

describe('the demo city on other anchors', () => {
  // A Wednesday, a Saturday, the Spring Festival holiday, and two years without a holiday notice.
  const anchors = ['2026-11-18', '2026-12-12', '2026-02-17', '2027-06-16', '2031-01-04'];

  it.each(anchors)(
    '%s: running classes have today’s lessons, records stop before today, videos exist',
    (anchor) => {
      if (anchor >= '2027-01-01') expect(holidaysKnownFor(anchor)).toBe(false);
      const b = generateDemoCity(20241012, { anchor, persons: 600 }).bundle;
      const classes = b.classes ?? [];
      const lessons = b.lessons ?? [];
      const day = (iso: string) => beijingDay(new Date(iso));
      const running = classes.filter((c) => c.startDate <= anchor && anchor <= c.endDate);
      expect(running.map((c) => c.ref)).toEqual(
        expect.arrayContaining(['class:taishan:B', 'class:daiyue:B', 'class:ningyang:B']),
      );
      for (const c of running)
        expect(
          lessons.some((l) => l.classRef === c.ref && day(l.startsAt) === anchor),
          c.ref,
        ).toBe(true);
      const past = classes.filter((c) => c.ref.endsWith(':A'));
      expect(past.every((c) => daysBetween(c.endDate, anchor) > 28)).toBe(true);
      const until = Date.parse(`${anchor}T00:00:00+08:00`);
      for (const a of b.attendance ?? []) expect(Date.parse(a.occurredAt) < until).toBe(true);
      for (const r of b.recordings ?? []) expect(Date.parse(r.endsAt) <= until).toBe(true);
      for (const s of b.onlineSessions ?? []) expect(Date.parse(s.lastSeenAt) <= until).toBe(true);
      for (const c of b.onlineCourses ?? [])
        expect(existsSync(join(webPublic, c.mediaUrl)), c.mediaUrl).toBe(true);
    },
  );

  it('same seed and anchor → the same bytes; another anchor moves the dates, not the people', () => {
    const a = generateDemoCity(20241012, { anchor: '2027-06-16', persons: 600 });
    expect(JSON.stringify(generateDemoCity(20241012, { anchor: '2027-06-16', persons: 600 }))).toBe(
      JSON.stringify(a),
    );
    const b = generateDemoCity(20241012, { anchor: '2026-11-18', persons: 600 });
    expect(JSON.stringify(b)).not.toBe(JSON.stringify(a));
    expect(b.bundle.persons.map((p) => p.name)).toEqual(a.bundle.persons.map((p) => p.name));
    expect(b.accounts).toEqual(a.accounts);
  });
});
