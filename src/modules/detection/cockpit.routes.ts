import { requireRoles } from '../../platform/http/auth-plugin.js';
import { type App, type AppDeps, errorResponses } from '../../platform/http/routing.js';
import {
  CockpitQuerySchema,
  CockpitSchema,
  MonthlyReportQuerySchema,
  MonthlyReportSchema,
} from './cockpit.contract.js';
import { cockpit, monthlyReport, monthlyReportWorkbook } from './cockpit.service.js';

const tags = ['detection'];
const supervisors = ['regulator', 'inspector', 'exam_authority'] as const;

export async function cockpitRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();

  app.get(
    '/api/cockpit',
    {
      preHandler: requireRoles(...supervisors),
      schema: {
        tags,
        summary:
          '监管驾驶舱：本辖区（或下级地区）未处理预警按规则、严重程度、趋势，单位风险排名，参训率、考核合格率、持证上岗率',
        querystring: CockpitQuerySchema,
        response: { 200: CockpitSchema, ...errorResponses },
      },
    },
    async (request) => cockpit(db, request.actor, request.query, now()),
  );
  app.get(
    '/api/cockpit/report',
    {
      preHandler: requireRoles(...supervisors),
      schema: {
        tags,
        summary: '监管月报：当月发生的问题按规则、地区，风险排名与各项比率',
        querystring: MonthlyReportQuerySchema,
        response: { 200: MonthlyReportSchema, ...errorResponses },
      },
    },
    async (request) => monthlyReport(db, request.actor, request.query, now()),
  );
  app.get(
    '/api/cockpit/report.xlsx',
    {
      preHandler: requireRoles(...supervisors),
      schema: { tags, summary: '监管月报（Excel）', querystring: MonthlyReportQuerySchema },
    },
    async (request, reply) => {
      const { bytes, fileName } = await monthlyReportWorkbook(
        db,
        request.actor,
        request.query,
        now(),
      );
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header(
          'content-disposition',
          `attachment; filename="report.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
        )
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as never);
    },
  );
}
