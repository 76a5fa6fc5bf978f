import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { PublicRoute } from './api-key.guard';
import { DatabaseHealthIndicator, ProjectionsHealthIndicator } from './health.indicators';

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
  health() {
    return { status: 'ok' };
  }

  /**
   * Ready: the database answers and no projection has stopped on an error (else 503, as
   * while shutting down). Whenever the database answers, every projection's lag and error
   * are listed.
   */
  @Get('ready')
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
