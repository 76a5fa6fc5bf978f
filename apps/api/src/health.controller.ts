import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { PublicRoute } from './api-key.guard';
import { DatabaseHealthIndicator, ProjectionsHealthIndicator } from './health.indicators';
import { ApiContract } from './openapi-contract';

const healthSchema = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Health' });

const projectionStatusSchema = z
  .strictObject({
    name: z.string(),
    state: z.enum(['running', 'idle', 'failed', 'stopped']),
    position: z.int().min(0).meta({ description: 'global position of the last event applied (or skipped past)' }),
    eventsApplied: z.int().min(0),
    lag: z.int().min(0).meta({ description: '0 when caught up (in commit order); else how far behind by position, at most' }),
    updatedAt: z.iso.datetime(),
    lastError: z
      .looseObject({
        message: z.string(),
        eventPosition: z.int().optional(),
        eventType: z.string().optional(),
        streamId: z.string().optional(),
        at: z.string().optional(),
      })
      .nullable()
      .meta({ description: 'what stopped it, with the event it failed on; null while it runs' }),
  })
  .meta({ id: 'ProjectionStatus' });

const readinessSchema = z
  .strictObject({
    status: z
      .enum(['ok', 'degraded', 'unavailable'])
      .meta({ description: "'unavailable': the database does not answer; 'degraded': a projection stopped on an error (or the process is shutting down)" }),
    database: z.looseObject({ status: z.enum(['up', 'down']), error: z.string().optional() }),
    projections: z
      .array(projectionStatusSchema)
      .optional()
      .meta({ description: 'every projection, whenever the database answers' }),
  })
  .meta({ id: 'Readiness' });

@ApiTags('health')
@PublicRoute()
@Controller()
export class HealthController {
  constructor(
    private readonly checks: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly projections: ProjectionsHealthIndicator,
  ) {}

  /** Alive: the process answers. */
  @Get('health')
  @ApiContract({ summary: 'Alive: the process answers', response: { description: 'Alive', body: healthSchema } })
  health(): z.output<typeof healthSchema> {
    return { status: 'ok' };
  }

  /**
   * Ready: the database answers and no projection has stopped on an error (else 503, as
   * while shutting down). Whenever the database answers, every projection's lag and error
   * are listed.
   */
  @Get('ready')
  @ApiContract({
    summary: 'Ready: the database answers and no projection has stopped on an error',
    response: { description: 'Ready', body: readinessSchema },
    otherResponses: { 503: { description: 'Not ready (a probe takes the replica out of service)', body: readinessSchema } },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    let result: HealthCheckResult;
    try {
      result = await this.checks.check([() => this.database.check('database'), () => this.projections.check('projections')]);
    } catch (error) {
      // Terminus says "not ready" by throwing its result in a 503, which the exception
      // filter would turn into problem+json; probes and dashboards read this body instead.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
      reply.status(503);
    }
    // The body keeps its published shape (the projections as a list, not under an
    // indicator's key) rather than Terminus' {info, error, details}.
    // Its status words too: 'unavailable' (no database) and 'degraded' (a projection stopped)
    // tell an operator more than Terminus' 'error'.
    const { database, projections } = result.details;
    const status = result.status === 'ok' ? 'ok' : database?.status !== 'up' ? 'unavailable' : 'degraded';
    return { status, database, projections: projections?.projections };
  }
}
