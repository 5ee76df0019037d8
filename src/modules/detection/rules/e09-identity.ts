import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import type { Detected } from '../rule.js';
import { defineRule } from '../rule.js';
import {
  beijingDay,
  beijingHm,
  ev,
  inScope,
  type OrgColumns,
  orgColumns,
  orgOf,
} from './shared.js';

interface Row extends OrgColumns {
  registrationId: string;
  personId: string;
  personName: string;
  sessionId: string;
  startsAt: Date;
  checkedInAt: Date | null;
  decision: string | null;
  score: number | null;
  overrideReason: string | null;
  overrideBy: string | null;
  sat: boolean;
}

/**
 * E09 考生身份核验不一致（替考）(seed 003: 替考；人证核验): a candidate let into the exam although the
 * face at check-in did not match the enrolled one — the platform's face decision was 'mismatch' or
 * 'review' and an invigilator overrode it, or (history from another system) a match score below the
 * policy's faceMatchThreshold. Severity: serious for a mismatch, warning for a capture held for review.
 * Exact at the threshold: a score equal to faceMatchThreshold is a match.
 */
export default defineRule({
  id: 'E09',
  record: 'exam_registration',
  policyKeys: ['faceMatchThreshold'],
  triggers: ['exam_registration', 'face'],
  reach: 'organization',
  async load(ctx) {
    const r = await sql<Row>`
      select r.id as registration_id, p.id as person_id, p.name as person_name, s.id as session_id, s.starts_at,
             r.checked_in_at, r.checkin_decision as decision, r.checkin_score::float8 as score,
             r.override_reason, r.override_by,
             (r.status = 'checked_in' or r.theory_score is not null or r.result in ('pass', 'fail')) as sat,
             ${orgColumns('site')}
      from exam_registration r
      join exam_session s on s.id = r.session_id
      join organization site on site.id = s.site_id
      join person p on p.id = r.person_id
      where r.status <> 'withdrawn' and (r.checkin_decision is not null or r.checkin_score is not null)
        and ${inScope(ctx, 'site.region_code', 'site.id')}`.execute(ctx.db);
    return r.rows;
  },
  judge(rows, env) {
    const out: Detected[] = [];
    for (const r of rows) {
      if (!r.sat) continue;
      const day = beijingDay(r.startsAt);
      const p = env.policy(r.orgRegion, day);
      const lowScore = r.score !== null && r.score < p.faceMatchThreshold;
      const flagged = r.decision === 'mismatch' || r.decision === 'review' || lowScore;
      if (!flagged) continue;
      const serious = r.decision === 'mismatch' || (r.decision !== 'review' && lowScore);
      const at = r.checkedInAt ? `${beijingHm(r.checkedInAt)} ` : '';
      out.push({
        rule: 'E09',
        code: serious ? 'checkin_face_mismatch' : 'checkin_face_unverified',
        severity: serious ? 'serious' : 'warning',
        blocking: false,
        subject: { kind: 'exam_registration', id: r.registrationId, name: r.personName },
        message: `${r.orgName} ${day} ${at}考生${r.personName}签到人脸核验${r.decision === 'review' ? '未能确认' : '不一致'}${r.score !== null ? `（比对分 ${r.score}，阈值 ${p.faceMatchThreshold}）` : ''}，仍${r.overrideReason ? `由${r.overrideBy ?? '监考员'}人工放行（理由：${r.overrideReason}）` : '入场'}参加考试，可能替考`,
        evidence: [
          ev('exam_registration', r.registrationId, `${r.personName} 签到`),
          ev('person', r.personId, r.personName),
          ev('exam_session', r.sessionId),
        ],
        source: `《特种作业人员安全技术培训考核管理规定》：考生凭身份证件参加考试；${SOURCES.seed003}：人证核验、杜绝替考`,
        figure: { key: 'faceMatchThreshold', expected: p.faceMatchThreshold, actual: r.score },
        organization: orgOf(r),
        date: day,
      });
    }
    return out;
  },
});
