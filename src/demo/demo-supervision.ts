import { crc32, deflateSync } from 'node:zlib';
import { idsForRefs } from '../bundle/bundle.service.js';
import { addDays, addWorkingDays, beijingWallTime, isWorkingDay } from '../catalog/calendar.js';
import { encodeJpeg, type RgbImage } from '../modules/faces/face-engine.js';
import * as inspections from '../modules/supervision/inspections.service.js';
import * as rectification from '../modules/supervision/rectification.service.js';
import * as reports from '../modules/supervision/reports.service.js';
import type { Actor } from '../platform/auth/actor.js';
import { actorOfUser } from '../platform/auth/auth.service.js';
import type { Executor } from '../platform/db/database.js';
import type { FileStorage } from '../platform/files/storage.js';
import type { DemoTimeline } from './demo-timeline.js';

type DemoUser = { userId: string; organizationId: string | null; displayName: string };

/**
 * The demo city's supervision history, run through the supervision services on the days it
 * happened (PRODUCT.md §2.6, issue 15 point 11):
 *
 * - seven weeks ago 泰山区 drew its training institutions (双随机, recorded seed) and inspected both:
 *   the model school passed everything (an inspection that finds nothing), 岱宗 failed the AQ 8011
 *   conditions (serious) and the camera coverage (warning), each with a photo;
 * - the camera order was answered with evidence through a one-time link, verified by the third
 *   泰山区 inspector (not of the team) and closed;
 * - the serious finding got no penalty (G01 只检查不处罚); two days ago a follow-up order was issued;
 * - five weeks ago the city inspected 岱岳 (the `school` account): two findings, a warning penalty, and
 *   an order nobody answered — overdue, escalated to the city;
 * - the grades were computed yesterday; today the `inspector` account has 岱宗's follow-up inspection.
 *
 * Deterministic for a seed and anchor: the draw's seed is derived from them, people are picked by
 * ID-card number, the photos and the signature are drawn by code.
 */
export const DEMO_SUPERVISION = {
  pastInspectionDaysBefore: 49,
  cityInspectionDaysBefore: 35,
  institutionPlanKey: 'taishan',
  failingKey: 'daizong',
  cityTargetKey: 'daiyue',
} as const;

const TAISHAN = '370902';
const DAIYUE = '370911';

/** The codes failed on site, per institution; every other item passes. */
const failures: Record<string, Record<string, string>> = {
  daizong: {
    'sd-inst-1': '培训场所仅有1个进出口；未配备人脸识别考勤设备（与信息登记核查一致）',
    'sd-inst-4d': '实操大厅仅1个摄像头，不能覆盖全部实操工位',
  },
  daiyue: {
    'sd-inst-1': '专职管理人员仅3人（2人已离职未补充），少于5人',
    'sd-inst-2': '1名专职管理人员同时担任专职教师，岗位混用',
  },
};

/** A site photo drawn by code: a wall, a door, a camera in the corner (content-addressed like any photo). */
export function demoPhoto(variant: number): Uint8Array {
  const width = 320;
  const height = 240;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const floor = y > 180;
      const door = x > 120 + variant * 20 && x < 190 + variant * 20 && y > 70 && y <= 180;
      const camera = x > 270 && x < 300 && y > 20 && y < 36;
      const [r, g, b] = camera
        ? [30, 30, 30]
        : door
          ? [120, 80, 50]
          : floor
            ? [150, 150, 140]
            : [220 - (y >> 3), 215 - (y >> 3), 200 - (y >> 3)];
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
    }
  const image: RgbImage = { width, height, data };
  return encodeJpeg(image, 80);
}

/** A signature as the phone's canvas gives it: a grey-scale PNG of a scribble. */
export function demoSignature(strokes: number): Uint8Array {
  const width = 300;
  const height = 100;
  const px = new Uint8Array(width * height).fill(255);
  for (let t = 0; t < 2000; t++) {
    const s = t / 2000;
    const x = Math.round(20 + s * 260);
    const y = Math.round(50 + 25 * Math.sin(s * Math.PI * strokes) * Math.cos(s * 7));
    for (let dy = -1; dy <= 1; dy++) px[(y + dy) * width + x] = 20;
  }
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++)
    raw.set(px.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const chunk = (type: string, body: Uint8Array) => {
    const out = Buffer.alloc(12 + body.length);
    out.writeUInt32BE(body.length, 0);
    out.write(type, 4, 'ascii');
    Buffer.from(body).copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)) >>> 0, 8 + body.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey-scale
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(raw, { level: 9 })),
      chunk('IEND', new Uint8Array()),
    ]),
  );
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const workingDayOnOrBefore = (day: string) => (isWorkingDay(day) ? day : addWorkingDays(day, -1));

/** An inspector without a login of their own, acting through the services as themselves. */
function inspectorActor(
  person: { personId: string; name: string },
  regionCode: string,
  regulatorId: string,
): Actor {
  return {
    userId: null,
    tokenId: null,
    displayName: person.name,
    roles: ['inspector'],
    organizationId: regulatorId,
    organizationKind: 'regulator',
    organizationName: null,
    regionCode,
    personId: person.personId,
    tokenScopes: null,
    scope: { kind: 'region', regionCode },
  };
}

async function inspectorsOf(db: Executor, regionCode: string) {
  return db
    .selectFrom('staffAssignment as s')
    .innerJoin('person as p', 'p.id', 's.personId')
    .innerJoin('organization as o', 'o.id', 's.organizationId')
    .select(['p.id as personId', 'p.name', 'o.id as regulatorId'])
    .where('s.duty', '=', 'inspector')
    .where('o.kind', '=', 'regulator')
    .where('o.regionCode', '=', regionCode)
    .where('s.endDate', 'is', null)
    .orderBy('p.idNumber')
    .execute();
}

/** The person who signs for an institution: its first manager by ID number, else its name. */
async function signerOf(db: Executor, organizationId: string): Promise<string> {
  const row = await db
    .selectFrom('staffAssignment as s')
    .innerJoin('person as p', 'p.id', 's.personId')
    .select('p.name')
    .where('s.organizationId', '=', organizationId)
    .where('s.duty', '=', 'manager')
    .where('s.endDate', 'is', null)
    .orderBy('p.idNumber')
    .executeTakeFirst();
  return row?.name ?? '单位负责人';
}

/** Walks an inspection on site: start (prefilled evidence), every item, photos on failures, signature. */
async function inspectOnSite(
  db: Executor,
  files: FileStorage,
  actor: Actor,
  inspectionId: string,
  day: string,
  fails: Record<string, string>,
  signerName: string,
) {
  const started = await inspections.startInspection(
    db,
    actor,
    inspectionId,
    beijingWallTime(day, '09:30'),
  );
  let minute = 0;
  for (const item of started.items) {
    const at = new Date(beijingWallTime(day, '09:40').getTime() + minute++ * 4 * 60_000);
    const note = fails[item.code];
    if (!note) {
      await inspections.answerItem(db, actor, inspectionId, item.position, { result: 'pass' }, at);
      continue;
    }
    const photo = await inspections.addInspectionPhoto(db, files, actor, inspectionId, {
      contentBase64: b64(demoPhoto(item.position % 4)),
      contentType: 'image/jpeg',
      name: `现场照片-${item.position}.jpg`,
    });
    await inspections.answerItem(
      db,
      actor,
      inspectionId,
      item.position,
      { result: 'fail', note, photoSha256s: [photo.sha256] },
      at,
    );
  }
  return inspections.signInspection(
    db,
    files,
    actor,
    inspectionId,
    {
      signerName,
      signaturePngBase64: b64(demoSignature(3 + (signerName.length % 4))),
      summary: undefined,
    },
    beijingWallTime(day, '11:30'),
  );
}

export async function runDemoSupervision(
  db: Executor,
  files: FileStorage,
  users: Map<string, DemoUser>,
  timeline: DemoTimeline,
  seed: number,
): Promise<{ inspections: number; findings: number; orders: number }> {
  const anchor = timeline.anchor;
  const county = await actorOfUser(db, users.get('county')!.userId);
  const city = await actorOfUser(db, users.get('regulator')!.userId);
  const me = await actorOfUser(db, users.get('inspector')!.userId);
  if (!county || !city || !me?.personId) throw new Error('demo supervision accounts missing');
  const orgIds = await idsForRefs(db, 'organizations', [
    'org:institution:taishan',
    'org:institution:daizong',
    'org:institution:daiyue',
  ]);
  const daizong = orgIds.get('org:institution:daizong')!;
  const daiyue = orgIds.get('org:institution:daiyue')!;
  const taishanInspectors = await inspectorsOf(db, TAISHAN);
  const daiyueInspectors = await inspectorsOf(db, DAIYUE);
  const counts = { inspections: 0, findings: 0, orders: 0 };

  // ——— 泰山区: the annual plan and its draw; both institutions inspected on the same day ———
  const t0 = workingDayOnOrBefore(addDays(anchor, -DEMO_SUPERVISION.pastInspectionDaysBefore));
  const year = Number(t0.slice(0, 4));
  const plan = await inspections.createPlan(db, county, {
    year,
    name: `${year}年度培训机构执法检查计划（双随机）`,
    subjectKinds: ['training_institution', 'exam_site'],
    targetCount: 4,
    notes: '按《安全生产培训“走过场”专项整治》要求，辖区培训机构全覆盖检查，考试点随机抽取。',
  });
  const draw = await inspections.drawForPlan(
    db,
    county,
    plan.id,
    {
      subjectKinds: ['training_institution'],
      count: 2,
      inspectorsPerTarget: 2,
      scheduledOn: t0,
      seed: `zhenxun-demo-${seed}-${t0}`,
    },
    beijingWallTime(addWorkingDays(t0, -5), '10:00'),
  );
  const drawn = await inspections.listInspections(db, county, { from: t0, to: t0 });
  for (const insp of drawn.filter((i) => draw.inspections.includes(i.id))) {
    const lead = taishanInspectors.find((p) => p.personId === insp.inspectorPersonIds[0])!;
    const actor = inspectorActor(lead, TAISHAN, lead.regulatorId);
    const fails = insp.organizationId === daizong ? failures.daizong : {};
    const signed = await inspectOnSite(
      db,
      files,
      actor,
      insp.id,
      t0,
      fails,
      await signerOf(db, insp.organizationId),
    );
    counts.inspections++;
    counts.findings += signed.findings.length;
    if (insp.organizationId !== daizong) continue;

    // The camera order: answered with evidence through a one-time link, verified by the inspector
    // who was not on the team, closed by the county.
    const camera = signed.findings.find((f) => f.code === 'sd-inst-4d')!;
    const serious = signed.findings.find((f) => f.code === 'sd-inst-1')!;
    const issued = addWorkingDays(t0, 1);
    const deadline = addDays(t0, 21);
    const order = await rectification.issueOrder(
      db,
      actor,
      {
        findingIds: [camera.id],
        deadline,
        responsibleName: await signerOf(db, daizong),
        requirements:
          '实操大厅增设广角摄像头，做到理论和实操场地全覆盖；整改完成后上传现场照片和验收记录。',
      },
      beijingWallTime(issued, '15:00'),
    );
    const link = await rectification.createOrderLink(
      db,
      actor,
      order.id,
      beijingWallTime(issued, '15:05'),
    );
    const answered = addDays(deadline, -5);
    const evidence = await rectification.uploadByLink(
      db,
      files,
      link.token,
      { contentBase64: b64(demoPhoto(3)), contentType: 'image/jpeg', name: '新增摄像头.jpg' },
      beijingWallTime(answered, '16:00'),
    );
    await rectification.respondByLink(
      db,
      link.token,
      {
        statement: '已在实操大厅增设3个广角摄像头，录像接入平台，覆盖全部实操工位。',
        fileIds: [evidence.id],
      },
      beijingWallTime(answered, '16:10'),
    );
    const third = taishanInspectors.find((p) => !insp.inspectorPersonIds.includes(p.personId));
    if (third)
      await rectification.verifyOrder(
        db,
        inspectorActor(third, TAISHAN, third.regulatorId),
        order.id,
        { outcome: 'accepted', note: '现场复核：实操大厅摄像头已增设至4个，录像可回放。' },
        beijingWallTime(addDays(deadline, -3), '10:30'),
      );
    if (third)
      await rectification.closeOrder(
        db,
        county,
        order.id,
        beijingWallTime(addDays(deadline, -2), '09:00'),
      );
    counts.orders++;
    // The serious finding: no penalty was decided (G01); a follow-up order two working days ago.
    const followUp = addWorkingDays(anchor, -2);
    await rectification.issueOrder(
      db,
      county,
      {
        findingIds: [serious.id],
        deadline: addDays(anchor, 28),
        responsibleName: await signerOf(db, daizong),
        requirements:
          '增设第二个安全出口，配备人脸识别考勤设备，按 AQ 8011 补齐基本条件后申请复核。',
      },
      beijingWallTime(followUp, '10:00'),
    );
    counts.orders++;
  }

  // ——— the city inspects 岱岳: a warning, and an order nobody answered ———
  const t1 = workingDayOnOrBefore(addDays(anchor, -DEMO_SUPERVISION.cityInspectionDaysBefore));
  const team = daiyueInspectors.slice(0, 2);
  const cityInspection = await inspections.createInspection(db, city, {
    organizationId: daiyue,
    scheduledOn: t1,
    inspectorPersonIds: team.map((p) => p.personId),
  });
  const lead = inspectorActor(team[0], DAIYUE, team[0].regulatorId);
  const signed = await inspectOnSite(
    db,
    files,
    lead,
    cityInspection.id,
    t1,
    failures.daiyue,
    await signerOf(db, daiyue),
  );
  counts.inspections++;
  counts.findings += signed.findings.length;
  const deadline = addDays(t1, 15);
  await rectification.issueOrder(
    db,
    city,
    {
      findingIds: signed.findings.map((f) => f.id),
      deadline,
      responsibleName: await signerOf(db, daiyue),
      requirements:
        '补足专职管理人员至不少于5人，专职管理人员不再兼任专职教师；提交劳动合同和岗位调整文件。',
    },
    beijingWallTime(addWorkingDays(t1, 1), '15:00'),
  );
  counts.orders++;
  await rectification.decidePenalty(db, city, {
    organizationId: daiyue,
    kind: 'warning',
    basis: '《安全生产培训管理办法》第三十五条；AQ 8011-2023',
    decisionNumber: `泰应急罚〔${Number(t1.slice(0, 4))}〕${(seed % 40) + 21}号`,
    decidedOn: addWorkingDays(t1, 3),
    inspectionId: cityInspection.id,
    findingId: signed.findings.find((f) => f.code === 'sd-inst-1')?.id,
  });
  // Nobody answered: the day after the deadline the sweep sends it up to the city.
  await rectification.escalateOverdueOrders(db, beijingWallTime(addDays(deadline, 1), '00:10'));

  // ——— the grades, and today's inspection for the `inspector` account ———
  await reports.computeGrades(db, city, beijingWallTime(addDays(anchor, -1), '18:00'));
  const partner = taishanInspectors.find((p) => p.personId !== me.personId);
  await inspections.createInspection(db, county, {
    organizationId: daizong,
    scheduledOn: anchor,
    inspectorPersonIds: [me.personId, ...(partner ? [partner.personId] : [])],
    planId: plan.id,
  });
  counts.inspections++;
  return counts;
}
