import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
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
  sessionId: string;
  examinerId: string;
  examinerName: string;
  a: {
    id: string;
    registrationId: string;
    name: string;
    subject: string;
    from: string;
    to: string;
  };
  b: {
    id: string;
    registrationId: string;
    name: string;
    subject: string;
    from: string;
    to: string;
  };
}

/**
 * E02 一名考评员同时评判多名考生 (seed 004: 实操考试一名考评员同时对多名考生进行评判): two practical
 * scorings of different candidates by one examiner whose spans (started → scored) overlap. Spans are
 * half-open: scoring the next candidate from the minute the last was scored is not an overlap.
 * One alert per overlapping pair, against the exam site of the first scoring's session.
 */
export default defineRule({
  id: 'E02',
  record: 'exam_session',
  policyKeys: [],
  triggers: ['exam_score'],
  reach: 'organization',
  async load(ctx) {
    const r = await sql<Row>`
      select s.id as session_id, e.id as examiner_id, e.name as examiner_name, ${orgColumns('site')},
             json_build_object('id', a.id, 'registrationId', ra.id, 'name', pa.name, 'subject', a.subject_code, 'from', a.started_at, 'to', a.scored_at) as a,
             json_build_object('id', b.id, 'registrationId', rb.id, 'name', pb.name, 'subject', b.subject_code, 'from', b.started_at, 'to', b.scored_at) as b
      from practical_score a
      join practical_score b on b.examiner_person_id = a.examiner_person_id and b.registration_id <> a.registration_id
        and (b.started_at, b.id) > (a.started_at, a.id)
        and tstzrange(a.started_at, a.scored_at) && tstzrange(b.started_at, b.scored_at)
      join exam_registration ra on ra.id = a.registration_id
      join exam_registration rb on rb.id = b.registration_id
      join person pa on pa.id = ra.person_id
      join person pb on pb.id = rb.person_id
      join person e on e.id = a.examiner_person_id
      join exam_session s on s.id = ra.session_id
      join organization site on site.id = s.site_id
      where a.started_at is not null and a.scored_at > a.started_at
        and b.started_at is not null and b.scored_at > b.started_at
        and ${inScope(ctx, 'site.region_code', 'site.id')}`.execute(ctx.db);
    return r.rows;
  },
  judge(rows) {
    return rows.map((r) => {
      const day = beijingDay(r.a.from);
      const span = (x: Row['a']) => `${beijingHm(x.from)}–${beijingHm(x.to)}`;
      return {
        rule: 'E02' as const,
        code: 'examiner_scoring_several',
        severity: 'serious' as const,
        blocking: false,
        subject: { kind: 'exam_session' as const, id: r.sessionId, name: `${r.orgName} ${day}` },
        message: `${r.orgName} ${day}：考评员${r.examinerName}同时评判${r.a.name}（${r.a.subject} ${span(r.a)}）和${r.b.name}（${r.b.subject} ${span(r.b)}）`,
        evidence: [
          ev('person', r.examinerId, `考评员 ${r.examinerName}`),
          ev('practical_score', r.a.id, `${r.a.name} ${r.a.subject} ${span(r.a)}`),
          ev('practical_score', r.b.id, `${r.b.name} ${r.b.subject} ${span(r.b)}`),
          ev('exam_registration', r.a.registrationId, r.a.name),
          ev('exam_registration', r.b.registrationId, r.b.name),
        ],
        source: `安监总厅培训〔2014〕139号 实际操作考试：考评员现场逐一评判；${SOURCES.seed004}：一名考评员同时对多名考生进行评判`,
        organization: orgOf(r),
        date: day,
      };
    });
  },
});
