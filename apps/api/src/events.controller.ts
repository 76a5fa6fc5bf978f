import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ReadEventsQuery, eventsPageSchema, type EventsPage } from '@app/policy';
import { ApiContract } from './openapi-contract';
import { parse } from './validation';

const feedParams = z.strictObject({
  after: z.string().max(100).optional().meta({ description: 'the nextCursor of the previous read; from the beginning when absent' }),
  limit: z.coerce
    .number('must be a number')
    .int()
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .optional()
    .meta({ description: 'events per page; 100 when absent' }),
});

@ApiTags('events')
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiContract({
    summary: 'Every event in commit order; follow nextCursor (gap-safe)',
    description: 'A page may be short (or empty) while an older transaction is still open: keep following the same cursor.',
    query: feedParams,
    response: { description: 'A page of the feed', body: eventsPageSchema },
    problems: { 400: ['EVENT_STORE.INVALID_CHECKPOINT'] },
  })
  list(@Query() query: unknown): Promise<EventsPage> {
    const { after, limit } = parse(feedParams, query, 'query');
    return this.queries.execute(new ReadEventsQuery(after, limit ?? 100));
  }
}
