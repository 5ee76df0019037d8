import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { classesMerged, kindMismatch } from '../../training/classes.rules.js';
import type { Detected } from '../rule.js';
import { defineRule } from '../rule.js';
import { collidingOthers, lessonOf, loadOverlaps, type OverlapRow } from './overlaps.js';
import { beijingDay, inScope, type OrgColumns, orgColumns, orgOf } from './shared.js';

interface MixedRow extends OrgColumns {
  classId: string;
  classCode: string;
  className: string;
  classKind: 'initial' | 'refresher' | 'review';
  startDate: string;
  trainees: {
    personId: string;
    name: string;
    kind: 'initial' | 'refresher' | 'review';
    id: string;
  }[];
}

/**
 * T06 初训复训混班或多班合班 (seed 004: 初训、复训混合编班，有的存在多个培训班混班培训):
 * - classes_merged: lessons of different classes in one room at overlapping times — the planning
 *   rule's function (classes.rules.ts classesMerged) over every stored plan;
 * - class_kinds_mixed: trainees whose own kind of training (initial / refresher / review, as enrolled
 *   or as the source system recorded it) differs from the class's — the enrolment rule's function
 *   (kindMismatch), one alert per class naming every such trainee.
 */
export default defineRule({
  id: 'T06',
  record: 'class',
  policyKeys: [],
  triggers: ['lesson', 'class', 'roster'],
  reach: 'organization',
  async load(ctx) {
    const merged = await loadOverlaps(ctx, 'room');
    const mixed = await sql<MixedRow>`
      select c.id as class_id, c.code as class_code, c.name as class_name, c.kind as class_kind, c.start_date,
             ${orgColumns('o')},
             json_agg(json_build_object('id', ct.id, 'personId', p.id, 'name', p.name, 'kind', ct.training_kind) order by p.name, p.id) as trainees
      from class_trainee ct
      join training_class c on c.id = ct.class_id
      join organization o on o.id = c.organization_id
      join person p on p.id = ct.person_id
      where ct.training_kind is not null and ct.training_kind <> c.kind and ${inScope(ctx, 'o.region_code', 'o.id')}
      group by c.id, o.id`.execute(ctx.db);
    return { merged, mixed: mixed.rows };
  },
  judge({ merged, mixed }: { merged: OverlapRow[]; mixed: MixedRow[] }) {
    const out: Detected[] = [];
    for (const r of merged) {
      const f = classesMerged({
        room: { id: r.shareId, name: r.shareName ?? undefined },
        lesson: lessonOf(r),
        others: collidingOthers(r),
      });
      if (f)
        out.push({
          ...f,
          rule: 'T06',
          message: `${r.orgName}：${f.message}`,
          organization: orgOf(r),
          date: beijingDay(r.startsAt),
        });
    }
    for (const c of mixed) {
      const problems = c.trainees.flatMap((t) => {
        const m = kindMismatch(c.classKind, t.kind, t.name);
        return m ? [{ t, m }] : [];
      });
      if (problems.length === 0) continue;
      out.push({
        rule: 'T06',
        code: 'class_kinds_mixed',
        severity: 'serious',
        blocking: true,
        subject: { kind: 'class', id: c.classId, name: `${c.classCode} ${c.className}` },
        message: `${c.orgName} 培训班 ${c.classCode}：${problems.length} 名学员的培训类型与本班不同（初训、复训混合编班）——${problems.map((p) => p.m).join('；')}`,
        evidence: [
          { kind: 'training_class', id: c.classId, label: c.classCode },
          ...problems.map((p) => ({ kind: 'person', id: p.t.personId, label: p.t.name })),
        ],
        source: `${SOURCES.seed004}：初训、复训混合编班`,
        organization: orgOf(c),
        date: c.startDate,
      });
    }
    return out;
  },
});
