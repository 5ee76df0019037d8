/**
 * Face decisions from scores and the policy in force (pure). The thresholds are policy figures
 * (faceMatchThreshold, faceAntispoofMin, faceLivenessMin), measured in docs/faces.md.
 */
export type FaceDecision = 'match' | 'mismatch' | 'review' | 'refused';

export interface FaceThresholds {
  match: number;
  antispoofMin: number;
  livenessMin: number;
}

/** Cosine similarity of two descriptors. */
export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** A capture must show exactly one face before anything is compared. */
export function captureProblem(
  faceCount: number,
): { reason: 'no_face' | 'several_faces'; message: string } | null {
  if (faceCount === 0) return { reason: 'no_face', message: '画面中未检测到人脸' };
  if (faceCount > 1)
    return { reason: 'several_faces', message: `画面中有${faceCount}张人脸，只能有本人一张` };
  return null;
}

/**
 * Same person when the best similarity reaches the threshold; a capture the antispoof or liveness
 * model doubts is held for review (a person decides), never silently accepted.
 */
export function decideVerification(
  s: { score: number; real: number; live: number },
  t: FaceThresholds,
): { decision: FaceDecision; reasons: string[] } {
  const reasons: string[] = [];
  if (s.score < t.match) reasons.push('below_match_threshold');
  if (s.real < t.antispoofMin) reasons.push('possible_spoof');
  if (s.live < t.livenessMin) reasons.push('liveness_low');
  if (reasons.includes('below_match_threshold')) return { decision: 'mismatch', reasons };
  return { decision: reasons.length > 0 ? 'review' : 'match', reasons };
}
