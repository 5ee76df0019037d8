import type { DetectionRuleId, Finding, FindingSubjectKind } from '../../catalog/findings.js';
import type { PolicyFigures, PolicyKey, ResolvedPolicy } from '../../catalog/policy.js';
import type { Executor } from '../../platform/db/database.js';

/**
 * What one detection rule is (issue 13 point 1). A rule is one file exporting one `DetectionRule`,
 * listed once in `rules/index.ts`; the engine (engine.ts) runs every rule the same way:
 *
 *   load(ctx)   one set-based SQL read over the whole scope (never a query per subject)
 *   judge(f)    a pure function from those facts to findings, reading policy figures through
 *               `policy(region, date)` — the profile in force for the subject's region on its dates
 *
 * Modules that own the records write their rules here the same way (enterprise rules C01–C06,
 * supervision G01): import these types, export a rule, add it to the list.
 */

/** The kinds of change that can alter a rule's outcome; each write path enqueues one (queue.ts). */
export const changeKinds = [
  'attendance',
  'makeup',
  'recording',
  'online',
  'lesson',
  'class',
  'roster',
  'archive',
  'staff',
  'organization',
  'exam_registration',
  'exam_submit',
  'exam_score',
  'exam_results',
  'exam_session',
  'certificate',
  'face',
  'enterprise',
  'supervision',
] as const;
export type ChangeKind = (typeof changeKinds)[number];

/** The organization an alert is raised against (PRODUCT.md §2.7 "subject"). */
export interface AccountableOrganization {
  id: string;
  kind: string;
  name: string;
  regionCode: string;
}

/** A finding the engine raised: the one `Finding` type plus whom it is against and when it happened. */
export interface Detected extends Finding {
  rule: DetectionRuleId;
  organization: AccountableOrganization;
  /** The Beijing day of the problem (a lesson's day, the exam day, a class's start), for --since and trends. */
  date: string | null;
}

/** The policy in force for a region on a date (national → province → … merged), as plain figures. */
export type PolicyAt = (regionCode: string, date: string) => PolicyFigures;
/** The same, with each figure's source and the profiles applied (for rules that name them). */
export type ResolvedPolicyAt = (regionCode: string, date: string) => ResolvedPolicy;

export interface RuleContext {
  db: Executor;
  /** Region prefix evaluated: '' = everything, '3709' = 泰安市 and below. */
  regionPrefix: string;
  /** Incremental runs: only subjects of these accountable organizations; null = every one in the region. */
  organizationIds: string[] | null;
  policy: PolicyAt;
  resolved: ResolvedPolicyAt;
  now: Date;
}

export interface JudgeEnv {
  policy: PolicyAt;
  resolved: ResolvedPolicyAt;
  now: Date;
}

export interface DetectionRule<F = unknown> {
  id: DetectionRuleId;
  /** The kind of record an alert of this rule is about (the alert's `record`). */
  record: FindingSubjectKind;
  /** Policy figures the judgement reads (shown in docs and on the rule's page). */
  policyKeys: readonly PolicyKey[];
  /** Changes after which this rule is re-evaluated incrementally. */
  triggers: readonly ChangeKind[];
  /**
   * How far one change reaches: 'organization' — only the touched organization's alerts can change;
   * 'region' — alerts of other organizations can change too (a teacher double-booked across
   * institutions, a region's pass rate), so the rule is re-run over the touched organization's province.
   */
  reach: 'organization' | 'region';
  /** Null when the rule can be evaluated over this scope; otherwise why not, in words ("没有企业台账记录"). */
  evaluable?(ctx: RuleContext): Promise<string | null>;
  load(ctx: RuleContext): Promise<F>;
  judge(facts: F, env: JudgeEnv): Detected[];
}

/** Helper so a rule file gets its fact type inferred. */
export function defineRule<F>(rule: DetectionRule<F>): DetectionRule<F> {
  return rule;
}

/** The organization filter of a rule's loader: `and <column> = any(ids)` when the run is incremental. */
export function orgIds(ctx: RuleContext): string[] | null {
  return ctx.organizationIds;
}

export type SubjectKind = FindingSubjectKind;
