import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ReadEventsQuery } from '@app/policy';
import { parse } from './validation';

const feedParams = z.strictObject({
  after: z.string().max(100).optional(),
  limit: z.coerce.number('must be a number').int().min(1, 'must be at least 1').max(1000, 'must be at most 1000').optional(),
});

@ApiTags('events')
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Every event in commit order; follow nextCursor (gap-safe)' })
  list(@Query() query: unknown) {
    const { after, limit } = parse(feedParams, query, 'query');
    return this.queries.execute(new ReadEventsQuery(after, limit ?? 100));
  }
}
