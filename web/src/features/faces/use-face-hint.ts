import { type RefObject, useEffect, useState } from 'react';

/** What the capture-side check says about the current frame; the server still decides. */
export type FaceHint = 'loading' | 'none' | 'one' | 'several' | 'unavailable';

interface BrowserHuman {
  load(): Promise<void>;
  detect(input: HTMLVideoElement): Promise<{ face: unknown[] }>;
}

let human: Promise<BrowserHuman> | undefined;

function loadHuman(): Promise<BrowserHuman> {
  human ??= import('@vladmandic/human').then(async (mod) => {
    const Human = (mod as unknown as { Human: new (config: unknown) => BrowserHuman }).Human;
    const h = new Human({
      modelBasePath: '/models/human/',
      backend: 'webgl',
      debug: false,
      face: {
        enabled: true,
        detector: { enabled: true, maxDetected: 3, rotation: false },
        mesh: { enabled: false },
        iris: { enabled: false },
        description: { enabled: false },
        emotion: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
      },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
      filter: { enabled: false },
    });
    await h.load();
    return h;
  });
  return human;
}

/**
 * Counts faces in the live preview twice a second with the same library the server uses. If the
 * models cannot load (old phone, no WebGL) the hint says so and capture stays possible: the check
 * helps people frame themselves, it never blocks them.
 */
export function useFaceHint(video: RefObject<HTMLVideoElement | null>, active: boolean): FaceHint {
  const [hint, setHint] = useState<FaceHint>('loading');
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    loadHuman()
      .then((h) => {
        const tick = async () => {
          if (stopped) return;
          const v = video.current;
          if (v && v.readyState >= 2) {
            try {
              const n = (await h.detect(v)).face.length;
              if (!stopped) setHint(n === 0 ? 'none' : n === 1 ? 'one' : 'several');
            } catch {
              if (!stopped) setHint('unavailable');
              return;
            }
          }
          timer = setTimeout(tick, 500);
        };
        void tick();
      })
      .catch(() => !stopped && setHint('unavailable'));
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [video, active]);
  return hint;
}
