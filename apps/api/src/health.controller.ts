import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { ProjectionRunner } from '@app/event-store';
import { PublicRoute } from './api-key.guard';
import { DATABASE } from './tokens';

@ApiTags('health')
@PublicRoute()
@Controller()
export class HealthController {
  constructor(
    @Inject(DATABASE) private readonly db: Kysely<any>,
    private readonly runner: ProjectionRunner,
  ) {}

  /** Alive: the process answers. */
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /** Ready: the database answers; projection lag and errors are reported (a failed one makes it 503). */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      await sql`SELECT 1`.execute(this.db);
    } catch (err) {
      reply.status(503);
      return { status: 'unavailable', database: { status: 'down', error: (err as Error).message } };
    }
    const projections = await this.runner.status();
    const failed = projections.some((p) => p.state === 'failed');
    if (failed) reply.status(503);
    return { status: failed ? 'degraded' : 'ok', database: { status: 'up' }, projections };
  }
}
