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
export function captureProblem(faceCount: number): { reason: 'no_face' | 'several_faces'; message: string } | null {
  if (faceCount === 0) return { reason: 'no_face', message: '画面中未检测到人脸' };
  if (faceCount > 1) return { reason: 'several_faces', message: `画面中有${faceCount}张人脸，只能有本人一张` };
  return null;
}

/**
 * Same person when the best similarity reaches the threshold; a capture the antispoof or liveness
 * model doubts is held for review (a person decides), never silently accepted.
 */
export function decideVerification(s: { score: number; real: number; live: number }, t: FaceThresholds): { decision: FaceDecision; reasons: string[] } {
  const reasons: string[] = [];
  if (s.score < t.match) reasons.push('below_match_threshold');
  if (s.real < t.antispoofMin) reasons.push('possible_spoof');
  if (s.live < t.livenessMin) reasons.push('liveness_low');
  if (reasons.includes('below_match_threshold')) return { decision: 'mismatch', reasons };
  return { decision: reasons.length > 0 ? 'review' : 'match', reasons };
}

/**
 * Brute-force 1:N over unit-normalized descriptors in one Float32Array: a dot product per template
 * with four accumulators (V8 keeps independent multiply-adds in flight) and no allocation in the
 * loop. The path on PGlite, and on PostgreSQL without pgvector. (An int8 pre-scan was measured
 * slower here: JS multiplies in float64 either way.)
 */
export class DescriptorIndex {
  private readonly data: Float32Array;
  private readonly ids: string[] = [];
  private size = 0;

  constructor(
    readonly dim: number,
    capacity: number,
  ) {
    this.data = new Float32Array(dim * capacity);
  }

  add(id: string, descriptor: ArrayLike<number>): void {
    this.data.set(normalize(descriptor, this.dim), this.size * this.dim);
    this.ids.push(id);
    this.size++;
  }

  /** Every id whose similarity to the probe reaches the threshold, best first. */
  search(probe: ArrayLike<number>, threshold: number): { id: string; score: number }[] {
    const q = normalize(probe, this.dim);
    const { data, dim } = this;
    const hits: { id: string; score: number }[] = [];
    const tail = dim - (dim % 4);
    for (let r = 0; r < this.size; r++) {
      const base = r * dim;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let i = 0; i < tail; i += 4) {
        a0 += data[base + i] * q[i];
        a1 += data[base + i + 1] * q[i + 1];
        a2 += data[base + i + 2] * q[i + 2];
        a3 += data[base + i + 3] * q[i + 3];
      }
      let dot = a0 + a1 + a2 + a3;
      for (let i = tail; i < dim; i++) dot += data[base + i] * q[i];
      if (dot >= threshold) hits.push({ id: this.ids[r], score: dot });
    }
    return hits.sort((a, b) => b.score - a.score);
  }
}

function normalize(v: ArrayLike<number>, dim: number): Float32Array {
  let norm = 0;
  for (let i = 0; i < dim; i++) norm += v[i] * v[i];
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = v[i] * inv;
  return out;
}
