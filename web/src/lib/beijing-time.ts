import dayjs, { type Dayjs } from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * Every time on screen is Beijing time (Asia/Shanghai), whatever zone the browser is in: a lesson at
 * 08:30 in 泰安 reads 08:30 on a laptop set to UTC too. Format through here, never dayjs(iso).format.
 */
export const BEIJING = 'Asia/Shanghai';

/** An instant as Beijing wall-clock time. */
export const beijing = (instant: string | number | Date): Dayjs => dayjs(instant).tz(BEIJING);

export const fmtDateTime = (iso: string | null | undefined) =>
  iso ? beijing(iso).format('YYYY-MM-DD HH:mm') : '—';
export const fmtTime = (iso: string | number | null | undefined) =>
  iso ? beijing(iso).format('HH:mm') : '—';
/** "2026-11-16 08:30–11:30" (the end's date only when it differs). */
export function fmtSpan(from: string, to: string): string {
  const a = beijing(from);
  const b = beijing(to);
  return `${a.format('YYYY-MM-DD HH:mm')}–${b.isSame(a, 'day') ? b.format('HH:mm') : b.format('YYYY-MM-DD HH:mm')}`;
}
