import { createHash } from 'node:crypto';
import { z } from 'zod';
import { requireRoles } from '../../platform/http/auth-plugin.js';
import {
  type App,
  type AppDeps,
  ErrorResponseSchema,
  errorResponses,
  IdParamsSchema,
} from '../../platform/http/routing.js';
import {
  CertificateDetailSchema,
  CertificateEventCreateSchema,
  CertificateIssueSchema,
  CertificateListQuerySchema,
  CertificateQrSchema,
  CertificateSummarySchema,
  certificateKinds,
  certificateStates,
  FakeSignalSchema,
  FakeSignalsQuerySchema,
  PublicVerifyAnswerSchema,
  PublicVerifyQrAnswerSchema,
  PublicVerifyQrBodySchema,
  PublicVerifyQuerySchema,
  PublishedKeysSchema,
  ReminderSchema,
} from './certificates.contract.js';
import * as certificates from './certificates.service.js';
import { queryLogOf } from './query-log.js';

const tags = ['certificates'];
const writeErrors = { ...errorResponses, 409: ErrorResponseSchema, 422: ErrorResponseSchema };
/**
 * Public answers are rate-limited per address: a verification page must not become a way to walk the
 * registry (a "T" number is an ID number). 30 a minute is plenty for a person checking cards.
 */
export const publicVerifyLimit = { max: 30, timeWindow: '1 minute' };

export async function certificatesRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  // The public query log is written behind the answers; what is pending goes out before the pool closes.
  app.addHook('onClose', async () => queryLogOf(db).flush());
  const now = () => deps.now?.() ?? new Date();

  // ——— public, no login ———

  app.get(
    '/api/public/keys',
    {
      schema: {
        tags,
        summary: '考试机构证书签名公钥（Ed25519，离线核验二维码用；含已轮换的旧密钥，永不删除）',
        security: [],
        response: { 200: PublishedKeysSchema, 304: z.null() },
      },
    },
    async (request, reply) => {
      const keys = await certificates.publishedKeys(db);
      const etag = `"${createHash('sha256').update(JSON.stringify(keys)).digest('base64url').slice(0, 22)}"`;
      reply
        .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
        .header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.status(304).send(null);
      return { keys };
    },
  );

  app.get(
    '/api/public/verify',
    {
      config: { rateLimit: publicVerifyLimit },
      // Each check is already a row of verification_query (time, address, number, outcome), the log
      // regulators read; an access line per check would repeat it. Warnings and errors still log.
      logLevel: 'warn',
      schema: {
        tags,
        summary: '证书公开查询（编号 + 姓名；只返回脱敏信息，姓名不符与查无此证答复相同）',
        security: [],
        querystring: PublicVerifyQuerySchema,
        response: {
          200: PublicVerifyAnswerSchema,
          400: ErrorResponseSchema,
          429: ErrorResponseSchema,
        },
      },
    },
    async (request) => certificates.verifyByNumber(db, { ...request.query, ip: request.ip }, now()),
  );

  app.post(
    '/api/public/verify-qr',
    {
      config: { rateLimit: publicVerifyLimit },
      logLevel: 'warn',
      schema: {
        tags,
        summary: '扫码核验：先验考试机构的 Ed25519 签名，再查登记状态（撤销、注销可见）',
        security: [],
        body: PublicVerifyQrBodySchema,
        response: {
          200: PublicVerifyQrAnswerSchema,
          400: ErrorResponseSchema,
          429: ErrorResponseSchema,
        },
      },
    },
    async (request) =>
      certificates.verifyQr(db, { payload: request.body.payload, ip: request.ip }, now()),
  );

  // ——— signed in ———

  app.post(
    '/api/certificates/keys/rotate',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '生成新的签名密钥（旧密钥停用但继续公布，已发证书照常核验）',
        response: { 201: z.object({ kid: z.string(), publicKey: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await certificates.rotateAuthorityKey(db, request.actor, now(), request.id)),
  );

  app.post(
    '/api/certificates',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '签发证书（考试机构；考试模块上线后由考试合格成绩签发）',
        body: CertificateIssueSchema,
        response: {
          201: z.object({
            id: z.string(),
            number: z.string(),
            kind: z.enum(certificateKinds),
            validUntil: z.string(),
            kid: z.string(),
            qrPayload: z.string(),
          }),
          ...writeErrors,
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await certificates.issueCertificate(db, request.actor, request.body, {
          now: now(),
          requestId: request.id,
        }),
      ),
  );

  app.get(
    '/api/certificates',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '证书列表（考试机构/监管：辖区；单位：本单位人员；从业人员：本人）',
        querystring: CertificateListQuerySchema,
        response: {
          200: z.object({
            items: z.array(CertificateSummarySchema),
            total: z.number(),
            page: z.number(),
            pageSize: z.number(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { page, pageSize, ...filter } = request.query;
      return certificates.listCertificates(db, request.actor, filter, { page, pageSize }, now());
    },
  );

  app.get(
    '/api/certificates/reminders',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '到期提醒：N 天内到期的复审、合格证延期和年度再培训（本人可见范围）',
        querystring: z.object({ withinDays: z.coerce.number().int().min(1).max(365).default(60) }),
        response: { 200: z.object({ items: z.array(ReminderSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await certificates.certificateReminders(
        db,
        request.actor,
        request.query.withinDays,
        now(),
      ),
    }),
  );

  app.get(
    '/api/certificates/fake-signals',
    {
      preHandler: requireRoles('regulator'),
      schema: {
        tags,
        summary: '假证信号：反复查询不存在的证书（或姓名不符）的来源地址',
        querystring: FakeSignalsQuerySchema,
        response: { 200: z.object({ items: z.array(FakeSignalSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await certificates.fakeCertificateSignals(db, request.actor, request.query, now()),
    }),
  );

  app.get(
    '/api/certificates/:id',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '证书详情（状态、复审期限、事项记录）',
        params: IdParamsSchema,
        response: { 200: CertificateDetailSchema, ...errorResponses },
      },
    },
    async (request) => certificates.getCertificate(db, request.actor, request.params.id, now()),
  );

  app.get(
    '/api/certificates/:id/qr',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '证书二维码（签名载荷与 SVG）',
        params: IdParamsSchema,
        response: { 200: CertificateQrSchema, ...errorResponses },
      },
    },
    async (request) => certificates.getCertificateQr(db, request.actor, request.params.id),
  );

  app.post(
    '/api/certificates/:id/events',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '登记复审、再培训、撤销（弄虚作假：3年内不得再次申请）、注销、补证',
        params: IdParamsSchema,
        body: CertificateEventCreateSchema,
        response: {
          201: z.object({
            eventId: z.string(),
            state: z.enum(certificateStates),
            validUntil: z.string(),
            reviewDue: z.string().nullable(),
            banUntil: z.string().nullable(),
            cardEdition: z.number(),
          }),
          ...writeErrors,
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await certificates.recordCertificateEvent(
            db,
            request.actor,
            request.params.id,
            request.body,
            now(),
            request.id,
          ),
        ),
  );
}
