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
  AlertDetailSchema,
  AlertListQuerySchema,
  AlertSchema,
  AlertTransitionSchema,
  alertStates,
  RuleStatusSchema,
} from './alerts.contract.js';
import { getAlert, listAlertsFor, ruleStatuses, transitionAlert } from './alerts.service.js';
import { runForJurisdiction } from './detection.service.js';

const tags = ['detection'];
const readers = [
  'regulator',
  'inspector',
  'exam_authority',
  'exam_site',
  'training_institution',
  'enterprise',
] as const;

export async function alertsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();

  app.get(
    '/api/alerts',
    {
      preHandler: requireRoles(...readers),
      schema: {
        tags,
        summary:
          '预警（走过场检测结果，按权限范围；可按规则、严重程度、状态、地区、机构、日期筛选）',
        querystring: AlertListQuerySchema,
        response: {
          200: z.object({ items: z.array(AlertSchema), total: z.number() }),
          ...errorResponses,
        },
      },
    },
    async (request) => listAlertsFor(db, request.actor, request.query),
  );
  app.get(
    '/api/alerts/rules',
    {
      preHandler: requireRoles(...readers),
      schema: {
        tags,
        summary: '检测规则的最近评估状态（已评估 / 不可评估及原因）与未处理预警数',
        response: { 200: z.object({ items: z.array(RuleStatusSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ items: await ruleStatuses(db, request.actor) }),
  );
  app.post(
    '/api/alerts/run',
    {
      preHandler: requireRoles('regulator'),
      schema: {
        tags,
        summary: '立即对本辖区运行全部检测规则',
        response: {
          200: z.object({
            found: z.number(),
            created: z.number(),
            cleared: z.number(),
            rules: z.array(
              z.object({
                rule: z.string(),
                status: z.string(),
                alerts: z.number(),
                reason: z.string().nullable(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => runForJurisdiction(db, request.actor, now()),
  );
  app.get(
    '/api/alerts/:id',
    {
      preHandler: requireRoles(...readers),
      schema: {
        tags,
        summary: '预警详情：证据记录（考勤、课程、录像、答卷…）与处理记录',
        params: IdParamsSchema,
        response: { 200: AlertDetailSchema, ...errorResponses },
      },
    },
    async (request) => getAlert(db, request.actor, request.params.id),
  );
  app.post(
    '/api/alerts/:id/state',
    {
      preHandler: requireRoles('regulator', 'inspector', 'exam_authority'),
      schema: {
        tags,
        summary: '处理预警：确认（acknowledged）、排除（dismissed，须填理由）或重新打开（new）',
        params: IdParamsSchema,
        body: AlertTransitionSchema,
        response: {
          200: z.object({
            id: z.string(),
            state: z.enum(alertStates),
            stateReason: z.string().nullable(),
          }),
          ...errorResponses,
          409: ErrorResponseSchema,
        },
      },
    },
    async (request) =>
      transitionAlert(db, request.actor, request.params.id, request.body, now(), request.id),
  );
}
