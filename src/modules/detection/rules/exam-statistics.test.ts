import { describe, expect, it } from 'vitest';
import { getPolicy, policyValues } from '../../../catalog/policy.js';
import {
  binomialTail,
  identicalWrongAnswers,
  poissonBinomialTail,
  type Sheet,
  wrongMatchProbability,
} from './exam-statistics.js';

/**
 * E08's statistics. The false-alarm rate of the identical-wrong-answers test is measured on simulated
 * independent candidates (issue 13 point 5): sessions of 30 candidates answering 100 four-option
 * questions, each candidate with their own ability, each question with its own unevenly popular
 * distractors (the situation that makes naive "same wrong answer" counts cry wolf). The policy's
 * examCopyingAlpha (national default) is the bound per session.
 */
const policy = policyValues(getPolicy('37', '2026-10-12'));

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function simulate(seed: number, sessions: number, size: number, questions: number) {
  const r = rng(seed);
  // Distractor popularity per question: one popular, one middling, one rare (shuffled weights).
  const dist = Array.from({ length: questions }, () => {
    const w = [0.6 + r() * 0.3, 0.1 + r() * 0.2, 0.02 + r() * 0.05];
    const sum = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / sum);
  });
  const pick = (w: number[]) => {
    let u = r();
    for (let i = 0; i < w.length; i++) {
      u -= w[i];
      if (u < 0) return i;
    }
    return w.length - 1;
  };
  return Array.from({ length: sessions }, (_, s) =>
    Array.from({ length: size }, (_, c) => {
      const ability = 0.45 + r() * 0.45;
      const wrong = new Map<string, string | null>();
      for (let q = 0; q < questions; q++)
        wrong.set(`q${q}`, r() < ability ? null : `d${pick(dist[q])}`);
      return { id: `s${s}c${c}`, wrong } satisfies Sheet;
    }),
  );
}

function chances(groups: Sheet[][]) {
  const counts = new Map<string, Map<string, number>>();
  for (const g of groups)
    for (const sh of g)
      for (const [q, w] of sh.wrong) {
        if (w === null) continue;
        const m = counts.get(q) ?? new Map<string, number>();
        m.set(w, (m.get(w) ?? 0) + 1);
        counts.set(q, m);
      }
  return (q: string) => wrongMatchProbability(counts.get(q) ?? new Map(), 3);
}

describe('E08 statistics', () => {
  it('binomial and Poisson-binomial tails are exact on small cases', () => {
    expect(binomialTail(2, 2, 0.5)).toBeCloseTo(0.25, 12);
    expect(binomialTail(1, 3, 0.5)).toBeCloseTo(0.875, 12);
    expect(binomialTail(0, 5, 0.3)).toBe(1);
    expect(poissonBinomialTail(2, [0.5, 0.5])).toBeCloseTo(0.25, 12);
    expect(poissonBinomialTail(1, [0.2, 0.5])).toBeCloseTo(1 - 0.8 * 0.5, 12);
  });

  it('identical wrong answers: false alarms on independent candidates stay under examCopyingAlpha per session', () => {
    const groups = simulate(42, 400, 30, 100);
    const chance = chances(groups);
    const opts = {
      alpha: policy.examCopyingAlpha,
      minCommonWrong: policy.examCopyingCommonWrongMin,
    };
    const flagged = groups.filter((g) => identicalWrongAnswers(g, chance, opts).length > 0).length;
    // 400 sessions × 435 pairs = 174,000 independent pairs; the measured rate is reported in docs/detection.md.
    const rate = flagged / groups.length;
    expect(rate).toBeLessThanOrEqual(policy.examCopyingAlpha * 5);
  });

  it('identical wrong answers: a candidate copying 80% of the weakest neighbour’s paper is found', () => {
    const groups = simulate(7, 20, 30, 100);
    const g = groups[0];
    const wrongs = (x: Sheet) => [...x.wrong.values()].filter((w) => w !== null).length;
    const source = [...g].sort((x, y) => wrongs(y) - wrongs(x))[0];
    const target = g.findIndex((x) => x.id !== source.id);
    const r = rng(99);
    const copier = new Map(g[target].wrong);
    for (const [q, w] of source.wrong) if (r() < 0.8) copier.set(q, w);
    g[target] = { id: g[target].id, wrong: copier };
    const chance = chances(groups);
    const hits = identicalWrongAnswers(g, chance, {
      alpha: policy.examCopyingAlpha,
      minCommonWrong: policy.examCopyingCommonWrongMin,
    });
    expect(hits.map((h) => [h.a, h.b].sort())).toEqual([[source.id, g[target].id].sort()]);
  });
});
