import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';
import { DomainError, type ErrorCode, type ErrorDetail, errorStatus } from '../errors.js';

export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  details: ErrorDetail[] = [],
) {
  return reply.status(errorStatus[code]).send({ error: { code, message, details } });
}

/** One mapping from every failure to CONTRACTS.md's error shape; bad input never becomes a 500. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof DomainError) return sendError(reply, err.code, err.message, err.details);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({
        path: [
          err.validationContext,
          ...String(v.instancePath ?? '')
            .split('/')
            .filter(Boolean),
        ].join('.'),
        message: v.message ?? 'invalid',
      }));
      return sendError(reply, 'validation_failed', '请求参数不正确', details);
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, cause: err.cause }, 'response did not match its schema');
      return sendError(reply, 'internal_error', '服务器内部错误');
    }
    const pgCode = (err as { code?: string }).code;
    if (pgCode === '23505') return sendError(reply, 'conflict', '记录已存在');
    if (pgCode === '23503') return sendError(reply, 'validation_failed', '引用的记录不存在');
    if (typeof pgCode === 'string' && /^22[0-9A-Z]{3}$/.test(pgCode))
      return sendError(reply, 'validation_failed', '数据格式不正确');
    if (err.statusCode === 429) return sendError(reply, 'rate_limited', '请求过于频繁，请稍后再试');
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own 4xx: malformed JSON, wrong content type, body too large.
      const code: ErrorCode =
        err.statusCode === 404
          ? 'not_found'
          : err.statusCode === 401
            ? 'authentication_required'
            : err.statusCode === 403
              ? 'forbidden'
              : 'bad_request';
      return reply
        .status(err.statusCode)
        .send({ error: { code, message: err.message, details: [] } });
    }
    request.log.error({ err }, 'unhandled error');
    return sendError(reply, 'internal_error', '服务器内部错误');
  });
}
