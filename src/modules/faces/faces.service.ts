import { beijingDay } from '../../catalog/calendar.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Actor, hasRole } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden } from '../../platform/errors.js';
import { policyInForce } from '../policy/policy.service.js';
import { findVisiblePerson } from '../registry/registry.service.js';
import { DescriptorIndex } from './descriptor-index.js';
import {
  type DetectedFace,
  decodeJpeg,
  detectFaces,
  jpegDimensions,
  MAX_FACE_IMAGE_PIXELS,
  type RgbImage,
} from './face-engine.js';
import * as repo from './faces.repository.js';
import {
  captureProblem,
  decideVerification,
  type FaceDecision,
  similarity,
} from './faces.rules.js';

export const FACE_MODEL = 'human-3.3.6/faceres';

/** Who may capture faces for a person: the staff who enrol and check people, and regulators. */
const capturingRoles = [
  'regulator',
  'exam_authority',
  'exam_site',
  'training_institution',
  'enterprise',
] as const;

function decodeBase64Jpeg(base64: string): RgbImage {
  const bytes = Buffer.from(base64.replace(/^data:image\/jpeg;base64,/, ''), 'base64');
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    throw new DomainError('validation_failed', '图片须为 JPEG', [
      { path: 'body.image', message: 'not a JPEG' },
    ]);
  }
  // Size first, from the header: a huge frame must be refused before it costs seconds and gigabytes.
  const size = jpegDimensions(bytes);
  if (!size || size.width === 0 || size.height === 0)
    throw new DomainError('validation_failed', '图片无法解码', [
      { path: 'body.image', message: 'no JPEG frame header' },
    ]);
  if (size.width * size.height > MAX_FACE_IMAGE_PIXELS)
    throw new DomainError(
      'validation_failed',
      `图片过大（${size.width}×${size.height}）：人脸图像不得超过 ${MAX_FACE_IMAGE_PIXELS / 1_000_000} 百万像素`,
      [
        {
          path: 'body.image',
          message: `${size.width}x${size.height} exceeds ${MAX_FACE_IMAGE_PIXELS} pixels`,
          code: 'image_too_large',
        },
      ],
    );
  try {
    return decodeJpeg(bytes);
  } catch {
    throw new DomainError('validation_failed', '图片无法解码', [
      { path: 'body.image', message: 'undecodable JPEG' },
    ]);
  }
}

async function thresholds(db: Executor, regionCode: string, now: Date) {
  const policy = await policyInForce(db, regionCode, beijingDay(now));
  return {
    match: policy.figures.faceMatchThreshold.value,
    antispoofMin: policy.figures.faceAntispoofMin.value,
    livenessMin: policy.figures.faceLivenessMin.value,
  };
}

function singleFace(faces: DetectedFace[]): DetectedFace {
  const problem = captureProblem(faces.length);
  if (problem)
    throw new DomainError('rule_violation', problem.message, [
      { path: 'body.image', message: problem.message, code: problem.reason },
    ]);
  return faces[0];
}

/** Stores a descriptor of the person's face (never the photo). Writes an audit entry. */
export async function enrollFace(
  db: Executor,
  actor: Actor,
  personId: string,
  imageBase64: string,
  requestId?: string,
) {
  if (!hasRole(actor, ...capturingRoles)) throw forbidden('当前角色不能采集人脸');
  const person = await findVisiblePerson(db, actor, personId);
  const face = singleFace(await detectFaces(decodeBase64Jpeg(imageBase64)));
  return transaction(db, async (trx) => {
    const row = await repo.insertTemplate(trx, {
      personId: person.id,
      organizationId: actor.organizationId,
      regionCode: actor.regionCode ?? person.regionCode,
      model: FACE_MODEL,
      embedding: face.embedding,
      quality: { detector: face.score, real: face.real, live: face.live, box: face.box },
    });
    await recordAudit(trx, {
      actor,
      action: 'face.enroll',
      entityType: 'face_template',
      entityId: row.id,
      regionCode: actor.regionCode,
      after: { personId: person.id, model: FACE_MODEL },
      requestId,
    });
    const count = await repo.countTemplatesOfPerson(trx, person.id);
    return { templateId: row.id, templates: Number(count.n), real: face.real, live: face.live };
  });
}

export interface VerificationResult {
  decision: FaceDecision;
  score: number | null;
  real: number | null;
  live: number | null;
  reasons: string[];
  message: string;
  threshold: number;
  /** The face_verification row this check wrote (online learning links its checks to it). */
  verificationId?: string;
}

const messages: Record<FaceDecision, string> = {
  match: '人脸比对通过',
  mismatch: '人脸比对不一致',
  review: '疑似翻拍或非活体，需人工复核',
  refused: '采集画面不合格',
};

/**
 * Compares a frame with the person's enrolled templates and records the verification. A worker may
 * verify only themselves (online learning); staff verify the people in their scope.
 */
export async function verifyFace(
  db: Executor,
  actor: Actor,
  personId: string,
  imageBase64: string,
  context: string,
  opts: { now?: Date; requestId?: string } = {},
): Promise<VerificationResult> {
  const isSelf = actor.personId === personId && hasRole(actor, 'worker');
  if (!isSelf && !hasRole(actor, ...capturingRoles)) throw forbidden('当前角色不能进行人脸核验');
  const person = await findVisiblePerson(db, actor, personId);
  return verifyFaceOf(db, actor, person, imageBase64, context, opts);
}

/**
 * The verification itself, for a module that has already established why this actor may check this
 * person (an exam site's invigilator at check-in sees candidates who are not in its own scope).
 */
export async function verifyFaceOf(
  db: Executor,
  actor: Actor,
  person: { id: string; regionCode: string },
  imageBase64: string,
  context: string,
  opts: { now?: Date; requestId?: string } = {},
): Promise<VerificationResult> {
  const templates = await repo.listTemplatesOfPerson(db, person.id);
  if (templates.length === 0)
    throw new DomainError('rule_violation', '该人员尚未采集人脸', [
      { path: 'params.id', message: 'no enrolled face', code: 'not_enrolled' },
    ]);
  const now = opts.now ?? new Date();
  const regionCode = actor.regionCode ?? person.regionCode;
  const t = await thresholds(db, regionCode, now);
  const faces = await detectFaces(decodeBase64Jpeg(imageBase64));
  const problem = captureProblem(faces.length);
  let result: VerificationResult;
  if (problem) {
    result = {
      decision: 'refused',
      score: null,
      real: null,
      live: null,
      reasons: [problem.reason],
      message: problem.message,
      threshold: t.match,
    };
  } else {
    const face = faces[0];
    const score = Math.max(...templates.map((tpl) => similarity(tpl.embedding, face.embedding)));
    const d = decideVerification({ score, real: face.real, live: face.live }, t);
    result = {
      decision: d.decision,
      score,
      real: face.real,
      live: face.live,
      reasons: d.reasons,
      message: messages[d.decision],
      threshold: t.match,
    };
  }
  const verificationId = await transaction(db, async (trx) => {
    const row = await repo.insertVerification(trx, {
      personId: person.id,
      organizationId: actor.organizationId,
      regionCode,
      at: now,
      source: 'platform',
      context,
      score: result.score,
      realScore: result.real,
      liveScore: result.live,
      decision: result.decision,
      reasons: result.reasons,
    });
    await recordAudit(trx, {
      actor,
      action: 'face.verify',
      entityType: 'face_verification',
      entityId: row.id,
      regionCode,
      after: { personId: person.id, decision: result.decision, score: result.score },
      requestId: opts.requestId,
      at: now,
    });
    return row.id;
  });
  return { ...result, verificationId };
}

/** Deletes every template of the person (PIPL: personal data removed on request). Audited. */
export async function deleteFaceData(
  db: Executor,
  actor: Actor,
  personId: string,
  requestId?: string,
) {
  if (!hasRole(actor, ...capturingRoles)) throw forbidden('当前角色不能删除人脸数据');
  const person = await findVisiblePerson(db, actor, personId);
  return transaction(db, async (trx) => {
    const result = await repo.deleteTemplatesOfPerson(trx, person.id);
    const deleted = Number(result.numDeletedRows);
    await recordAudit(trx, {
      actor,
      action: 'face.delete',
      entityType: 'person',
      entityId: person.id,
      regionCode: actor.regionCode,
      before: { templates: deleted },
      after: { templates: 0 },
      requestId,
    });
    return { deleted };
  });
}

export async function listVerifications(db: Executor, actor: Actor, personId: string) {
  if (!hasRole(actor, 'regulator', 'inspector', 'exam_authority', ...capturingRoles))
    throw forbidden();
  const person = await findVisiblePerson(db, actor, personId);
  const [items, count] = await Promise.all([
    repo.listVerificationsOfPerson(db, person.id),
    repo.countTemplatesOfPerson(db, person.id),
  ]);
  return { items, templates: Number(count.n) };
}

/**
 * 1:N: other persons in the jurisdiction whose enrolled face matches this person's — one face on
 * several people is proxy sign-in or impersonation (T07, E09).
 */
export async function findSameFaceElsewhere(
  db: Executor,
  actor: Actor,
  personId: string,
  now = new Date(),
) {
  if (!hasRole(actor, 'regulator', 'inspector', 'exam_authority') || actor.scope.kind !== 'region')
    throw forbidden('只有监管部门和考试机构可以跨人员检索人脸');
  const person = await findVisiblePerson(db, actor, personId);
  const own = await repo.listTemplatesOfPerson(db, person.id);
  const t = await thresholds(db, actor.scope.regionCode, now);
  return sameFaceSearch(db, {
    personId: person.id,
    probes: own.map((o) => o.embedding),
    regionCode: actor.scope.regionCode,
    threshold: t.match,
  });
}

/** 'vector': the HNSW index on face_vector (pgvector); 'brute-force': every template of the region. */
export type SameFacePath = 'vector' | 'brute-force';

/**
 * Persons other than `personId` under the region prefix with a template whose similarity to any
 * probe reaches the threshold: best score per person, best first. Goes through the index where the
 * database keeps face_vector (migration 0011), by brute force otherwise; `path` forces one (tests and
 * the bench compare them). Both paths score with the same DescriptorIndex — the index only narrows
 * which templates are scored — so they give the same scores, to the bit, for every template the index
 * finds (HNSW is approximate: docs/faces.md has its recall).
 */
export async function sameFaceSearch(
  db: Executor,
  q: { personId: string; probes: Float32Array[]; regionCode: string; threshold: number },
  path?: SameFacePath,
) {
  if (q.probes.length === 0) return [];
  const chosen = path ?? ((await repo.hasFaceVectors(db)) ? 'vector' : 'brute-force');
  const candidates =
    chosen === 'vector'
      ? await repo.nearTemplatesInRegion(db, {
          probes: q.probes,
          regionCode: q.regionCode,
          excludePersonId: q.personId,
          minSimilarity: q.threshold,
        })
      : (await repo.listTemplatesInRegion(db, q.regionCode)).filter(
          (o) => o.personId !== q.personId,
        );
  const index = new DescriptorIndex(q.probes[0].length, candidates.length);
  for (const c of candidates) index.add(c.personId, c.embedding);
  const best = new Map<string, number>();
  for (const probe of q.probes) {
    for (const hit of index.search(probe, q.threshold)) {
      if (hit.score > (best.get(hit.id) ?? 0)) best.set(hit.id, hit.score);
    }
  }
  return [...best.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([otherId, score]) => ({ personId: otherId, score }));
}
