import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { policyLabels } from '../../../catalog/labels.js';
import { findOperationItem } from '../../../catalog/operations.js';
import type { Detected } from '../rule.js';
import { defineRule } from '../rule.js';
import {
  binomialTail,
  identicalWrongAnswers,
  possibleWrongAnswers,
  type Sheet,
  wrongMatchProbability,
} from './exam-statistics.js';
import { beijingDay, ev, inScope, type OrgColumns, orgColumns, orgOf } from './shared.js';

export interface AttemptRow extends OrgColumns {
  attemptId: string;
  registrationId: string;
  personName: string;
  sessionId: string;
  startedAt: string;
  paper: { questionId: string; kind: string; options: string[]; answer: number[] }[];
  answers: { position: number; choice: number[]; savedAt: string }[];
}

export interface RateRow extends OrgColumns {
  institutionId: string;
  institutionName: string;
  itemCode: string;
  /** Sittings with a result (pass or fail) of this institution's candidates at this site, and passes. */
  n: number;
  k: number;
  /** The same over every site of the site's city for the item (this pair included). */
  cityN: number;
  cityK: number;
  firstDay: string;
}

export interface E08Facts {
  attempts: AttemptRow[];
  rates: RateRow[];
  today: string;
}

const key = (xs: readonly string[]) => [...xs].sort().join('\u0001');
const ms = (d: string) => new Date(d).getTime();

/**
 * E08 考试成绩异常 (seed 001: 包过班), three statistics, each fired only below a false-alarm rate the
 * policy sets (catalog/policy.ts, unconfirmed platform defaults; docs/detection.md gives the figures):
 * - identical_wrong_answers: two candidates of one session sharing improbably many identical wrong
 *   answers (exam-statistics identicalWrongAnswers: Poisson-binomial of the per-question chance of a
 *   shared wrong answer, Bonferroni over the session's pairs, below examCopyingAlpha, at least
 *   examCopyingCommonWrongMin common wrong answers). Options are compared by their text, because
 *   each candidate sees them shuffled.
 * - impossible_timing: a paper of at least examTimingAnswersMin answers whose last autosave came less
 *   than examSecondsPerAnswerMin per answer after it was started.
 * - pass_rate_outlier: an institution's candidates at one site passing far above the rest of the
 *   city for the item: one-sided exact binomial test against the others' pass rate, below
 *   examPassRateAlpha, with at least examPassRateMinSample sittings.
 */
export default defineRule({
  id: 'E08',
  record: 'exam_session',
  policyKeys: [
    'examCopyingAlpha',
    'examCopyingCommonWrongMin',
    'examSecondsPerAnswerMin',
    'examTimingAnswersMin',
    'examPassRateAlpha',
    'examPassRateMinSample',
  ],
  triggers: ['exam_submit', 'exam_results'],
  reach: 'region',
  async load(ctx) {
    const attempts = await sql<AttemptRow>`
      select a.id as attempt_id, r.id as registration_id, p.name as person_name, s.id as session_id, a.started_at,
             a.paper, ${orgColumns('site')},
             coalesce((select json_agg(json_build_object('position', x.position, 'choice', x.choice, 'savedAt', x.saved_at) order by x.position)
                       from theory_answer x where x.attempt_id = a.id), '[]') as answers
      from theory_attempt a
      join exam_registration r on r.id = a.registration_id
      join exam_session s on s.id = r.session_id
      join organization site on site.id = s.site_id
      join person p on p.id = r.person_id
      where a.submitted_at is not null and ${inScope(ctx, 'site.region_code', 'site.id')}`.execute(
      ctx.db,
    );
    const rates = await sql<RateRow>`
      with sit as (
        select s.site_id, r.registered_by_organization_id as inst_id, pl.item_code, r.result,
               (s.starts_at at time zone 'Asia/Shanghai')::date as day, left(site.region_code, 4) as city
        from exam_registration r join exam_session s on s.id = r.session_id join exam_plan pl on pl.id = r.plan_id
        join organization site on site.id = s.site_id
        where r.result in ('pass', 'fail') and site.region_code like ${`${ctx.regionPrefix.slice(0, 4)}%`}
      ),
      city as (select city, item_code, count(*)::int as n, count(*) filter (where result = 'pass')::int as k from sit group by city, item_code)
      select ${orgColumns('site')}, inst.id as institution_id, inst.name as institution_name, sit.item_code,
             count(*)::int as n, count(*) filter (where sit.result = 'pass')::int as k,
             min(city.n) as city_n, min(city.k) as city_k, min(sit.day)::text as first_day
      from sit join organization site on site.id = sit.site_id join organization inst on inst.id = sit.inst_id
      join city on city.city = sit.city and city.item_code = sit.item_code
      where ${inScope(ctx, 'site.region_code', 'site.id')}
      group by site.id, inst.id, sit.item_code`.execute(ctx.db);
    return {
      attempts: attempts.rows,
      rates: rates.rows,
      today: beijingDay(ctx.now),
    } satisfies E08Facts;
  },
  judge({ attempts, rates, today }: E08Facts, env) {
    const out: Detected[] = [];
    // Wrong answers per question over every paper loaded: the population the match chance comes from.
    const wrongOf = new Map<string, { counts: Map<string, number>; possible: number }>();
    const sheets = new Map<string, { row: AttemptRow; sheet: Sheet }[]>();
    for (const a of attempts) {
      const chosen = new Map(a.answers.map((x) => [x.position, x.choice]));
      const wrong = new Map<string, string | null>();
      a.paper.forEach((q, pos) => {
        const c = chosen.get(pos);
        if (!c || c.length === 0) return;
        const right = key(q.answer.map(String)) === key(c.map(String));
        const answer = right ? null : key(c.map((i) => q.options[i] ?? String(i)));
        wrong.set(q.questionId, answer);
        if (answer === null) return;
        let w = wrongOf.get(q.questionId);
        if (!w) {
          w = { counts: new Map(), possible: possibleWrongAnswers(q.kind, q.options.length) };
          wrongOf.set(q.questionId, w);
        }
        w.counts.set(answer, (w.counts.get(answer) ?? 0) + 1);
      });
      const list = sheets.get(a.sessionId) ?? [];
      list.push({ row: a, sheet: { id: a.attemptId, wrong } });
      sheets.set(a.sessionId, list);

      const p = env.policy(a.orgRegion, beijingDay(a.startedAt));
      const n = a.answers.length;
      if (n >= p.examTimingAnswersMin) {
        const seconds = (Math.max(...a.answers.map((x) => ms(x.savedAt))) - ms(a.startedAt)) / 1000;
        if (seconds < n * p.examSecondsPerAnswerMin) {
          const day = beijingDay(a.startedAt);
          out.push({
            rule: 'E08',
            code: 'impossible_timing',
            severity: 'serious',
            blocking: false,
            subject: { kind: 'exam_session', id: a.sessionId, name: `${a.orgName} ${day}` },
            message: `${a.orgName} ${day}：考生${a.personName}开考后 ${Math.round(seconds)} 秒内保存了 ${n} 道题的答案（每题不足 ${p.examSecondsPerAnswerMin} 秒），答题时间不可能`,
            evidence: [
              ev('theory_attempt', a.attemptId, `${a.personName} 理论答卷`),
              ev('exam_registration', a.registrationId, a.personName),
              ev('exam_session', a.sessionId),
            ],
            source: `${SOURCES.seed001}：包过班（考试作弊）；政策参数「${policyLabels.examSecondsPerAnswerMin.zh}」`,
            figure: {
              key: 'examSecondsPerAnswerMin',
              expected: p.examSecondsPerAnswerMin,
              actual: Math.round((seconds / n) * 100) / 100,
            },
            organization: orgOf(a),
            date: day,
          });
        }
      }
    }
    const chance = (q: string) => {
      const w = wrongOf.get(q);
      return w ? wrongMatchProbability(w.counts, w.possible) : 1;
    };
    for (const [sessionId, list] of sheets) {
      const first = list[0].row;
      const day = beijingDay(first.startedAt);
      const p = env.policy(first.orgRegion, day);
      const byId = new Map(list.map((x) => [x.row.attemptId, x.row]));
      for (const v of identicalWrongAnswers(
        list.map((x) => x.sheet),
        chance,
        { alpha: p.examCopyingAlpha, minCommonWrong: p.examCopyingCommonWrongMin },
      )) {
        const a = byId.get(v.a)!;
        const b = byId.get(v.b)!;
        const [x, y] = a.personName <= b.personName ? [a, b] : [b, a];
        out.push({
          rule: 'E08',
          code: 'identical_wrong_answers',
          severity: 'serious',
          blocking: false,
          subject: { kind: 'exam_session', id: sessionId, name: `${first.orgName} ${day}` },
          message: `${first.orgName} ${day}：考生${x.personName}与${y.personName}共同答错的 ${v.commonWrong} 题中有 ${v.identical} 题错误答案完全相同，独立作答出现的概率约 ${v.p.toExponential(1)}（按本场 ${(list.length * (list.length - 1)) / 2} 对校正后 ${v.adjusted.toExponential(1)}），疑似雷同答卷`,
          evidence: [
            ev('exam_session', sessionId),
            ev('theory_attempt', x.attemptId, `${x.personName} 理论答卷`),
            ev('theory_attempt', y.attemptId, `${y.personName} 理论答卷`),
          ],
          source: `${SOURCES.seed001}：包过班；政策参数「${policyLabels.examCopyingAlpha.zh}」`,
          figure: { key: 'examCopyingAlpha', expected: p.examCopyingAlpha, actual: v.adjusted },
          organization: orgOf(first),
          date: day,
        });
      }
    }
    for (const r of rates) {
      const p = env.policy(r.orgRegion, today);
      if (r.n < p.examPassRateMinSample) continue;
      const restN = r.cityN - r.n;
      const restK = r.cityK - r.k;
      if (restN <= 0) continue;
      const p0 = restK / restN;
      const pValue = binomialTail(r.k, r.n, p0);
      if (pValue >= p.examPassRateAlpha) continue;
      const item = findOperationItem(r.itemCode)?.name ?? r.itemCode;
      const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
      out.push({
        rule: 'E08',
        code: 'pass_rate_outlier',
        severity: 'serious',
        blocking: false,
        subject: { kind: 'organization', id: r.orgId, name: r.orgName },
        message: `考试点「${r.orgName}」：「${r.institutionName}」的学员「${item}」考试 ${r.n} 人次通过 ${r.k}（${pct(r.k / r.n)}），本市其他 ${restN} 人次通过率 ${pct(p0)}；独立情况下出现的概率 ${pValue.toExponential(1)}，疑似包过`,
        evidence: [
          ev('organization', r.orgId, r.orgName),
          ev('organization', r.institutionId, r.institutionName),
        ],
        source: `${SOURCES.seed001}：包过班；政策参数「${policyLabels.examPassRateAlpha.zh}」、政策参数「${policyLabels.examPassRateMinSample.zh}」`,
        figure: { key: 'examPassRateAlpha', expected: p.examPassRateAlpha, actual: pValue },
        organization: orgOf(r),
        date: r.firstDay,
      });
    }
    return out;
  },
});
