import { z } from 'zod';
import { requireRoles } from '../../platform/http/auth-plugin.js';
import { type App, type AppDeps, ErrorResponseSchema, errorResponses, IdParamsSchema } from '../../platform/http/routing.js';
import { fakeCertificateSignals, issueCertificate, publishedKeys, revokeCertificate, rotateAuthorityKey, verifyByNumber, verifyQr } from './certificates.service.js';

const tags = ['certificates'];
const PublicCertificateSchema = z.object({
  number: z.string(),
  kind: z.string(),
  operationItem: z.object({ code: z.string(), name: z.string() }),
  issuingAuthority: z.string(),
  issuedOn: z.string(),
  validUntil: z.string(),
  reviewDue: z.string().nullable(),
  state: z.enum(['valid', 'review_due', 'expired', 'revoked', 'cancelled']),
  holderNameMasked: z.string(),
  idNumberMasked: z.string(),
});
/** Public answers are rate-limited per address: a verification page must not become a registry dump. */
const publicLimit = { rateLimit: { max: 30, timeWindow: '1 minute' } };

export async function certificatesRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();

  app.get(
    '/api/public/keys',
    {
      schema: {
        tags,
        summary: '考试机构证书签名公钥（Ed25519，离线核验二维码用；含已轮换的旧密钥）',
        response: { 200: z.object({ keys: z.array(z.object({ kid: z.string(), publicKey: z.string(), authority: z.object({ id: z.string(), name: z.string(), regionCode: z.string() }), createdAt: z.string(), retiredAt: z.string().nullable() })) }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return { keys: await publishedKeys(db) };
    },
  );
  app.get(
    '/api/public/verify',
    {
      config: publicLimit,
      schema: { tags, summary: '证书公开查询（编号+姓名；只返回脱敏信息）', querystring: z.object({ number: z.string().min(1).max(40), name: z.string().min(1).max(50) }), response: { 200: z.object({ found: z.boolean(), certificate: PublicCertificateSchema.nullable(), checkedAt: z.string() }), 400: ErrorResponseSchema } },
    },
    async (request) => verifyByNumber(db, { ...request.query, ip: request.ip }, now()),
  );
  app.post(
    '/api/public/verify-qr',
    {
      config: publicLimit,
      schema: {
        tags,
        summary: '扫码核验：校验考试机构签名，再查询登记状态（撤销可见）',
        body: z.object({ payload: z.string().min(10).max(2000) }),
        response: { 200: z.object({ found: z.boolean(), signatureValid: z.boolean(), reason: z.string().nullable(), certificate: PublicCertificateSchema.nullable(), checkedAt: z.string() }), 400: ErrorResponseSchema },
      },
    },
    async (request) => verifyQr(db, { payload: request.body.payload, ip: request.ip }, now()),
  );
  app.post(
    '/api/certificates/keys/rotate',
    { preHandler: requireRoles('exam_authority'), schema: { tags, summary: '生成新的签名密钥（旧密钥停用但继续公布）', response: { 201: z.object({ kid: z.string(), publicKey: z.string() }), ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await rotateAuthorityKey(db, request.actor, now(), request.id)),
  );
  app.post(
    '/api/certificates',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '签发证书（考试机构；附签名二维码）',
        body: z.object({ personId: z.uuid(), kind: z.enum(['special_operation', 'competency']), operationItemCode: z.string().min(1).max(50), issuedOn: z.iso.date() }),
        response: { 201: z.object({ id: z.string(), number: z.string(), validUntil: z.string(), reviewDue: z.string().nullable(), qrPayload: z.string() }), ...errorResponses, 409: ErrorResponseSchema, 422: ErrorResponseSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await issueCertificate(db, request.actor, request.body, request.id)),
  );
  app.post(
    '/api/certificates/:id/revoke',
    {
      preHandler: requireRoles('exam_authority'),
      schema: { tags, summary: '撤销证书（弄虚作假撤销的，3年内不得再次申请）', params: IdParamsSchema, body: z.object({ reason: z.string().trim().min(4).max(500), fraud: z.boolean(), on: z.iso.date() }), response: { 200: z.object({ revokedOn: z.string(), revokeReason: z.string(), banUntil: z.string().nullable() }), ...errorResponses } },
    },
    async (request) => revokeCertificate(db, request.actor, request.params.id, request.body, request.id),
  );
  app.get(
    '/api/certificates/fake-signals',
    {
      preHandler: requireRoles('regulator'),
      schema: { tags, summary: '假证信号：反复查询不存在编号的来源', querystring: z.object({ sinceDays: z.coerce.number().int().min(1).max(365).default(30) }), response: { 200: z.object({ items: z.array(z.object({ ip: z.string(), queries: z.number(), numbers: z.number(), lastAt: z.string() })) }), ...errorResponses } },
    },
    async (request) => ({ items: await fakeCertificateSignals(db, request.actor, new Date(now().getTime() - request.query.sinceDays * 86_400_000)) }),
  );
}
