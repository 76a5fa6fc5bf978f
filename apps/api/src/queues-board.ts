import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '@app/config';
import type { Database } from '@app/db';
import { storeDb } from '@app/event-store';
import { BullmqIngestionQueue, ingestionDb, SourceRepository, sourceQueueName, WEBHOOK_QUEUE } from '@app/ingestion';
import { hasRole, identifyCaller } from './api-key.guard';

/** Where bull-board is served: outside /api, it is a page for people, not part of the API. */
export const QUEUES_BOARD_PATH = '/admin/queues';

/**
 * bull-board for admins: a queue per source and the webhook queue. Its pages are opened in a
 * browser, which cannot send a Bearer header, so HTTP Basic whose password is an admin API key
 * is taken too (the user name is ignored). The queue list is read again on each page and API
 * call, so a source an admin adds shows without a restart.
 */
export async function mountQueuesBoard(
  app: NestFastifyApplication,
  { queue, db, config }: { queue: BullmqIngestionQueue; db: Database; config: AppConfig },
): Promise<void> {
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(QUEUES_BOARD_PATH);
  const board = createBullBoard({ queues: [], serverAdapter });
  const sources = new SourceRepository(ingestionDb(storeDb(db)));

  const refreshQueues = async () => {
    const names = [...(await sources.list()).map((s) => sourceQueueName(s.id)), WEBHOOK_QUEUE];
    board.replaceQueues(names.map((name) => new BullMQAdapter(queue.queue(name), { readOnlyMode: false })));
  };

  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = keyFrom(request.headers.authorization);
    const caller = key ? await identifyCaller(key, db, config) : null;
    if (!caller) {
      return refuse(reply, request, 401, 'AUTH.UNAUTHORIZED', 'Unauthorized', 'sign in with an admin API key as the password (or send Authorization: Bearer <admin key>)');
    }
    if (!hasRole(caller.role, 'admin')) {
      return refuse(reply, request, 403, 'AUTH.FORBIDDEN', 'Forbidden', `this needs the admin role; the key has ${caller.role}`);
    }
    // Static files (scripts, styles) need no fresh list.
    if (!request.url.includes('/static/')) await refreshQueues();
  };

  // Registered inside a plugin of its own, so the hook guards bull-board's routes and no other.
  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onRequest', authenticate);
    await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUES_BOARD_PATH });
  });
}

/** The API key in `Basic base64(user:key)` or `Bearer key`. */
function keyFrom(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
}

/** The API's problem+json; a 401 also asks the browser for credentials. */
function refuse(reply: FastifyReply, request: FastifyRequest, status: number, code: string, title: string, detail: string) {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="Policy Ledger queues", charset="UTF-8"');
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      type: `https://policy-ledger.dev/problems/${code.toLowerCase().replace(/[._]/g, '-')}`,
      title,
      status,
      detail,
      code,
      errors: status === 401 ? [{ path: 'header.authorization', message: detail }] : [],
      instance: request.url,
    });
}
