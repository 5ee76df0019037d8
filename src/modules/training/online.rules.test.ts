import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getPolicy, policyValues } from '../../catalog/policy.js';
import { IDLE_LIMIT_MS, judgeHeartbeat, POSITION_TOLERANCE_SECONDS } from './online.rules.js';

const interval = policyValues(getPolicy('370902', '2026-11-02')).faceCheckIntervalMinutes;
const t0 = new Date('2026-11-20T11:00:00Z');
const plus = (ms: number) => new Date(t0.getTime() + ms);

describe('online learning heartbeats', () => {
  it('counts playing time after a recent passing check', () => {
    const j = judgeHeartbeat({ lastSeenAt: t0, positionSeconds: 100, lastPassedCheckAt: t0, durationSeconds: 3600 }, plus(30_000), { positionSeconds: 130, playing: true }, interval);
    expect(j.segment).toMatchObject({ verified: true, positionFrom: 100, positionTo: 130 });
  });

  it('refuses fast-forward and keeps the old position', () => {
    const j = judgeHeartbeat({ lastSeenAt: t0, positionSeconds: 100, lastPassedCheckAt: t0, durationSeconds: 3600 }, plus(30_000), { positionSeconds: 100 + 30 + POSITION_TOLERANCE_SECONDS + 1, playing: true }, interval);
    expect(j.segment).toMatchObject({ verified: false, reason: 'fast_forward' });
    expect(j.positionSeconds).toBe(100);
  });

  it('asks for a face check once the interval has passed, and locks after an idle gap', () => {
    const due = judgeHeartbeat({ lastSeenAt: plus(interval * 60_000), positionSeconds: 0, lastPassedCheckAt: t0, durationSeconds: 3600 }, plus(interval * 60_000 + 30_000), { positionSeconds: 30, playing: true }, interval);
    expect(due).toMatchObject({ checkRequired: true, segment: { verified: false, reason: 'face_check_due' } });
    const idle = judgeHeartbeat({ lastSeenAt: t0, positionSeconds: 0, lastPassedCheckAt: t0, durationSeconds: 3600 }, plus(IDLE_LIMIT_MS + 1), { positionSeconds: 10, playing: true }, interval);
    expect(idle).toMatchObject({ lock: true, segment: { verified: false, reason: 'idle' } });
  });

  it('never verifies more than wall time, nor without a passing check within the interval', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * 3600_000 }),
        fc.integer({ min: -10, max: 4000 }),
        fc.option(fc.integer({ min: -3 * 3600_000, max: 0 })),
        fc.boolean(),
        (elapsed, position, passedOffset, playing) => {
          const now = plus(elapsed);
          const lastPassed = passedOffset === null ? null : plus(passedOffset);
          const j = judgeHeartbeat({ lastSeenAt: t0, positionSeconds: 100, lastPassedCheckAt: lastPassed, durationSeconds: 3600 }, now, { positionSeconds: position, playing }, interval);
          if (j.segment?.verified) {
            expect(j.segment.endsAt.getTime() - j.segment.startsAt.getTime()).toBeLessThanOrEqual(elapsed);
            expect(lastPassed).not.toBeNull();
            expect(now.getTime() - lastPassed!.getTime()).toBeLessThanOrEqual(interval * 60_000);
            expect(j.segment.positionTo - j.segment.positionFrom).toBeLessThanOrEqual(elapsed / 1000 + POSITION_TOLERANCE_SECONDS);
          }
        },
      ),
    );
  });
});
