import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AddSourceCommand,
  DismissParkedCommand,
  INGESTION_LIST_MAX_LIMIT,
  ListParkedQuery,
  ListRunsQuery,
  ListSourcesQuery,
  PARKED_STATUSES,
  ReceiveWebhookCommand,
  RetryParkedCommand,
  RunSourceCommand,
  UpdateSourceCommand,
  invalidSource,
  parkedItemSchema,
  parkedPageSchema,
  runSchema,
  runsPageSchema,
  scheduleSchema,
  sourceIdSchema,
  sourceSchema,
  sourcesSchema,
  type ParkedItemView,
  type ParkedPage,
  type RunStarted,
  type RunsPage,
  type RunView,
  type SourceView,
  type WebhookReceipt,
} from '@app/ingestion';
import { fieldErrorsFrom, reasonSchema } from '@app/policy';
import { PublicRoute, RequiresRole, type Caller } from './api-key.guard';
import { ApiContract, type HeaderContract } from './openapi-contract';
import { HttpProblem } from './problem';
import { pageLimit, parse } from './validation';

// Ingestion made visible: the sources and how they are configured, their runs, the items they
// could not store, "run now", and CourtListener's webhook deliveries.

const isoDay = z
  .string('must be a string')
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a real date');

const sourceName = z.string('must be a string').trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
// What each source type reads of it is its adapter's schema: the handler checks it, naming `config.<field>`.
const sourceConfig = z
  .record(z.string(), z.unknown(), 'must be an object')
  .meta({ description: "the source's settings, as its type reads them (a feed's url, publisher and jurisdictionId; a Legistar client; watched cases)" });

const newSourceBody = z
  .strictObject({
    id: sourceIdSchema,
    name: sourceName,
    config: sourceConfig,
    enabled: z.boolean('must be true or false').optional().meta({ description: 'true when absent' }),
    schedule: scheduleSchema.optional().meta({ description: 'a cron pattern in UTC; daily at 06:00 when absent' }),
  })
  .meta({ id: 'NewIngestionSource' });

const sourceChangesBody = z
  .strictObject({
    name: sourceName.optional(),
    config: sourceConfig.optional().meta({ description: 'replaces the stored configuration whole' }),
    enabled: z.boolean('must be true or false').optional().meta({ description: 'false stops its schedule; a curator can still run it now' }),
    schedule: scheduleSchema.optional(),
    resetCursor: z.literal(true, 'must be true').optional().meta({ description: 'forget where the source stopped: its next run starts from its configured beginning' }),
  })
  .meta({ id: 'IngestionSourceChanges' });

const runBody = z
  .strictObject({ since: isoDay.optional().meta({ description: 'read from this date instead of where the source stopped' }) })
  .optional()
  .meta({ id: 'IngestionRunRequest' });

const runStarted = z
  .discriminatedUnion('mode', [
    z.strictObject({ sourceId: sourceIdSchema, mode: z.literal('queued'), jobId: z.string().meta({ description: "the worker's job (asked again while it waits, the same job)" }) }),
    z.strictObject({ sourceId: sourceIdSchema, mode: z.literal('in-process'), run: runSchema }),
  ])
  .meta({
    id: 'IngestionRunStarted',
    description: 'queued for the worker (with REDIS_URL), or started in the API process: `run` as it started, going on after this answer (follow it in /api/v1/ingestion/runs)',
  });

const parkedRetried = z
  .strictObject({ parked: parkedItemSchema, run: runSchema.meta({ description: 'the run that stored the item' }) })
  .meta({ id: 'ParkedItemRetried' });

const webhookReceipt = z
  .strictObject({
    deliveryKey: z.string().meta({ description: 'the Idempotency-Key, else a hash of the body' }),
    duplicate: z.boolean().meta({ description: 'true when this delivery was taken before: nothing was done again' }),
    mode: z.enum(['queued', 'in-process', 'none']).meta({ description: "queued for the worker, stored before answering, or nothing (a duplicate)" }),
  })
  .meta({ id: 'WebhookReceipt' }) satisfies z.ZodType<WebhookReceipt>;

// CourtListener's envelope ({webhook, payload}); a delivery that cannot be read is parked with
// its reason rather than refused, so that nothing sent is lost.
const webhookBody = z
  .looseObject({})
  .meta({ id: 'CourtListenerDelivery', description: 'a CourtListener webhook delivery as posted: {webhook: {event_type, …}, payload: {results: [docket entries]}}' });

// Retry takes no body; one that is sent must be empty, as for other such POSTs.
const emptyBody = z.strictObject({}).optional();

// Dismiss takes the curator's reason, kept with the item; without one (no body, or {}) it is dismissed all the same.
const dismissBody = z
  .strictObject({ reason: reasonSchema.optional().meta({ description: 'why the item is set aside (trimmed, 1–2000 characters)' }) })
  .optional()
  .meta({ id: 'ParkedItemDismissal' });

const sourceParams = z.strictObject({ id: z.string().meta({ description: 'the source id (federal-register, feed:nyc-mayor, …)' }) });
const parkedParams = z.strictObject({ id: z.string().meta({ description: 'the parked item id' }) });
const webhookParams = z.strictObject({ secret: z.string().meta({ description: 'COURTLISTENER_WEBHOOK_SECRET: the address is the credential (deliveries are not signed)' }) });

const runsParams = z.strictObject({
  source: sourceIdSchema.optional().meta({ description: 'runs of this source (all when absent)' }),
  cursor: z.string().max(100).optional().meta({ description: "the previous page's nextCursor" }),
  limit: pageLimit(INGESTION_LIST_MAX_LIMIT, 'runs per page; 50 when absent'),
});

const parkedListParams = z.strictObject({
  source: sourceIdSchema.optional().meta({ description: 'items of this source (all when absent)' }),
  status: z.enum(PARKED_STATUSES, { error: `must be one of ${PARKED_STATUSES.join(', ')}` }).optional().meta({ description: 'parked (still waiting) when absent' }),
  cursor: z.string().max(100).optional().meta({ description: "the previous page's nextCursor" }),
  limit: pageLimit(INGESTION_LIST_MAX_LIMIT, 'items per page; 50 when absent'),
});

const DELIVERY_KEY: HeaderContract = {
  name: 'Idempotency-Key',
  schema: z
    .string()
    .regex(/^[!-~]{1,200}$/)
    .meta({ description: "CourtListener's delivery id, sent again on each retry: a delivery seen before is answered as a duplicate and does nothing" }),
  problems: { 400: ['REQUEST.INVALID'] },
};

/** A parked item's id from the path; anything but a positive whole number is a 400 naming it. */
function parkedId(id: string): number {
  if (!/^[1-9]\d{0,15}$/.test(id)) {
    throw new HttpProblem(400, 'REQUEST.INVALID', 'Invalid request', 'the parked item id is invalid', [
      { path: 'path.id', message: 'must be a positive whole number' },
    ]);
  }
  return Number(id);
}

type CallerRequest = FastifyRequest & { caller?: Caller };

/** Who resolves a parked item: the caller the key guard identified, as events name their actor. */
const callerId = (request: CallerRequest): string => request.caller?.id ?? 'anonymous';

/** A source body's faults are the source's: INGESTION.INVALID_SOURCE, as the handler names `config.<field>`. */
function parseSource<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw invalidSource(fieldErrorsFrom(result.error));
  return result.data;
}

@ApiTags('ingestion')
@Controller('api/v1/ingestion')
export class IngestionController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('sources')
  @ApiContract({
    summary: 'Every source: its configuration, where it stopped, its last run and when it runs next',
    response: { description: 'The sources', body: sourcesSchema },
  })
  sources(): Promise<{ items: SourceView[] }> {
    return this.queries.execute(new ListSourcesQuery());
  }

  @Post('sources')
  @HttpCode(201)
  @RequiresRole('admin')
  @ApiContract({
    summary: "Add a source (a city's press feed, another Legistar client)",
    description: 'The id names its type (`feed:<slug>`, `legistar:<client>`); its config is checked as that type reads it.',
    body: newSourceBody,
    response: { description: 'Added', body: sourceSchema },
    problems: { 400: ['INGESTION.INVALID_SOURCE'], 409: ['INGESTION.SOURCE_EXISTS'] },
  })
  addSource(@Body() body: unknown): Promise<SourceView> {
    const source = parseSource(newSourceBody, body);
    return this.commands.execute(new AddSourceCommand(source));
  }

  @Patch('sources/:id')
  @RequiresRole('admin')
  @ApiContract({
    summary: 'Change a source: its name, configuration or schedule, disable it, or start it over',
    params: sourceParams,
    body: sourceChangesBody,
    response: { description: 'Changed', body: sourceSchema },
    problems: { 400: ['INGESTION.INVALID_SOURCE'], 404: ['INGESTION.UNKNOWN_SOURCE'] },
  })
  updateSource(@Param('id') id: string, @Body() body: unknown): Promise<SourceView> {
    const { resetCursor, ...changes } = parseSource(sourceChangesBody, body);
    return this.commands.execute(new UpdateSourceCommand(id, { ...changes, ...(resetCursor && { cursor: null }) }));
  }

  @Post('sources/:id/runs')
  @HttpCode(202)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Run a source now',
    description: 'Answers once the run is queued (with REDIS_URL) or has started in this process; a disabled source runs too.',
    params: sourceParams,
    body: runBody,
    response: { description: 'Started', body: runStarted },
    problems: {
      400: ['INGESTION.INVALID_SOURCE'],
      404: ['INGESTION.UNKNOWN_SOURCE'],
      409: ['INGESTION.SOURCE_BUSY', 'INGESTION.BAD_CURSOR'],
    },
  })
  run(@Param('id') id: string, @Body() body: unknown): Promise<RunStarted> {
    const request = parse(runBody, body ?? undefined, 'body');
    return this.commands.execute(new RunSourceCommand(id, 'manual', request?.since));
  }

  @Get('runs')
  @ApiContract({
    summary: 'Runs newest first, of one source or all: what each fetched, proposed, corrected, left unchanged or parked',
    query: runsParams,
    response: { description: 'A page of runs', body: runsPageSchema },
    problems: { 400: ['INGESTION.INVALID_QUERY'] },
  })
  runs(@Query() query: unknown): Promise<RunsPage> {
    const p = parse(runsParams, query, 'query');
    return this.queries.execute(new ListRunsQuery({ sourceId: p.source, cursor: p.cursor, limit: p.limit }));
  }

  @Get('parked')
  @ApiContract({
    summary: 'Items a source sent that could not be stored, newest first, with the raw item and the reason',
    query: parkedListParams,
    response: { description: 'A page of parked items', body: parkedPageSchema },
    problems: { 400: ['INGESTION.INVALID_QUERY'] },
  })
  parked(@Query() query: unknown): Promise<ParkedPage> {
    const p = parse(parkedListParams, query, 'query');
    return this.queries.execute(new ListParkedQuery({ sourceId: p.source, status: p.status, cursor: p.cursor, limit: p.limit }));
  }

  @Post('parked/:id/retry')
  @HttpCode(200)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Try a parked item again (once the adapter or the ledger is fixed)',
    params: parkedParams,
    body: emptyBody,
    response: { description: 'Stored: the item is marked retried', body: parkedRetried },
    problems: {
      400: ['REQUEST.INVALID'],
      404: ['INGESTION.UNKNOWN_PARKED', 'INGESTION.UNKNOWN_SOURCE'],
      409: ['INGESTION.NOT_PARKED', 'INGESTION.STILL_UNREADABLE'],
    },
  })
  retryParked(@Param('id') id: string, @Body() body: unknown, @Req() request: CallerRequest): Promise<{ parked: ParkedItemView; run: RunView }> {
    parse(emptyBody, body ?? undefined, 'body');
    return this.commands.execute(new RetryParkedCommand(parkedId(id), callerId(request)));
  }

  @Post('parked/:id/dismiss')
  @HttpCode(200)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Set a parked item aside for good, with a reason (it stays listed as dismissed, with the reason and who dismissed it)',
    params: parkedParams,
    body: dismissBody,
    response: { description: 'Dismissed', body: parkedItemSchema },
    problems: { 400: ['REQUEST.INVALID'], 404: ['INGESTION.UNKNOWN_PARKED'], 409: ['INGESTION.NOT_PARKED'] },
  })
  dismissParked(@Param('id') id: string, @Body() body: unknown, @Req() request: CallerRequest): Promise<ParkedItemView> {
    const dismissal = parse(dismissBody, body ?? undefined, 'body');
    return this.commands.execute(new DismissParkedCommand(parkedId(id), callerId(request), dismissal?.reason));
  }

  @Post('courtlistener/webhooks/:secret')
  @HttpCode(200)
  @PublicRoute()
  @ApiContract({
    summary: "CourtListener's webhook deliveries (docket alerts)",
    description:
      'No API key: CourtListener cannot send one; the secret in the address is the credential. Answers within a second ' +
      '(the entries are queued for the worker, or stored before answering without one); a delivery whose Idempotency-Key ' +
      'was seen is answered as a duplicate. A delivery that cannot be read is parked, not refused.',
    params: webhookParams,
    headers: [DELIVERY_KEY],
    body: webhookBody,
    response: { description: 'Taken (or seen before)', body: webhookReceipt },
    problems: { 404: ['INGESTION.UNKNOWN_WEBHOOK'] },
  })
  webhook(@Param('secret') secret: string, @Headers('idempotency-key') key: string | undefined, @Body() body: unknown): Promise<WebhookReceipt> {
    if (key !== undefined && !DELIVERY_KEY.schema.safeParse(key).success) {
      throw new HttpProblem(400, 'REQUEST.INVALID', 'Invalid request', 'bad Idempotency-Key', [
        { path: 'header.idempotency-key', message: 'must be 1–200 visible ASCII characters' },
      ]);
    }
    const delivery = parse(webhookBody, body, 'body');
    return this.commands.execute(new ReceiveWebhookCommand(secret, key, delivery));
  }
}
