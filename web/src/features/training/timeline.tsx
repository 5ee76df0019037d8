import { Tooltip } from 'antd';
import dayjs from 'dayjs';
import { fmtTime, type Interval } from './shared';

export interface TimelineTrack {
  label: string;
  /** Colour of the track where no segment lies (the lesson span itself). */
  background: string;
  segments: (Interval & { color: string; title?: string })[];
}

/**
 * A lesson span drawn as plain CSS bars: one row per track, segments placed by time, an axis with
 * the whole hours. Plain bars stay legible on a phone and need no chart library.
 */
export function Timeline({
  from,
  to,
  tracks,
}: {
  from: string;
  to: string;
  tracks: TimelineTrack[];
}) {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const span = Math.max(end - start, 1);
  const pct = (t: number) => `${(Math.min(Math.max(t - start, 0), span) / span) * 100}%`;
  const ticks: number[] = [];
  for (let h = dayjs(from).startOf('hour').add(1, 'hour'); h.valueOf() < end; h = h.add(1, 'hour'))
    ticks.push(h.valueOf());
  const labelWidth = tracks.some((t) => t.label) ? 48 : 0;
  return (
    <div style={{ width: '100%' }}>
      {tracks.map((track) => (
        <div key={track.label} style={{ display: 'flex', alignItems: 'center', marginBottom: 4 }}>
          {labelWidth > 0 && (
            <div style={{ width: labelWidth, flex: 'none', fontSize: 12, color: '#8c8c8c' }}>
              {track.label}
            </div>
          )}
          <div
            style={{
              position: 'relative',
              flex: 1,
              height: 16,
              background: track.background,
              borderRadius: 3,
              overflow: 'hidden',
            }}
          >
            {track.segments.map((s) => {
              const a = Math.max(Date.parse(s.from), start);
              const b = Math.min(Date.parse(s.to), end);
              if (b <= a) return null;
              return (
                <Tooltip
                  key={`${s.from}-${s.to}-${s.color}`}
                  title={s.title ?? `${fmtTime(s.from)}–${fmtTime(s.to)}`}
                >
                  <div
                    style={{
                      position: 'absolute',
                      top: 0,
                      bottom: 0,
                      left: pct(a),
                      width: `${((b - a) / span) * 100}%`,
                      background: s.color,
                    }}
                  />
                </Tooltip>
              );
            })}
          </div>
        </div>
      ))}
      <div
        style={{
          position: 'relative',
          height: 16,
          marginLeft: labelWidth,
          fontSize: 11,
          color: '#8c8c8c',
        }}
      >
        <span style={{ position: 'absolute', left: 0 }}>{fmtTime(from)}</span>
        {ticks.map((tick) => {
          const p = (tick - start) / span;
          // Keep the hour labels clear of the start and end labels.
          if (p < 0.12 || p > 0.88) return null;
          return (
            <span
              key={tick}
              style={{ position: 'absolute', left: `${p * 100}%`, transform: 'translateX(-50%)' }}
            >
              {fmtTime(tick)}
            </span>
          );
        })}
        <span style={{ position: 'absolute', right: 0 }}>{fmtTime(to)}</span>
      </div>
    </div>
  );
}

export const timelineColors = {
  covered: '#52c41a',
  gap: '#ff4d4f',
  presence: '#1677ff',
  empty: '#f0f0f0',
};
