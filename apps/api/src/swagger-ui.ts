import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Swagger UI at `path`, reading the spec from `${path}-json`.
 *
 * Why not SwaggerModule's own UI: on Fastify it serves its assets through `@fastify/static`,
 * which is not a dependency of this project, and Nest's loadPackage then calls
 * process.exit(1) — the API could not start at all. The UI needs just three files of
 * swagger-ui-dist (already installed with @nestjs/swagger), so they are served here.
 */
export function serveSwaggerUi(app: NestFastifyApplication, path: string): void {
  // swagger-ui-dist is @nestjs/swagger's dependency: resolve it from there, not from hoisting luck.
  const dist = dirname(require.resolve('swagger-ui-dist/package.json', { paths: [require.resolve('@nestjs/swagger')] }));
  const assets: Record<string, string> = {
    'swagger-ui.css': 'text/css; charset=utf-8',
    'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
    'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  };
  const cache = new Map<string, Buffer>();
  const fastify = app.getHttpAdapter().getInstance();
  const page = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Policy Ledger API</title>
<link rel="stylesheet" href="${path}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="${path}/swagger-ui-bundle.js"></script>
<script src="${path}/swagger-ui-standalone-preset.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '${path}-json', dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });</script>
</body></html>`;
  fastify.get(path, (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  for (const [file, type] of Object.entries(assets)) {
    fastify.get(`${path}/${file}`, (_req, reply) => {
      if (!cache.has(file)) cache.set(file, readFileSync(join(dist, file)));
      return reply.type(type).header('cache-control', 'public, max-age=86400').send(cache.get(file));
    });
  }
}
