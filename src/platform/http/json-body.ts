import type { FastifyInstance } from 'fastify';
import { findIllFormedString } from '../audit/canonical.js';
import { DomainError } from '../errors.js';

/** A \uD800–\uDFFF escape in the raw text: the only way a lone surrogate gets into a JSON body. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/**
 * The one JSON body parser of the app: Fastify's own (prototype-poisoning checks included), plus a
 * refusal of lone UTF-16 surrogates. A lone surrogate ("\ud800x") is valid JSON but has no UTF-8
 * form: the database would store U+FFFD while the audit log hashed what was sent, so one such title
 * or note would break `audit verify` for good. Refused here, for every route, with the contract's
 * 400 naming the field — before any schema, service or hash sees it. UTF-8 bytes on the wire cannot
 * carry a lone surrogate, so only bodies with a surrogate escape are walked.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (err, value) => {
      if (err) return done(err, undefined);
      if (SURROGATE_ESCAPE.test(body as string)) {
        const path = findIllFormedString(value);
        if (path)
          return done(
            new DomainError('validation_failed', '请求参数不正确：文本含有无效的 Unicode 字符', [
              {
                path: ['body', ...path].join('.'),
                message: 'lone UTF-16 surrogate (no UTF-8 form): not a valid character',
                code: 'invalid_unicode',
              },
            ]),
            undefined,
          );
      }
      done(null, value);
    });
  });
}
