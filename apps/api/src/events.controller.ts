import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ReadEventsQuery, eventsPageSchema, type EventsPage } from '@app/policy';
import { ApiContract } from './openapi-contract';
import { pageLimit, parse } from './validation';

const feedParams = z.strictObject({
  after: z.string().max(100).optional().meta({ description: 'the nextCursor of the previous read; from the beginning when absent' }),
  limit: pageLimit(1000, 'events per page; 100 when absent'),
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
