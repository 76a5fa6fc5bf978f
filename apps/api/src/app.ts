import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { ApiModule, type ApiModuleOptions } from './app.module';
import { BullmqIngestionQueue, INGESTION_QUEUE } from '@app/ingestion';
import { buildOpenApiDocument } from './openapi-document';
import { defaultConsoleDir, mountConsole } from './console-static';
import { mountQueuesBoard } from './queues-board';
import { ReadCache, notModifiedHook } from './read-cache';
import { RouteTable } from './route-table';
import fastifyEtag from '@fastify/etag';
import { mountAbuseLimits } from './abuse-limits';

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
    // What Node's HTTP parser refuses before Fastify sees a request (a URL or headers over the
    // 16 KiB limit, a malformed request line) is answered as problem+json too, on the socket.
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      if (!socket.writable) return;
      const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? 431 : 400;
      const body = JSON.stringify({
        type: `https://policy-ledger.dev/problems/${tooLarge ? 'request-headers-too-large' : 'request-malformed'}`,
        title: STATUS_CODES[status],
        status,
        detail: tooLarge ? 'the URL and headers together exceed 16 KiB' : 'the request could not be read as HTTP',
        code: tooLarge ? 'REQUEST.HEADERS_TOO_LARGE' : 'REQUEST.MALFORMED',
        errors: [{ path: tooLarge ? 'url' : 'request', message: tooLarge ? 'must be shorter: send long lists in fewer, smaller requests' : 'must be well-formed HTTP/1.1' }],
        instance: '',
      });
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
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
  const routes = new RouteTable();
  const module = ApiModule.forRoot({ ...options, routes });
  // Held until pino takes over, so that what Nest says while starting is at the same level
  // and in the same format as the rest. Nest would hand them over only on listen(), which
  // an app driven by inject (the e2e tests) never calls: until then every line would pile up.
  const silent = options.config.LOG_LEVEL === 'silent';
  // bodyParser off: Fastify's own JSON parser is the only one (Nest would add a form parser, and a
  // form is not an action: it is a 415).
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bodyParser: false, ...(silent ? { logger: false } : { bufferLogs: true }) });
  if (!silent) {
    app.useLogger(app.get(Logger));
    app.flushLogs();
  }
  // Before anything else answers: a refused origin, a spent budget or a missing header stops here.
  await mountAbuseLimits(app, options.config);
  // Every answer carries an ETag: ReadCache's (the ledger's head) on the reads it serves, the
  // action's version on an action, a hash of the body elsewhere; If-None-Match gets a 304.
  await app.register(fastifyEtag, { weak: true });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', notModifiedHook);
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url ?? route.path));
  // Only JSON bodies are read: a text/plain body would otherwise reach the handlers as a string
  // and come back as field errors, where the problem is its media type (415).
  fastify.removeContentTypeParser('text/plain');
  // A cached read answered before Nest's pipeline, where no key is needed to read.
  if (!options.config.API_READ_REQUIRES_KEY) fastify.addHook('preHandler', app.get(ReadCache).preHandler);
  // Built from the controllers' contracts, as `npm run openapi` builds docs/openapi.json.
  SwaggerModule.setup('api/docs', app, buildOpenApiDocument(module.controllers ?? []));
  await mountConsole(app, options.config.CONSOLE_DIR ?? defaultConsoleDir());
  // The queues exist only with Redis; without it runs happen in this process and there is nothing to show.
  if (options.config.REDIS_URL) {
    const queue = app.get<unknown>(INGESTION_QUEUE, { strict: false });
    if (queue instanceof BullmqIngestionQueue) await mountQueuesBoard(app, { queue, db: options.db, config: options.config });
  }
  return app;
}
