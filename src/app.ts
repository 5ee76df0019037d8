import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import helmet, { type HelmetOptions } from 'helmet';
import { bundleRoutes } from './bundle/bundle.routes.js';
import { demoRoutes } from './demo/demo.routes.js';
import { certificatesRoutes } from './modules/certificates/certificates.routes.js';
import { alertsRoutes } from './modules/detection/alerts.routes.js';
import { cockpitRoutes } from './modules/detection/cockpit.routes.js';
import { enterprisesRoutes } from './modules/enterprises/enterprises.routes.js';
import { examsRoutes } from './modules/exams/exams.routes.js';
import { facesRoutes } from './modules/faces/faces.routes.js';
import { policyRoutes } from './modules/policy/policy.routes.js';
import { registryRoutes } from './modules/registry/registry.routes.js';
import { supervisionRoutes } from './modules/supervision/supervision.routes.js';
import { archiveRoutes } from './modules/training/archive.routes.js';
import { attendanceRoutes } from './modules/training/attendance.routes.js';
import { classesRoutes } from './modules/training/classes.routes.js';
import { onlineRoutes } from './modules/training/online.routes.js';
import { auditRoutes } from './platform/audit/audit.routes.js';
import { authRoutes } from './platform/auth/auth.routes.js';
import { authPlugin } from './platform/http/auth-plugin.js';
import { installCsrfCheck } from './platform/http/csrf.js';
import { installErrorHandler, sendError } from './platform/http/error-handler.js';
import { installJsonBodyParser } from './platform/http/json-body.js';
import type { App, AppDeps } from './platform/http/routing.js';
import { systemRoutes } from './platform/http/system.routes.js';

export type { AppDeps } from './platform/http/routing.js';

/** Builds the whole HTTP app; the server and every test use this same function. */
export async function buildApp(deps: AppDeps, options: FastifyServerOptions = {}): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: () => crypto.randomUUID(),
    bodyLimit: 64 * 1024 * 1024,
    // One access line per request (onResponse below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    ...options,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  installJsonBodyParser(app);

  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
    done();
  });
  // The same headers on every answer, so helmet runs once, here, and each request gets a copy of what it
  // set (@fastify/helmet built a new helmet middleware, parsing the CSP directives, on every request:
  // a sixth of a public check's CPU in bench:verify).
  const securityHeaders = helmetHeaders({
    // The SPA and the API reference load their own scripts and styles from this origin only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // No inline scripts: the SPA's index and the API reference load theirs from files.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
      },
    },
  });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  await app.register(cookie);
  installCsrfCheck(app);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '真训 ZhenXun API',
        version: deps.version,
        description: '安全生产培训考试全流程监管平台',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'zx_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin, { db: deps.db, now: deps.now });

  await app.register(systemRoutes, deps);
  await app.register(authRoutes, deps);
  await app.register(registryRoutes, deps);
  await app.register(policyRoutes, deps);
  await app.register(bundleRoutes, deps);
  if (deps.demo) await app.register(demoRoutes, deps);
  await app.register(auditRoutes, deps);
  await app.register(facesRoutes, deps);
  await app.register(certificatesRoutes, deps);
  await app.register(attendanceRoutes, deps);
  await app.register(archiveRoutes, deps);
  await app.register(classesRoutes, deps);
  await app.register(onlineRoutes, deps);
  await app.register(examsRoutes, deps);
  await app.register(alertsRoutes, deps);
  await app.register(cockpitRoutes, deps);
  await app.register(supervisionRoutes, deps);
  await app.register(enterprisesRoutes, deps);

  const webDist = deps.webDist;
  const hasWeb = webDist !== undefined && existsSync(join(webDist, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webDist,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      // The build writes .br and .gz beside each text file (web/vite.config.ts): sent as they are.
      preCompressed: true,
      setHeaders: (reply, path) => reply.header('cache-control', webCacheControl(path)),
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const isApi =
      path.startsWith('/api/') ||
      path.startsWith('/schemas/') ||
      path.startsWith('/models/') ||
      path === '/openapi.json';
    if (!isApi && hasWeb && request.method === 'GET') {
      // Client-side routes (/organizations/…) are the SPA's: hand it index.html.
      return reply.type('text/html').sendFile('index.html');
    }
    return sendError(reply, 'not_found', `接口不存在: ${request.method} ${path}`);
  });
  return app;
}

/**
 * Files under assets/ carry a hash of their content in their name (Vite): a browser may keep them for
 * a year without asking again. index.html names the current hashes, so it is revalidated on every
 * load (an unchanged one costs a 304), and so is anything else (media under fixed names).
 */
export function webCacheControl(path: string): string {
  return /[\\/]assets[\\/][^\\/]+-[\w-]{8}\.\w+(\.(br|gz))?$/.test(path)
    ? 'public, max-age=31536000, immutable'
    : 'no-cache';
}

/** The headers helmet sets with these options (it sets the same ones on every response). */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  return headers;
}
