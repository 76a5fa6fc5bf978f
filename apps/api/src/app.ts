import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { ApiModule, type ApiModuleOptions } from './app.module';

/** Builds the HTTP application (not listening yet): used by main and by the e2e tests. */
export async function createApiApp(options: ApiModuleOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.config.API_BODY_LIMIT_BYTES,
    // Requests are logged by pino-http (app.module.ts), with this id; Fastify's own lines
    // would say it all twice.
    logger: false,
    // A caller's X-Request-Id names the request: the causation id of the events it appends.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
    },
    // A path with broken %-encoding (`/api/v1/jurisdictions/%ZZ`) is refused by Fastify's
    // router before Nest and its exception filter see the request; without this it would be
    // Fastify's own JSON, not problem+json.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const detail = error.message;
      reply.code(400).type('application/problem+json').send({
        type: 'https://policy-ledger.dev/problems/request-malformed',
        title: 'Malformed request',
        status: 400,
        detail,
        code: 'REQUEST.MALFORMED',
        errors: [{ path: 'url', message: 'must be a well-formed URL (percent-encoding)' }],
        instance: request.url,
      });
    },
  });
  // Held until pino takes over, so that what Nest says while starting is at the same level
  // and in the same format as the rest. Nest would hand them over only on listen(), which
  // an app driven by inject (the e2e tests) never calls: until then every line would pile up.
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(options), adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Policy Ledger API')
      .setDescription(
        [
          'Who did what, when, to which jurisdiction, and how we know.',
          '',
          'Errors are RFC 9457 application/problem+json: `{type, title, status, detail, code, errors: [{path, message}]}`,',
          'with a stable `code`. A rejected request appends nothing.',
          '- 400: malformed JSON (`REQUEST.MALFORMED_JSON`), unknown field, impossible date, invalid OCD id, bad query',
          '- 401: missing or unknown API key; 403: the key\'s role is too low (writes need curator)',
          '- 404: the jurisdiction or action named in the URL does not exist',
          '- 409: already exists, or a stale If-Match (`POLICY.VERSION_CONFLICT`, with `currentVersion`)',
          '- 413: body over the limit (API_BODY_LIMIT_BYTES, 1 MB by default); 428: If-Match missing',
          '- 422: a jurisdiction or action named inside a valid body is not registered (`JURISDICTION.UNKNOWN`,',
          '  `ACTION.UNKNOWN`), or an Idempotency-Key reused for a different request',
        ].join('\n'),
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document);
  return app;
}
