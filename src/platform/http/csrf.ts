import type { FastifyInstance } from 'fastify';
import { DomainError } from '../errors.js';
import { SESSION_COOKIE } from './auth-plugin.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for cookie-authenticated mutations (issue 12 point 7). A browser says where a request
 * comes from (Sec-Fetch-Site, Origin); a mutation carrying the session cookie (or a login, which would
 * otherwise let a foreign page sign the browser into the attacker's account) is refused when it comes
 * from another site — a `text/plain` form post included, which SameSite=Lax alone let through for
 * top-level navigations and which needs no CORS preflight. Requests without those headers are not
 * from a browser (devices, scripts, the CLI) and carry no ambient credentials worth forging; API
 * tokens (Authorization: Bearer) are never sent by a browser on its own.
 */
export function installCsrfCheck(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (SAFE.has(request.method)) return;
    if (request.headers.authorization?.startsWith('Bearer ')) return;
    const path = request.url.split('?')[0];
    if (!request.cookies?.[SESSION_COOKIE] && path !== '/api/auth/login') return;
    const site = request.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none')
      throw new DomainError('forbidden', '跨站请求被拒绝（CSRF）', [
        { path: 'headers.sec-fetch-site', message: `${site}: not from this site` },
      ]);
    const origin = request.headers.origin;
    if (typeof origin === 'string') {
      // Both through URL, so a default port written out (":80", ":443") compares equal.
      let same = false;
      try {
        const o = new URL(origin);
        same = o.host === new URL(`${o.protocol}//${request.host}`).host;
      } catch {
        same = false;
      }
      if (!same)
        throw new DomainError('forbidden', '跨站请求被拒绝（CSRF）', [
          { path: 'headers.origin', message: `${origin} is not ${request.host}` },
        ]);
    }
  });
}
