import { createHash } from 'node:crypto';
import { type DetectionRuleId, detectionRuleIds } from '../../catalog/findings.js';
import {
  type PolicyFigures,
  policyValues,
  type ResolvedPolicy,
  resolvePolicy,
} from '../../catalog/policy.js';
import type { Executor } from '../../platform/db/database.js';
import { listPolicyProfiles } from '../policy/policy.service.js';
import type { Detected, DetectionRule, PolicyAt, ResolvedPolicyAt, RuleContext } from './rule.js';
import { allRules } from './rules/index.js';

/**
 * The detection engine: runs rules over a scope and returns, per rule of the catalog, either its
 * findings or why it cannot be evaluated. It writes nothing (alerts.service.ts persists); the same
 * function serves the full run (start, nightly, `zhenxun detect`) and the incremental one (queue.ts).
 */

export type RuleOutcome =
  | { rule: DetectionRuleId; status: 'evaluated'; findings: Detected[]; ms: number }
  | { rule: DetectionRuleId; status: 'not_evaluable'; reason: string; ms: number };

export interface RunOptions {
  /** Region prefix: '' (or omitted) = everything. */
  regionPrefix?: string;
  /** Only these rules (default: the whole catalog). */
  rules?: readonly DetectionRuleId[];
  /** Incremental: only subjects of these organizations (rules of reach 'organization'). */
  organizationIds?: string[] | null;
  now?: Date;
}

/** Rules of the catalog that no module has implemented yet: reported, never silently absent. */
const NOT_INSTALLED: Partial<Record<DetectionRuleId, string>> = {
  C01: '不可评估：企业从业人员台账规则尚未接入（等待生产经营单位模块）',
  C02: '不可评估：企业从业人员台账规则尚未接入（等待生产经营单位模块）',
  C03: '不可评估：企业从业人员台账规则尚未接入（等待生产经营单位模块）',
  C04: '不可评估：企业岗前培训记录尚未接入（等待生产经营单位模块）',
  C05: '不可评估：企业内训师记录尚未接入（等待生产经营单位模块）',
  C06: '不可评估：企业年度培训计划与记录尚未接入（等待生产经营单位模块）',
  G01: '不可评估：监管执法记录（检查、整改、处罚）尚未接入（等待监管执法模块）',
};

export function ruleById(id: DetectionRuleId): DetectionRule | undefined {
  return allRules.find((r) => r.id === id);
}

/** The policy in force per (region, date), resolved once each from the built-in and stored profiles. */
export async function policyResolver(
  db: Executor,
): Promise<{ policy: PolicyAt; resolved: ResolvedPolicyAt }> {
  const profiles = await listPolicyProfiles(db);
  const cache = new Map<string, { resolved: ResolvedPolicy; values: PolicyFigures }>();
  const at = (regionCode: string, date: string) => {
    const key = `${regionCode}|${date}`;
    let hit = cache.get(key);
    if (!hit) {
      const resolved = resolvePolicy(profiles, regionCode, date);
      hit = { resolved, values: policyValues(resolved) };
      cache.set(key, hit);
    }
    return hit;
  };
  return {
    policy: (regionCode, date) => at(regionCode, date).values,
    resolved: (regionCode, date) => at(regionCode, date).resolved,
  };
}

export async function runRules(db: Executor, opts: RunOptions = {}): Promise<RuleOutcome[]> {
  const wanted = opts.rules ?? detectionRuleIds;
  const ctx: RuleContext = {
    db,
    regionPrefix: (opts.regionPrefix ?? '').replace(/[^0-9]/g, ''),
    organizationIds: opts.organizationIds ?? null,
    ...(await policyResolver(db)),
    now: opts.now ?? new Date(),
  };
  const out: RuleOutcome[] = [];
  for (const id of [...wanted].sort()) {
    const t0 = performance.now();
    const rule = ruleById(id);
    if (!rule) {
      out.push({
        rule: id,
        status: 'not_evaluable',
        reason: NOT_INSTALLED[id] ?? '不可评估：规则尚未实现',
        ms: 0,
      });
      continue;
    }
    const reason = rule.evaluable ? await rule.evaluable(ctx) : null;
    if (reason) {
      out.push({ rule: id, status: 'not_evaluable', reason, ms: performance.now() - t0 });
      continue;
    }
    const facts = await rule.load(ctx);
    const findings = rule
      .judge(facts, { policy: ctx.policy, resolved: ctx.resolved, now: ctx.now })
      .filter(
        (f) =>
          f.organization.regionCode.startsWith(ctx.regionPrefix) &&
          (ctx.organizationIds === null || ctx.organizationIds.includes(f.organization.id)),
      );
    out.push({
      rule: id,
      status: 'evaluated',
      findings: sortFindings(findings),
      ms: performance.now() - t0,
    });
  }
  return out;
}

/**
 * An alert's identity: the rule and precise check, the record it is about and the ids of the records
 * that prove it. Labels and figures are not part of it (wording may improve; the problem is the same).
 */
export function alertKey(f: Detected): string {
  const evidence = f.evidence.map((e) => `${e.kind}:${e.id}`).sort();
  const parts = [f.rule, f.code, f.subject.kind, f.subject.id ?? '', ...evidence];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/**
 * Deterministic order: rule, the organization's region and name, the day, the record, the check,
 * then the key. The key hashes database ids, which differ between two imports of the same bundle, so
 * it only breaks ties the data itself cannot.
 */
export function sortFindings(findings: Detected[]): Detected[] {
  const keyed = findings.map((f) => ({ f, key: alertKey(f) }));
  keyed.sort(
    (a, b) =>
      cmp(a.f.rule, b.f.rule) ||
      cmp(a.f.organization.regionCode, b.f.organization.regionCode) ||
      cmp(a.f.organization.name, b.f.organization.name) ||
      cmp(a.f.date ?? '', b.f.date ?? '') ||
      cmp(a.f.subject.name ?? '', b.f.subject.name ?? '') ||
      cmp(a.f.code, b.f.code) ||
      cmp(a.key, b.key),
  );
  // One problem proven by the same records is one alert, whichever path found it twice.
  const seen = new Set<string>();
  return keyed.filter((k) => (seen.has(k.key) ? false : seen.add(k.key))).map((k) => k.f);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
