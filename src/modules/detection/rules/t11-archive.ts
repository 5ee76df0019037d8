import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { archiveStates } from '../../training/archive.service.js';
import type { Detected } from '../rule.js';
import { defineRule } from '../rule.js';
import { beijingDay, ev, inScope, type OrgColumns, orgColumns, orgOf } from './shared.js';

interface ClassRow extends OrgColumns {
  classId: string;
  classCode: string;
  className: string;
  closedAt: Date | null;
  endDate: string;
}

type State = Awaited<ReturnType<typeof archiveStates>>[number];

const kindNames: Record<string, string> = {
  training_class: '培训班',
  class_trainee: '花名册',
  lesson: '课程',
  attendance_event: '考勤',
  attendance_makeup: '补录',
  recording: '录像',
  online_course: '线上课程',
  online_session: '线上学习',
  online_face_check: '线上人脸核验',
  online_segment: '线上学习片段',
  class_document: '档案文件',
};

/**
 * T11 一期一档不完整或封档后被改动 (seed 001: 培训档案不规范；seed 004: 一期一档资料不全), over every
 * closed class (结业), through the archive module's own checklist and seal (archive.service
 * archiveStates — the same functions as the class's archive page and `zhenxun archive verify`):
 * - archive_incomplete: a part of 一期一档 missing (plan, roster, attendance and video per offline
 *   lesson, the six documents);
 * - archive_not_sealed: closed without a seal (history from a system that did not seal), so nothing
 *   proves the records are the ones it closed with;
 * - archive_altered: records changed, added or removed since sealing, or a manifest whose leaves no
 *   longer give its root. (The audit-log anchoring of the seal is checked by archive verify.)
 */
export default defineRule({
  id: 'T11',
  record: 'class',
  policyKeys: [],
  triggers: ['archive', 'attendance', 'makeup', 'recording', 'online', 'lesson', 'roster', 'class'],
  reach: 'organization',
  async load(ctx) {
    const classes = await sql<ClassRow>`
      select c.id as class_id, c.code as class_code, c.name as class_name, c.closed_at, c.end_date::text as end_date,
             ${orgColumns('o')}
      from training_class c join organization o on o.id = c.organization_id
      where c.status = 'closed' and ${inScope(ctx, 'o.region_code', 'o.id')}`.execute(ctx.db);
    const states = await archiveStates(
      ctx.db,
      classes.rows.map((c) => c.classId),
    );
    return { classes: classes.rows, states };
  },
  judge({ classes, states }) {
    const stateOf = new Map<string, State>(states.map((s) => [s.classId, s]));
    const out: Detected[] = [];
    for (const c of classes) {
      const s = stateOf.get(c.classId);
      if (!s) continue;
      const day = c.closedAt ? beijingDay(c.closedAt) : c.endDate;
      const base = {
        rule: 'T11' as const,
        subject: { kind: 'class' as const, id: c.classId, name: `${c.classCode} ${c.className}` },
        organization: orgOf(c),
        date: day,
      };
      const cls = ev('training_class', c.classId, c.classCode);
      const missing = s.parts.filter((p) => !p.present);
      if (missing.length > 0)
        out.push({
          ...base,
          code: 'archive_incomplete',
          severity: 'serious',
          blocking: false,
          message: `${c.orgName} 培训班 ${c.classCode} 已结业，一期一档缺 ${missing.map((p) => p.label).join('、')}：${missing
            .flatMap((p) => p.missing)
            .slice(0, 5)
            .join('；')}`,
          evidence: [cls],
          source: `${SOURCES.seed004}：一期一档资料不全（课件清单、教学日志、查课记录、评教统计、总结、质量评估）；${SOURCES.seed001}：培训档案`,
          figure: {
            key: 'archiveParts',
            expected: s.parts.map((p) => p.part),
            actual: s.parts.filter((p) => p.present).map((p) => p.part),
          },
        });
      if (!s.seal) {
        out.push({
          ...base,
          code: 'archive_not_sealed',
          severity: 'warning',
          blocking: false,
          message: `${c.orgName} 培训班 ${c.classCode} 已结业但未封档，档案记录可被随意改动而无从发现`,
          evidence: [cls],
          source: `一期一档结业封档；${SOURCES.seed004}：培训档案管理`,
        });
        continue;
      }
      const { changed, added, removed, manifestIntact } = s.seal;
      if (changed.length + added.length + removed.length > 0 || !manifestIntact) {
        const list = (xs: { kind: string; label: string | null }[], verb: string) =>
          xs.length
            ? `${verb} ${xs.length} 条（${xs
                .slice(0, 3)
                .map((x) => `${kindNames[x.kind] ?? x.kind}${x.label ? ` ${x.label}` : ''}`)
                .join('；')}${xs.length > 3 ? '…' : ''}）`
            : '';
        out.push({
          ...base,
          code: 'archive_altered',
          severity: 'serious',
          blocking: false,
          message: `${c.orgName} 培训班 ${c.classCode} 封档（${beijingDay(s.seal.sealedAt)}）后档案被改动：${[
            list(changed, '修改'),
            list(added, '新增'),
            list(removed, '删除'),
            manifestIntact ? '' : '封档清单与其根不符',
          ]
            .filter(Boolean)
            .join('，')}`,
          evidence: [
            cls,
            ...[...changed, ...added, ...removed].map((x) =>
              ev(x.kind, x.id, `${kindNames[x.kind] ?? x.kind}${x.label ? ` ${x.label}` : ''}`),
            ),
          ],
          source: `一期一档封档（Merkle 根记入审计日志）；${SOURCES.seed001}、${SOURCES.seed004}：培训档案`,
        });
      }
    }
    return out;
  },
});
