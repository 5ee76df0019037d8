import { type DetectionRuleId, detectionRuleIds, detectionRules } from '../../catalog/findings.js';
import type { Executor } from '../../platform/db/database.js';
import { alertsForCli, evaluateAndStore } from './alerts.service.js';

const usage = 'usage: zhenxun detect [--json] [--rule ID] [--region CODE] [--since YYYY-MM-DD]';

/**
 * `zhenxun detect`: evaluates the rule catalog over the database (or one rule, one region), stores
 * the alerts (a full run: what the records no longer prove is cleared) and prints them — in words, or
 * with --json as one deterministic array: every current alert in CONTRACTS.md's shape, ordered by
 * rule, region, organization, day and identity, followed by one `{"rule","status":"not_evaluable",
 * "reason"}` entry per rule that could not be evaluated. Exit 0 (2 for a usage error).
 */
export async function runDetect(db: Executor, args: string[]): Promise<number> {
  const json = args.includes('--json');
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const rule = value('--rule')?.toUpperCase();
  const region = value('--region');
  const since = value('--since');
  if (
    (rule !== undefined && !detectionRuleIds.includes(rule as DetectionRuleId)) ||
    (region !== undefined && !/^\d{2,12}$/.test(region)) ||
    (since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(since))
  ) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const rules = rule ? [rule as DetectionRuleId] : null;
  const result = await evaluateAndStore(db, 'system:cli', {
    regionPrefix: region ?? '',
    ...(rules ? { rules } : {}),
  });
  const alerts = await alertsForCli(db, {
    regionPrefix: region ?? '',
    rules,
    since: since ?? null,
  });
  const notEvaluable = result.outcomes.flatMap((o) =>
    o.status === 'not_evaluable'
      ? [{ rule: o.rule, status: 'not_evaluable', reason: o.reason }]
      : [],
  );
  if (json) {
    process.stdout.write(`${JSON.stringify([...alerts, ...notEvaluable], null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  for (const a of alerts)
    lines.push(
      `[${a.rule} ${detectionRules[a.rule].name.zh}] ${a.severity === 'serious' ? '严重' : a.severity === 'warning' ? '一般' : '提示'} ${a.occurredOn ?? ''} ${a.summary}${a.state !== 'new' ? `（${a.state}）` : ''}\n    证据: ${a.evidence.map((e) => e.ref ?? `${e.kind}:${e.id}`).join(', ')}`,
    );
  for (const n of notEvaluable)
    lines.push(`[${n.rule} ${detectionRules[n.rule].name.zh}] ${n.reason}`);
  lines.push(
    `${alerts.length} 条预警；${result.outcomes.filter((o) => o.status === 'evaluated').length} 条规则已评估，${notEvaluable.length} 条不可评估（本次新增 ${result.created}，消除 ${result.cleared}）`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
