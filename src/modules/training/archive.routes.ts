import { requireRoles } from '../../platform/http/auth-plugin.js';
import {
  type App,
  type AppDeps,
  ErrorResponseSchema,
  errorResponses,
  IdParamsSchema,
} from '../../platform/http/routing.js';
import {
  ArchiveChecklistSchema,
  ArchiveCloseResultSchema,
  ArchiveDocumentCreateSchema,
  ArchiveDocumentSchema,
  ArchiveVerifySchema,
} from './archive.contract.js';
import {
  addClassDocument,
  closeClass,
  exportArchiveZip,
  getArchiveChecklist,
  verifyClassArchive,
} from './archive.service.js';

const tags = ['training'];
const withConflict = { ...errorResponses, 409: ErrorResponseSchema };
const withRule = { ...withConflict, 422: ErrorResponseSchema };

/**
 * 一期一档: the checklist, archive documents, closing with a seal, verify and the offline zip.
 * The gates admit any signed-in user: the service answers 404 for a class out of scope before it
 * answers 403 for a role that may see but not change it (a worker, a regulator).
 */
export async function archiveRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();

  app.get(
    '/api/classes/:id/archive',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '一期一档：各部分是否齐全、缺什么；已结业的附封档根值',
        params: IdParamsSchema,
        response: { 200: ArchiveChecklistSchema, ...errorResponses },
      },
    },
    async (request) => getArchiveChecklist(db, request.actor, request.params.id),
  );
  app.post(
    '/api/classes/:id/documents',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '归档文件（课件清单、教学日志、查课记录、评教、总结、质量评估）；仅本机构，结业前',
        params: IdParamsSchema,
        body: ArchiveDocumentCreateSchema,
        response: { 201: ArchiveDocumentSchema, ...withConflict },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await addClassDocument(
            db,
            request.actor,
            request.params.id,
            request.body,
            now(),
            request.id,
          ),
        ),
  );
  app.post(
    '/api/classes/:id/close',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary:
          '结业封档：档案不全则拒绝并列出缺项；否则计算全部记录的 Merkle 根，写入封档清单与审计日志',
        params: IdParamsSchema,
        response: { 200: ArchiveCloseResultSchema, ...withRule },
      },
    },
    async (request) => closeClass(db, request.actor, request.params.id, now(), request.id),
  );
  app.get(
    '/api/classes/:id/archive/verify',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '校验封档：逐条列出封档后被改动、新增、删除的记录，并核对封档清单与审计日志',
        params: IdParamsSchema,
        response: { 200: ArchiveVerifySchema, ...withConflict },
      },
    },
    async (request) => verifyClassArchive(db, request.actor, request.params.id),
  );
  app.get(
    '/api/classes/:id/archive.zip',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary:
          '导出档案包（zip：archive.json、manifest.json、evidence.csv、离线校验脚本、说明）；仅已结业封档的班',
        params: IdParamsSchema,
        response: withConflict,
      },
    },
    async (request, reply) => {
      const { filename, bytes } = await exportArchiveZip(
        db,
        request.actor,
        request.params.id,
        now(),
      );
      return (
        reply
          .type('application/zip')
          .header(
            'content-disposition',
            `attachment; filename="archive.zip"; filename*=UTF-8''${encodeURIComponent(filename)}`,
          )
          // A Buffer is sent as is (Fastify serializes objects only); the declared schemas type error bodies.
          .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as never)
      );
    },
  );
}
