import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Where `npm run build:console` puts the console: `dist/console` at the repository root. This
 * file runs from `dist/apps/api/src` (npm start) or from `apps/api/src` (tests), so the root
 * is three folders up either way, and is `dist` itself in the first case.
 */
export function defaultConsoleDir(): string {
  const up = resolve(__dirname, '..', '..', '..');
  return basename(up) === 'dist' ? join(up, 'console') : join(up, 'dist', 'console');
}

/**
 * Serves the curator console at /console: one process, one port, the API's own origin (so no
 * CORS and the same TLS). Hashed assets are cached for a year; index.html is revalidated every
 * time, so a new build is picked up at the next load. Every other path under /console is the
 * single-page app's own route and gets index.html.
 */
export async function mountConsole(app: NestFastifyApplication, dir: string): Promise<void> {
  const built = existsSync(join(dir, 'index.html'));
  await app.register(async (scope: FastifyInstance) => {
    if (!built) {
      const missing = async (_: unknown, reply: FastifyReply) =>
        reply
          .code(404)
          .type('application/problem+json')
          .send({
            type: 'https://policy-ledger.dev/problems/console-not-built',
            title: 'Not found',
            status: 404,
            detail: `the console is not built in ${dir}: run npm run build:console (npm start does it)`,
            code: 'CONSOLE.NOT_BUILT',
            errors: [],
            instance: '/console',
          });
      scope.get('/console', missing);
      scope.get('/console/*', missing);
      return;
    }
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: '/console/',
      wildcard: false,
      index: false,
      // The build writes .br and .gz beside each asset; the browser's Accept-Encoding picks one.
      preCompressed: true,
      setHeaders: (reply, path) => {
        reply.header('cache-control', path.startsWith(join(dir, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    const page = async (_: unknown, reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html');
    scope.get('/console', page);
    scope.get('/console/', page);
    scope.get('/console/*', async (request, reply) => {
      // A missing asset is a 404, not the app: a stale tab must not execute HTML as a script.
      if ((request.params as { '*': string })['*'].startsWith('assets/')) return reply.callNotFound();
      return page(request, reply);
    });
  });
}
