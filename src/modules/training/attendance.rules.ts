/**
 * Technical tolerances for terminal uploads (not regulation figures): a terminal's clock may run a
 * little fast, and an offline terminal uploads its backlog when it reconnects.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;
export const BACKLOG_MAX_MS = 30 * 86_400_000;

export function eventTimeProblem(
  occurredAt: Date,
  receivedAt: Date,
): { reason: 'in_future' | 'too_old'; message: string } | null {
  const delta = occurredAt.getTime() - receivedAt.getTime();
  if (delta > CLOCK_SKEW_MS)
    return { reason: 'in_future', message: '事件时间晚于服务器时间，终端时钟可能不准' };
  if (-delta > BACKLOG_MAX_MS)
    return { reason: 'too_old', message: '事件时间早于30天，超出补传期限' };
  return null;
}
