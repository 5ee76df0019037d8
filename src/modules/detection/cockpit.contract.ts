import { z } from 'zod';
import { detectionRuleIds, findingSeverities } from '../../catalog/findings.js';

/**
 * The regulator's cockpit (issue 13 point 6): a jurisdiction's open alerts by rule, severity and
 * trend, its organizations ranked by risk, and seed 003's rates against their 100% targets — all
 * computed on the server for the caller's jurisdiction (or a region inside it).
 */

/**
 * Risk of an organization = Σ over its open alerts (new or acknowledged, still found by the latest
 * evaluation) of the weight of the alert's severity. A failed AQ 8011 registration check counts through
 * its T10 alerts (one per failing condition), 培考不分 through E04, a pass rate far above the region's
 * through E08: each problem the records prove enters once, as the alert that proves it.
 */
export const riskWeights = { serious: 10, warning: 3, notice: 1 } as const;

/** Rates look back this far (years): a 合格证 holder re-trains every year, and exam results are yearly figures. */
export const RATE_WINDOW_YEARS = 1;

/** Posts that must be trained (and examined) outside the enterprise: seed 003's key people. */
export const ratedPosts = ['principal', 'safety_director', 'safety_manager', 'special_operator'];

export const CockpitQuerySchema = z.object({
  /** A region inside the caller's jurisdiction (default: the jurisdiction itself). */
  regionCode: z
    .string()
    .regex(/^\d{2,12}$/)
    .optional(),
  trend: z.enum(['week', 'day']).default('week'),
});
export type CockpitQuery = z.infer<typeof CockpitQuerySchema>;

const RegionRef = z.object({ code: z.string(), name: z.string(), level: z.number() });

const SeverityCounts = z.object({
  serious: z.number(),
  warning: z.number(),
  notice: z.number(),
});

export const RateSchema = z.object({
  key: z.enum(['participation', 'passRate', 'certifiedAtWork']),
  numerator: z.number(),
  denominator: z.number(),
  /** numerator / denominator, null when there is nothing to count (see `missing`). */
  rate: z.number().nullable(),
  target: z.number(),
  /** Why the rate cannot be computed: the records it needs do not exist in the jurisdiction. */
  missing: z.enum(['no_enterprise_records', 'no_exam_results']).nullable(),
  /** Breakdown where it means something (考核合格率: special operations vs. 合格证). */
  parts: z
    .array(z.object({ key: z.string(), numerator: z.number(), denominator: z.number() }))
    .optional(),
});
export type Rate = z.infer<typeof RateSchema>;

export const RankedOrganizationSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  status: z.string(),
  regionCode: z.string(),
  regionName: z.string().nullable(),
  score: z.number(),
  ...SeverityCounts.shape,
  /** The rules behind the score, most weighty first. */
  reasons: z.array(
    z.object({
      rule: z.enum(detectionRuleIds),
      count: z.number(),
      severity: z.enum(findingSeverities),
    }),
  ),
});
export type RankedOrganization = z.infer<typeof RankedOrganizationSchema>;

export const CockpitSchema = z
  .object({
    /** Beijing date the figures are for. */
    asOf: z.string(),
    region: RegionRef,
    /** From the caller's jurisdiction down to the region shown (the drill-down path). */
    path: z.array(RegionRef),
    /** The next level down, each with its open alerts (empty at the bottom of the tree). */
    children: z.array(
      RegionRef.extend({ open: z.number(), ...SeverityCounts.shape, organizations: z.number() }),
    ),
    totals: SeverityCounts.extend({
      open: z.number(),
      new: z.number(),
      acknowledged: z.number(),
      /** Handled in the last 30 days (dismissed with a reason). */
      dismissed30d: z.number(),
    }),
    byRule: z.array(
      SeverityCounts.extend({
        rule: z.enum(detectionRuleIds),
        open: z.number(),
        status: z.enum(['evaluated', 'not_evaluable', 'never_run']),
        reason: z.string().nullable(),
      }),
    ),
    trend: z.object({
      granularity: z.enum(['week', 'day']),
      /** Open alerts by the day the problem happened, per week (Monday) or day, oldest first. */
      buckets: z.array(SeverityCounts.extend({ start: z.string() })),
    }),
    ranking: z.array(RankedOrganizationSchema),
    rates: z.array(RateSchema),
  })
  .meta({ id: 'Cockpit' });
export type Cockpit = z.infer<typeof CockpitSchema>;

export const MonthlyReportQuerySchema = z.object({
  regionCode: z
    .string()
    .regex(/^\d{2,12}$/)
    .optional(),
  /** YYYY-MM (default: the current Beijing month). */
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional(),
});
export type MonthlyReportQuery = z.infer<typeof MonthlyReportQuerySchema>;

export const MonthlyReportSchema = z
  .object({
    month: z.string(),
    from: z.string(),
    to: z.string(),
    generatedAt: z.string(),
    region: RegionRef,
    /** Alerts whose problem happened in the month, by rule (with how they stand now). */
    byRule: z.array(
      SeverityCounts.extend({
        rule: z.enum(detectionRuleIds),
        total: z.number(),
        open: z.number(),
        dismissed: z.number(),
      }),
    ),
    totals: SeverityCounts.extend({ total: z.number(), open: z.number(), dismissed: z.number() }),
    byRegion: z.array(
      RegionRef.extend({ total: z.number(), open: z.number(), serious: z.number() }),
    ),
    /** Rules that could not be evaluated, with why. */
    notEvaluable: z.array(z.object({ rule: z.enum(detectionRuleIds), reason: z.string() })),
    ranking: z.array(RankedOrganizationSchema),
    rates: z.array(RateSchema),
  })
  .meta({ id: 'MonthlyReport' });
export type MonthlyReport = z.infer<typeof MonthlyReportSchema>;
