import { createHash } from 'node:crypto';

/**
 * The 双随机 draw (random targets, random inspectors), reproducible from a recorded seed.
 *
 * Algorithm `zx-draw-v1` (docs/supervision.md restates it so anyone can re-run a draw by hand):
 * 1. u(parts…) = the first 52 bits of SHA-256("seed|part1|part2…" in UTF-8), divided by 2^52: a
 *    number in [0,1) that depends only on the seed and the record, never on the order of the pool.
 * 2. Targets: each candidate organization gets key = ln(u(seed,"target",id)) / weight (weighted
 *    sampling without replacement, Efraimidis–Spirakis); the `count` largest keys are drawn, ties by id.
 * 3. Inspectors: for the drawn targets in draw order, the inspectors without a conflict of interest
 *    with that target are ranked by (assignments already given in this draw, u(seed,"inspector",
 *    target id, inspector id)); the first `perTarget` are assigned. A target with fewer eligible
 *    inspectors than needed is reported as understaffed, never silently dropped.
 */
export const DRAW_ALGORITHM = 'zx-draw-v1';

export function unitRandom(seed: string, ...parts: string[]): number {
  const digest = createHash('sha256')
    .update([seed, ...parts].join('|'), 'utf8')
    .digest();
  // 52 bits: 6 bytes and a half — exact in a double.
  const hi = digest.readUIntBE(0, 6); // 48 bits
  const lo = digest[6] >> 4; // 4 bits
  return (hi * 16 + lo) / 2 ** 52;
}

export interface DrawCandidate {
  id: string;
  name: string;
  kind: string;
  regionCode: string;
  /** > 0; from the grade (and risk) of the organization: a higher weight is drawn more often. */
  weight: number;
  /** How the weight was set, shown beside the draw. */
  weightReason: string;
}

export interface DrawnTarget extends DrawCandidate {
  rank: number;
  key: number;
}

export function drawTargets(seed: string, pool: DrawCandidate[], count: number): DrawnTarget[] {
  const keyed = pool
    .filter((c) => c.weight > 0)
    .map((c) => {
      // u is never exactly 0 in practice; guard so ln stays finite.
      const u = Math.max(unitRandom(seed, 'target', c.id), Number.MIN_VALUE);
      return { ...c, key: Math.log(u) / c.weight };
    })
    .sort((a, b) => b.key - a.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return keyed.slice(0, Math.max(0, count)).map((c, i) => ({ ...c, rank: i + 1 }));
}

export interface DrawInspector {
  personId: string;
  name: string;
}

export interface Assignment {
  targetId: string;
  inspectorPersonIds: string[];
  /** Inspectors left out for this target and why (their own or a relative's duty or employment there). */
  excluded: { personId: string; reason: string }[];
  understaffed: boolean;
}

export function assignInspectors(
  seed: string,
  targets: { id: string }[],
  inspectors: DrawInspector[],
  conflicts: Map<string, Map<string, string>>,
  perTarget: number,
): Assignment[] {
  const load = new Map(inspectors.map((i) => [i.personId, 0]));
  return targets.map((t) => {
    const own = conflicts.get(t.id) ?? new Map<string, string>();
    const excluded = inspectors
      .filter((i) => own.has(i.personId))
      .map((i) => ({ personId: i.personId, reason: own.get(i.personId)! }));
    const chosen = inspectors
      .filter((i) => !own.has(i.personId))
      .map((i) => ({
        personId: i.personId,
        load: load.get(i.personId) ?? 0,
        u: unitRandom(seed, 'inspector', t.id, i.personId),
      }))
      .sort((a, b) => a.load - b.load || a.u - b.u || (a.personId < b.personId ? -1 : 1))
      .slice(0, perTarget)
      .map((i) => i.personId);
    for (const p of chosen) load.set(p, (load.get(p) ?? 0) + 1);
    return {
      targetId: t.id,
      inspectorPersonIds: chosen,
      excluded,
      understaffed: chosen.length < perTarget,
    };
  });
}

export interface DrawInput {
  seed: string;
  pool: DrawCandidate[];
  inspectors: DrawInspector[];
  /** target id → inspector person id → reason */
  conflicts: Record<string, Record<string, string>>;
  count: number;
  perTarget: number;
}

export interface DrawOutcome {
  targets: DrawnTarget[];
  assignments: Assignment[];
}

/** The whole draw from its recorded inputs: what the server runs, and what re-running a draw checks. */
export function runDraw(input: DrawInput): DrawOutcome {
  const targets = drawTargets(input.seed, input.pool, input.count);
  const conflicts = new Map(
    Object.entries(input.conflicts).map(([t, m]) => [t, new Map(Object.entries(m))]),
  );
  return {
    targets,
    assignments: assignInspectors(
      input.seed,
      targets,
      input.inspectors,
      conflicts,
      input.perTarget,
    ),
  };
}
