import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { decodeCheckpoint, InvalidCheckpointError, type CommitPoint } from '@app/event-store';
import { POLICY_EVENT_TYPES, ReadEventsQuery, STREAM_PREFIXES, eventsPageSchema, type EventsPage } from '@app/policy';
import { EventStreams, MAX_STREAMS } from './event-stream';
import { ApiContract, type HeaderContract } from './openapi-contract';
import { HttpProblem } from './problem';
import { commaList, pageLimit, parse } from './validation';

/** Filters the feed and the stream share: the cursor still moves past what they leave out. */
const eventFilters = {
  type: commaList(POLICY_EVENT_TYPES, 'only events of these types').optional(),
  stream: z
    .string()
    .max(300)
    .refine((v) => STREAM_PREFIXES.some((p) => v.startsWith(p)), `must be a stream id or a prefix of one, starting with ${STREAM_PREFIXES.join(' or ')}`)
    .optional()
    .meta({ description: "only events of streams whose id starts with this: a kind ('action-', 'jurisdiction-') or one stream ('action-<id>')" }),
};

const feedParams = z.strictObject({
  after: z
    .string()
    .max(100)
    .optional()
    .meta({
      description:
        "the nextCursor of the previous read; from the beginning when absent; 'latest' for the end of the log (an empty page whose nextCursor is where to poll from)",
    }),
  limit: pageLimit(1000, 'events per page; 100 when absent'),
  ...eventFilters,
});

const streamParams = z.strictObject({
  after: z
    .string()
    .max(100)
    .optional()
    .meta({ description: "a cursor of /events (its nextCursor) or an event id of this stream; from now when absent or 'latest' (history is /events)" }),
  ...eventFilters,
});

const LAST_EVENT_ID: HeaderContract = {
  name: 'Last-Event-ID',
  schema: z
    .string()
    .max(100)
    .meta({ description: 'The id of the last event received: the stream resumes right after it (an EventSource sends it when it reconnects). Wins over `after`.' }),
  problems: { 400: ['EVENT_STORE.INVALID_CHECKPOINT'] },
};

@ApiTags('events')
@Controller('api/v1/events')
export class EventsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly streams: EventStreams,
  ) {}

  @Get()
  @ApiContract({
    summary: 'Every event in commit order; follow nextCursor (gap-safe)',
    description: 'A page may be short (or empty) while an older transaction is still open: keep following the same cursor.',
    query: feedParams,
    response: { description: 'A page of the feed', body: eventsPageSchema },
    problems: { 400: ['EVENT_STORE.INVALID_CHECKPOINT'] },
  })
  list(@Query() query: unknown): Promise<EventsPage> {
    const { after, limit, type, stream } = parse(feedParams, query, 'query');
    // An empty list (`type=`) filters nothing, as on the timeline.
    return this.queries.execute(new ReadEventsQuery(after, limit ?? 100, { types: type?.length ? type : undefined, streamPrefix: stream }));
  }

  @Get('stream')
  @ApiContract({
    summary: 'Events as they are committed, as server-sent events (gap-safe, in commit order)',
    description:
      'Each event is a message with `id:` (the checkpoint after it: the same cursor as /events), `event:` (its type) and ' +
      '`data:` (the event as /events gives it). Starts after Last-Event-ID, else `after`, else at the head. ' +
      `Comment lines keep idle connections open. At most ${MAX_STREAMS} streams per process.`,
    query: streamParams,
    headers: [LAST_EVENT_ID],
    response: {
      description: 'An endless text/event-stream',
      content: { 'text/event-stream': z.string().meta({ description: 'SSE messages: `id`, `event` and `data` (a FeedEvent as JSON)' }) },
    },
    problems: { 400: ['EVENT_STORE.INVALID_CHECKPOINT'], 503: ['EVENTS.TOO_MANY_STREAMS'] },
  })
  async stream(@Query() query: unknown, @Headers('last-event-id') lastEventId: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const { after, type, stream } = parse(streamParams, query, 'query');
    // Everything that can refuse the request runs before the first byte: after it, the answer is a 200.
    const given = lastEventId !== undefined && lastEventId !== '' ? checkpoint(lastEventId, 'header.last-event-id') : undefined;
    const from = given ?? (after !== undefined && after !== 'latest' ? checkpoint(after, 'query.after') : undefined);
    if (this.streams.full) {
      throw new HttpProblem(503, 'EVENTS.TOO_MANY_STREAMS', 'Service unavailable', `this process serves at most ${MAX_STREAMS} event streams; retry later`);
    }
    const start = from ?? (await this.streams.head());
    // Nest and Fastify leave the response alone from here: the stream writes it until the end.
    reply.hijack();
    void this.streams.serve(reply.raw, { from: start, types: type?.length ? type : undefined, streamPrefix: stream });
  }
}

/** A cursor the store issued, else a 400 naming where it came from. */
function checkpoint(value: string, path: string): CommitPoint {
  try {
    if (value.length > 100) throw new InvalidCheckpointError(value.slice(0, 100));
    return decodeCheckpoint(value);
  } catch (err) {
    if (!(err instanceof InvalidCheckpointError)) throw err;
    throw new HttpProblem(400, err.code, 'Invalid request', err.message, [{ path, message: 'must be an event id or cursor this API issued' }]);
  }
}
