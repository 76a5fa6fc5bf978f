import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { sql } from 'kysely';
import type { Database } from '@app/db';
import { ProjectionRunner } from '@app/event-store';
import { DATABASE } from './tokens';

/** Up when the database answers a query (Terminus' own database indicators speak TypeORM, Prisma…, not Kysely). */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(DATABASE) private readonly db: Database,
  ) {}

  async check<const Key extends string>(key: Key) {
    const indicator = this.health.check(key);
    try {
      await sql`SELECT 1`.execute(this.db);
      return indicator.up();
    } catch (err) {
      return indicator.down({ error: (err as Error).message });
    }
  }
}

/**
 * Down when a projection has stopped on an error: its read tables stay as they were until
 * someone acts. Lag alone keeps it up, since it only delays what reads see.
 */
@Injectable()
export class ProjectionsHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly runner: ProjectionRunner,
  ) {}

  async check<const Key extends string>(key: Key) {
    const indicator = this.health.check(key);
    let projections;
    try {
      projections = await this.runner.status();
    } catch (err) {
      // Terminus lets an indicator's exception end the whole check as a 500; without the
      // database there is nothing to report here, and the database indicator says why.
      return indicator.down({ error: (err as Error).message });
    }
    return projections.some((p) => p.state === 'failed') ? indicator.down({ projections }) : indicator.up({ projections });
  }
}
