import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getPolicy, policyValues } from '../../catalog/policy.js';
import {
  allowedAdvanceSeconds,
  heartbeatSummary,
  IDLE_LIMIT_MS,
  judgeHeartbeat,
  type OnlineSessionState,
  POSITION_TOLERANCE_RATIO,
  POSITION_TOLERANCE_SECONDS,
} from './online.rules.js';

const interval = policyValues(getPolicy('370902', '2026-11-16')).faceCheckIntervalMinutes;
const intervalMs = interval * 60_000;
const t0 = new Date('2026-11-20T11:00:00Z');
const plus = (ms: number) => new Date(t0.getTime() + ms);
const state = (o: Partial<OnlineSessionState> = {}): OnlineSessionState => ({
  lastSeenAt: t0,
  positionSeconds: 100,
  lastPassedCheckAt: t0,
  durationSeconds: 3600,
  ...o,
});
const verifiedMs = (segments: { startsAt: Date; endsAt: Date; verified: boolean }[]) =>
  segments
    .filter((x) => x.verified)
    .reduce((n, x) => n + x.endsAt.getTime() - x.startsAt.getTime(), 0);

describe('online learning heartbeats', () => {
  it('counts playing time after a recent passing check', () => {
    const j = judgeHeartbeat(
      state(),
      plus(30_000),
      { positionSeconds: 130, playing: true },
      interval,
    );
    expect(j.segments).toEqual([
      {
        startsAt: t0,
        endsAt: plus(30_000),
        positionFrom: 100,
        positionTo: 130,
        verified: true,
        reason: null,
      },
    ]);
    expect(j).toMatchObject({
      positionSeconds: 130,
      checkRequired: false,
      lock: false,
      nextCheckDueAt: plus(intervalMs),
    });
  });

  it('counts nothing before the first passing check, and only from the check on within one heartbeat', () => {
    expect(
      judgeHeartbeat(
        state({ lastPassedCheckAt: null }),
        plus(30_000),
        { positionSeconds: 130, playing: true },
        interval,
      ),
    ).toMatchObject({
      checkRequired: true,
      segments: [{ verified: false, reason: 'face_check_due' }],
    });
    // The check passed 10 s into a 30 s heartbeat: 20 s count.
    const j = judgeHeartbeat(
      state({ lastPassedCheckAt: plus(10_000) }),
      plus(30_000),
      { positionSeconds: 130, playing: true },
      interval,
    );
    expect(j.segments.map((x) => [x.verified, x.endsAt.getTime() - x.startsAt.getTime()])).toEqual([
      [false, 10_000],
      [true, 20_000],
    ]);
    expect(heartbeatSummary(j)).toEqual({ counted: true, reason: null });
  });

  it('stops counting when the check expires inside a heartbeat and asks for a new one', () => {
    const lastSeenAt = plus(intervalMs - 10_000);
    const j = judgeHeartbeat(
      state({ lastSeenAt }),
      plus(intervalMs + 20_000),
      { positionSeconds: 130, playing: true },
      interval,
    );
    expect(
      j.segments.map((x) => [x.verified, x.reason, x.endsAt.getTime() - x.startsAt.getTime()]),
    ).toEqual([
      [true, null, 10_000],
      [false, 'face_check_due', 20_000],
    ]);
    expect(j.checkRequired).toBe(true);
    expect(heartbeatSummary(j)).toEqual({ counted: true, reason: 'face_check_due' });
  });

  it('refuses fast-forward and keeps the old position', () => {
    const j = judgeHeartbeat(
      state(),
      plus(30_000),
      { positionSeconds: 100 + allowedAdvanceSeconds(30_000) + 1, playing: true },
      interval,
    );
    expect(j.segments).toMatchObject([
      { verified: false, reason: 'fast_forward', positionTo: 100 },
    ]);
    expect(j.positionSeconds).toBe(100);
    // Going back (watching again) is fine.
    expect(
      judgeHeartbeat(state(), plus(30_000), { positionSeconds: 20, playing: true }, interval),
    ).toMatchObject({ positionSeconds: 20, segments: [{ verified: true }] });
  });

  it('does not count paused time, clamps the position to the course, and never writes an empty segment', () => {
    expect(
      judgeHeartbeat(state(), plus(30_000), { positionSeconds: 100, playing: false }, interval)
        .segments,
    ).toMatchObject([{ verified: false, reason: 'paused' }]);
    expect(
      judgeHeartbeat(
        state({ positionSeconds: 3590 }),
        plus(30_000),
        { positionSeconds: 3615, playing: true },
        interval,
      ).positionSeconds,
    ).toBe(3600);
    const same = judgeHeartbeat(
      state({ lastSeenAt: plus(30_000) }),
      plus(30_000),
      { positionSeconds: 100, playing: true },
      interval,
    );
    expect(same.segments).toEqual([]);
    // A server clock stepping back does not move last-seen back (that would reopen counted time).
    const back = judgeHeartbeat(
      state({ lastSeenAt: plus(30_000) }),
      plus(10_000),
      { positionSeconds: 100, playing: true },
      interval,
    );
    expect(back).toMatchObject({ segments: [], lastSeenAt: plus(30_000) });
  });

  it('locks after an idle gap', () => {
    const idle = judgeHeartbeat(
      state(),
      plus(IDLE_LIMIT_MS + 1),
      { positionSeconds: 110, playing: true },
      interval,
    );
    expect(idle).toMatchObject({
      lock: true,
      checkRequired: true,
      nextCheckDueAt: null,
      positionSeconds: 100,
      segments: [{ verified: false, reason: 'idle' }],
    });
  });

  const report = fc.record({
    positionSeconds: fc.double({ min: -10, max: 4000, noNaN: true }),
    playing: fc.boolean(),
  });

  it('never verifies more than wall time, nor a moment outside the window of a passing check', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5_000, max: 3 * 3600_000 }),
        fc.double({ min: 0, max: 3600, noNaN: true }),
        fc.option(fc.integer({ min: -3 * 3600_000, max: 3 * 3600_000 })),
        report,
        (elapsed, position, passedOffset, r) => {
          const now = plus(elapsed);
          const lastPassed = passedOffset === null ? null : plus(passedOffset);
          const j = judgeHeartbeat(
            state({ positionSeconds: position, lastPassedCheckAt: lastPassed }),
            now,
            r,
            interval,
          );
          expect(verifiedMs(j.segments)).toBeLessThanOrEqual(Math.max(elapsed, 0));
          let cursor = t0.getTime();
          for (const x of j.segments) {
            expect(x.startsAt.getTime()).toBe(cursor);
            expect(x.endsAt.getTime()).toBeGreaterThan(x.startsAt.getTime());
            cursor = x.endsAt.getTime();
            if (x.verified) {
              expect(lastPassed).not.toBeNull();
              expect(x.startsAt.getTime()).toBeGreaterThanOrEqual(lastPassed!.getTime());
              expect(x.endsAt.getTime()).toBeLessThanOrEqual(lastPassed!.getTime() + intervalMs);
              expect(x.endsAt.getTime() - t0.getTime()).toBeLessThanOrEqual(IDLE_LIMIT_MS);
            }
          }
          if (j.segments.length > 0) expect(cursor).toBe(now.getTime());
          expect(j.positionSeconds).toBeGreaterThanOrEqual(0);
          expect(j.positionSeconds).toBeLessThanOrEqual(3600);
          if (j.segments.some((x) => x.verified))
            expect(j.positionSeconds - Math.min(position, 3600)).toBeLessThanOrEqual(
              allowedAdvanceSeconds(elapsed) + 1e-9,
            );
        },
      ),
    );
  });

  it('over any run of heartbeats and checks, verified time stays within wall time and the position within the tolerated speed', () => {
    const step = fc.oneof(
      // advance: a share of (elapsed + the absolute cap), 1 being a browser that always claims the whole cap.
      fc.record({
        kind: fc.constant('beat' as const),
        ms: fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 200_000 })),
        share: fc.oneof(fc.constant(1), fc.double({ min: -1, max: 20, noNaN: true })),
        playing: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('check' as const), ms: fc.integer({ min: 0, max: 60_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let s = state({ positionSeconds: 0, lastPassedCheckAt: null, durationSeconds: 100 * 3600 });
        let now = t0.getTime();
        let verified = 0;
        const passes: number[] = [];
        for (const st of steps) {
          now += st.ms;
          if (st.kind === 'check') {
            s = { ...s, lastPassedCheckAt: new Date(now) };
            passes.push(now);
            continue;
          }
          const j = judgeHeartbeat(
            s,
            new Date(now),
            {
              positionSeconds:
                s.positionSeconds + st.share * (st.ms / 1000 + POSITION_TOLERANCE_SECONDS),
              playing: st.playing,
            },
            interval,
          );
          for (const x of j.segments.filter((y) => y.verified)) {
            verified += x.endsAt.getTime() - x.startsAt.getTime();
            expect(
              passes.some((p) => p <= x.startsAt.getTime() && x.endsAt.getTime() <= p + intervalMs),
            ).toBe(true);
          }
          s = {
            ...s,
            lastSeenAt: j.lastSeenAt,
            positionSeconds: j.positionSeconds,
            lastPassedCheckAt: j.lock ? null : s.lastPassedCheckAt,
          };
        }
        const wall = now - t0.getTime();
        expect(verified).toBeLessThanOrEqual(wall);
        // However often the browser reports, it cannot skip ahead faster than the tolerated rate.
        expect(s.positionSeconds).toBeLessThanOrEqual(
          (wall / 1000) * (1 + POSITION_TOLERANCE_RATIO) + 1e-6,
        );
      }),
    );
  });

  it('keeps the tolerance a small technical allowance', () => {
    expect(allowedAdvanceSeconds(30_000)).toBeLessThanOrEqual(30 + POSITION_TOLERANCE_SECONDS);
    expect(allowedAdvanceSeconds(1_000)).toBeCloseTo(1 + POSITION_TOLERANCE_RATIO);
  });
});
