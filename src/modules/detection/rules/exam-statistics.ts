/**
 * The statistics of E08 (包过班), pure. Each test answers one question — "how likely is what we see if
 * nothing was wrong?" — and the rule fires only below a false-alarm rate the policy sets.
 */

const lnFactCache: number[] = [0];
function lnFact(n: number): number {
  for (let i = lnFactCache.length; i <= n; i++) lnFactCache[i] = lnFactCache[i - 1] + Math.log(i);
  return lnFactCache[n];
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed exactly in log space. */
export function binomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let sum = 0;
  for (let i = k; i <= n; i++)
    sum += Math.exp(
      lnFact(n) - lnFact(i) - lnFact(n - i) + i * Math.log(p) + (n - i) * Math.log(1 - p),
    );
  return Math.min(1, sum);
}

/** P(M ≥ m) for M a sum of independent Bernoulli(p_i) (Poisson-binomial), by dynamic programming. */
export function poissonBinomialTail(m: number, ps: readonly number[]): number {
  if (m <= 0) return 1;
  if (m > ps.length) return 0;
  let dist = [1];
  for (const p of ps) {
    const next = new Array(dist.length + 1).fill(0);
    for (let j = 0; j < dist.length; j++) {
      next[j] += dist[j] * (1 - p);
      next[j + 1] += dist[j] * p;
    }
    dist = next;
  }
  let tail = 0;
  for (let j = m; j < dist.length; j++) tail += dist[j];
  return Math.min(1, tail);
}

/** How many different wrong answers a question allows: single k−1, multiple 2^k − 2, judge 1. */
export function possibleWrongAnswers(kind: string, options: number): number {
  if (kind === 'multiple') return 2 ** options - 2;
  return Math.max(1, options - 1);
}

/**
 * The chance that two independent candidates who both got a question wrong gave the same wrong
 * answer: Σ f_a² over its wrong answers a, the frequencies f estimated from every wrong answer to the
 * question in the data with one pseudo-count per possible wrong answer (so a popular distractor makes
 * a shared wrong answer less surprising, and a question seen rarely is not over-trusted).
 */
export function wrongMatchProbability(
  counts: ReadonlyMap<string, number>,
  possibleWrong: number,
): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  const total = n + possibleWrong;
  let sum = 0;
  for (const c of counts.values()) sum += ((c + 1) / total) ** 2;
  const unseen = possibleWrong - counts.size;
  if (unseen > 0) sum += unseen * (1 / total) ** 2;
  return Math.min(1, sum);
}

export interface Sheet {
  id: string;
  /** Per question id: the candidate's wrong answer (a canonical key of the options chosen), or null when right or unanswered. */
  wrong: ReadonlyMap<string, string | null>;
}

export interface PairVerdict {
  a: string;
  b: string;
  /** Questions both got wrong. */
  commonWrong: number;
  /** Of those, answered identically. */
  identical: number;
  /** P(identical ≥ observed | independent candidates). */
  p: number;
  /** p × number of pairs compared in the group (Bonferroni): the group's false-alarm bound. */
  adjusted: number;
}

/**
 * Identical wrong answers between pairs in one group (a session): for each pair, over the questions
 * both answered wrong, the number answered with the same wrong answer against the Poisson-binomial
 * of the per-question match probabilities. Returns the pairs whose Bonferroni-adjusted p is below
 * `alpha` and that share at least `minCommonWrong` wrong answers.
 */
export function identicalWrongAnswers(
  sheets: readonly Sheet[],
  matchProbability: (questionId: string) => number,
  opts: { alpha: number; minCommonWrong: number },
): PairVerdict[] {
  const pairs = (sheets.length * (sheets.length - 1)) / 2;
  const out: PairVerdict[] = [];
  for (let i = 0; i < sheets.length; i++)
    for (let j = i + 1; j < sheets.length; j++) {
      const ps: number[] = [];
      let identical = 0;
      for (const [q, wa] of sheets[i].wrong) {
        if (wa === null) continue;
        const wb = sheets[j].wrong.get(q);
        if (wb === null || wb === undefined) continue;
        ps.push(matchProbability(q));
        if (wa === wb) identical++;
      }
      if (ps.length < opts.minCommonWrong) continue;
      const p = poissonBinomialTail(identical, ps);
      const adjusted = Math.min(1, p * pairs);
      if (adjusted < opts.alpha)
        out.push({
          a: sheets[i].id,
          b: sheets[j].id,
          commonWrong: ps.length,
          identical,
          p,
          adjusted,
        });
    }
  return out;
}
