import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventStore } from '@app/event-store';
import { z } from 'zod';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  DIRECTORY_MAX_LIMIT,
  GetJurisdictionQuery,
  DomainError,
  ExportTimelineQuery,
  FEED_DEFAULT_LIMIT,
  GetTimelineFeedQuery,
  GetTimelineQuery,
  GetTimelineChangesQuery,
  JURISDICTION_LEVELS,
  TIMELINE_MAX_LIMIT,
  SearchJurisdictionsQuery,
  RegisterJurisdictionCommand,
  isIsoInstant,
  isOcdId,
  jurisdictionDetailSchema,
  jurisdictionsPageSchema,
  ocdIdSchema,
  parsePartialDate,
  partialDateEnd,
  partialDateStart,
  timelinePageSchema,
  timelineChangesSchema,
  type CommandMeta,
  type JurisdictionDetail,
  type JurisdictionsPage,
  type TimelineExport,
  type TimelineFeed,
  type TimelineFilters,
  type TimelinePage,
  type TimelineChanges,
} from '@app/policy';
import { RequiresRole } from './api-key.guard';
import { ApiContract, WRITE_HEADERS, X_NEXT_CURSOR } from './openapi-contract';
import { badRequest } from './problem';
import { ReadCache } from './read-cache';
import { Meta } from './request-context';
import { fileStem, ndjson } from './export-formats';
import { timelineAtom } from './timeline-atom';
import { timelineCsv } from './timeline-csv';
import { timelineIcs } from './timeline-ics';
import { timelineSvg } from './timeline-svg';
import { commaList, pageLimit, parse, dateRange } from './validation';

const registerBody = z
  .strictObject({
    id: z.string('must be a string').meta({ description: 'its Open Civic Data division id, like ocd-division/country:us/state:ca (lower case)' }),
    name: z.string('must be a string'),
    level: z.enum(JURISDICTION_LEVELS, { error: `must be one of ${JURISDICTION_LEVELS.join(', ')}` }),
    parentId: ocdIdSchema.optional().meta({ description: "the jurisdiction it sits in, when not the id's path parent (a place inside a county)" }),
  })
  .meta({ id: 'NewJurisdiction' });

const jurisdictionRegistered = z
  .strictObject({ id: z.string(), version: z.int().min(1), position: z.int().min(1) })
  .meta({ id: 'JurisdictionRegistered', description: 'the id, the version of its stream (1) and the global position of its event' });

/** A `from` or `to` date parameter at any precision, as the first or last day it covers. */
export const partialDate = (edge: 'start' | 'end') =>
  z
    .string()
    .meta({
      description:
        `a date as precise as you like: YYYY-MM-DD, YYYY-MM or YYYY (${edge === 'start' ? 'from its first day' : 'to its last day'}); ` +
        'an action dated to a month or a year is kept when any of its period falls in the range (2017-10 is in from=2017-10-15)',
    })
    .transform((v, ctx) => {
      const date = parsePartialDate(v);
      if (!date) {
        ctx.addIssue({ code: 'custom', message: 'must be a real date YYYY-MM-DD, YYYY-MM or YYYY' });
        return z.NEVER;
      }
      return edge === 'start' ? partialDateStart(date) : partialDateEnd(date);
    });

const TIMELINE_FORMATS = ['json', 'csv', 'svg', 'ndjson', 'ics', 'atom'] as const;

const timelineParams = dateRange(z.strictObject({
  from: partialDate('start').optional(),
  to: partialDate('end').optional(),
  level: commaList(JURISDICTION_LEVELS, "the acting jurisdiction's levels").optional(),
  kind: commaList(ACTION_KINDS, 'action kinds').optional(),
  status: commaList(ACTION_STATUSES, 'statuses (published when absent)').optional(),
  inherited: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .meta({ description: 'false: only what sits on this jurisdiction itself, not what reached it from above' }),
  asOf: z
    .string()
    .refine(isIsoInstant, 'must be an ISO 8601 instant, like 2017-03-28T00:00:00Z')
    .optional()
    .meta({ description: 'the timeline as the ledger knew it at this instant (ISO 8601 with a zone)' }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .meta({ description: "the previous page's nextCursor (or X-Next-Cursor); for csv, ndjson and ics, where the export starts" }),
  limit: pageLimit(
    TIMELINE_MAX_LIMIT,
    `entries per page; 50 when absent. csv, ndjson and ics hold every entry and read this many at a time (${TIMELINE_MAX_LIMIT} when absent); atom holds the ${FEED_DEFAULT_LIMIT} latest changes when absent`,
  ),
  format: z
    .enum(TIMELINE_FORMATS, { error: `must be one of ${TIMELINE_FORMATS.join(', ')}` })
    .optional()
    .meta({
      description:
        'json (a page, when absent); svg (a page as an image/svg+xml picture); csv (text/csv), ndjson (application/x-ndjson) ' +
        'or ics (text/calendar, one all-day event per action: a URL to subscribe to): every entry, streamed; ' +
        'atom (application/atom+xml): the latest new and changed entries, newest change first',
    }),
}));

/** Whole-timeline exports: every matching entry, streamed, whatever the page size. */
const STREAMED = new Set(['csv', 'ndjson', 'ics']);

const instant = (description: string) =>
  z.string().refine(isIsoInstant, 'must be an ISO 8601 instant, like 2017-03-28T00:00:00Z').meta({ description });

const changesParams = z
  .strictObject({
    since: instant('the earlier instant: the timeline as the ledger knew it then (ISO 8601 with a zone)'),
    until: instant('the later instant (ISO 8601 with a zone); now when absent').optional(),
  })
  .superRefine((p, ctx) => {
    if (isIsoInstant(p.since) && new Date(p.since).getTime() > (p.until && isIsoInstant(p.until) ? new Date(p.until).getTime() : Date.now())) {
      ctx.addIssue({ code: 'custom', path: ['since'], message: p.until ? 'must not be later than until' : 'must not be in the future (until is now)' });
    }
  });

const directoryParams = z.strictObject({
  q: z
    .string()
    .max(200)
    .optional()
    .meta({
      description:
        'a name or part of one, any case ("St." and "Saint" alike, "city"/"town" optional), optionally narrowed to a state: ' +
        '"san francisco, ca", "Philadelphia PA", "philadelphia, pennsylvania". Whole-name matches first, then names starting with it, then names holding it',
    }),
  parentId: ocdIdSchema.optional().meta({ description: "only the jurisdictions directly inside this one: a state's counties and places" }),
  level: z.enum(JURISDICTION_LEVELS, { error: `must be one of ${JURISDICTION_LEVELS.join(', ')}` }).optional(),
  cursor: z.string().max(400).optional().meta({ description: "the previous page's nextCursor" }),
  limit: pageLimit(DIRECTORY_MAX_LIMIT, 'entries per page; 50 when absent'),
});

const idParams = z.strictObject({
  id: z.string().meta({ description: 'an Open Civic Data division id, URL-encoded: ocd-division%2Fcountry%3Aus%2Fstate%3Aca' }),
});

/**
 * Absolute links for documents read outside the API (calendars, feed readers): the address
 * the request was made at, and each action's page in the console, on the same origin.
 */
function publicLinks(request: FastifyRequest): { origin: string; self: string; action: (id: string) => string } {
  const origin = `${request.protocol}://${request.host}`;
  return { origin, self: `${origin}${request.url}`, action: (id) => `${origin}/console/actions/${encodeURIComponent(id)}` };
}

/**
 * The `{id}` of a URL. A malformed one (`state:CA`, `garbage`) is a 400 naming the rule, as it
 * is in a request body; a well-formed id that is not registered stays a 404.
 */
function jurisdictionIdParam(id: string): string {
  if (!isOcdId(id)) {
    throw new DomainError('JURISDICTION.INVALID_ID', `"${id}" is not a valid OCD division id`, {
      errors: [{ path: 'path.id', message: 'must be an Open Civic Data division id like ocd-division/country:us/state:ca (lower case), URL-encoded' }],
    });
  }
  return id;
}

@ApiTags('jurisdictions')
@Controller('api/v1/jurisdictions')
export class JurisdictionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly store: EventStore,
  ) {}

  @Post()
  @HttpCode(201)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Register a jurisdiction by its OCD division id',
    description: 'A retry under the same Idempotency-Key answers as the first.',
    headers: WRITE_HEADERS,
    body: registerBody,
    response: { description: 'Registered', body: jurisdictionRegistered },
    problems: {
      400: ['JURISDICTION.INVALID_ID', 'JURISDICTION.INVALID', 'JURISDICTION.INVALID_PARENT'],
      409: ['JURISDICTION.ALREADY_EXISTS'],
      422: ['JURISDICTION.UNKNOWN'],
    },
  })
  register(@Body() body: unknown, @Meta() meta: CommandMeta): Promise<z.output<typeof jurisdictionRegistered>> {
    return this.commands.execute(new RegisterJurisdictionCommand(parse(registerBody, body, 'body'), meta));
  }

  @UseInterceptors(ReadCache)
  @Get()
  @ApiContract({
    summary: 'Search the jurisdiction directory, best match first',
    description:
      'Within a kind of match: cities, then counties, then states, then towns, villages and boroughs, then the rest; then by name. ' +
      'Each entry says how many published actions reach it.',
    query: directoryParams,
    response: { description: 'A page of the directory', body: jurisdictionsPageSchema },
    problems: { 400: ['JURISDICTION.INVALID'] },
  })
  list(@Query() query: unknown): Promise<JurisdictionsPage> {
    return this.queries.execute(new SearchJurisdictionsQuery(parse(directoryParams, query, 'query')));
  }

  @UseInterceptors(ReadCache)
  @Get(':id/timeline')
  @ApiContract({
    summary: "A jurisdiction's timeline: its own and inherited actions in date order",
    description:
      'A page as JSON or as an SVG picture; the whole timeline as CSV, NDJSON or iCalendar (streamed); its latest changes as an Atom feed; by `format`.',
    params: idParams,
    query: timelineParams,
    response: {
      description: 'A page of the timeline',
      content: {
        'application/json': timelinePageSchema,
        'text/csv': z.string(),
        'image/svg+xml': z.string(),
        'application/x-ndjson': z.string().meta({ description: 'one ExportedTimelineEntry per line' }),
        'text/calendar': z.string(),
        'application/atom+xml': z.string(),
      },
      headers: [X_NEXT_CURSOR],
    },
    problems: { 400: ['JURISDICTION.INVALID_ID', 'QUERY.INVALID_CURSOR'], 404: ['JURISDICTION.UNKNOWN'] },
  })
  async timeline(
    @Param('id') id: string,
    @Query() query: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const jurisdictionId = jurisdictionIdParam(id);
    const p = parse(timelineParams, query, 'query');
    const filters: TimelineFilters = {
      from: p.from,
      to: p.to,
      levels: p.level,
      kinds: p.kind,
      statuses: p.status,
      inherited: p.inherited === undefined ? undefined : p.inherited === 'true',
      asOf: p.asOf ? new Date(p.asOf) : undefined,
      cursor: p.cursor,
      limit: p.limit,
    };
    if (p.format === 'atom') return this.timelineFeed(jurisdictionId, filters, request, reply);
    if (p.format && STREAMED.has(p.format)) {
      const exported: TimelineExport = await this.queries.execute(new ExportTimelineQuery(jurisdictionId, filters));
      const stem = `${fileStem(exported.jurisdictionName)}-timeline`;
      const links = publicLinks(request);
      if (p.format === 'ics') {
        reply.header('content-type', 'text/calendar; charset=utf-8');
        // inline: a browser hands it to the calendar; a subscription reads the same URL.
        reply.header('content-disposition', `inline; filename="${stem}.ics"`);
        return timelineIcs(exported, links.self, links.action);
      }
      if (p.format === 'csv') {
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="${stem}.csv"`);
        return timelineCsv(exported.entries);
      }
      reply.header('content-type', 'application/x-ndjson; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${stem}.ndjson"`);
      return ndjson(exported.entries);
    }
    // Read before the page, so the picture holds at least everything up to this position.
    const ledgerPosition = p.format === 'svg' ? await this.store.headPosition() : undefined;
    const page: TimelinePage = await this.queries.execute(new GetTimelineQuery(jurisdictionId, filters));
    if (p.format === undefined || p.format === 'json') return page;
    if (page.nextCursor) reply.header('x-next-cursor', page.nextCursor);
    const jurisdiction: JurisdictionDetail = await this.queries.execute(new GetJurisdictionQuery(jurisdictionId));
    reply.header('content-type', 'image/svg+xml; charset=utf-8');
    const { origin, self } = publicLinks(request);
    return timelineSvg(page, {
      jurisdictionName: jurisdiction.name,
      filters: { ...filters, asOf: p.asOf },
      url: self,
      origin,
      generatedAt: new Date(),
      ledgerPosition,
    });
  }

  private async timelineFeed(jurisdictionId: string, f: TimelineFilters, request: FastifyRequest, reply: FastifyReply): Promise<string> {
    // A feed is the latest news as of now, read from its newest end: a place to start or an
    // instant in the past would make it another thing.
    const refused = (['cursor', 'asOf'] as const).filter((k) => f[k] !== undefined);
    if (refused.length) {
      throw badRequest(
        'the request query is invalid',
        refused.map((k) => ({ path: `query.${k}`, message: 'is not read with format=atom (a feed holds the latest changes)' })),
      );
    }
    const feed: TimelineFeed = await this.queries.execute(
      new GetTimelineFeedQuery(jurisdictionId, { from: f.from, to: f.to, levels: f.levels, kinds: f.kinds, statuses: f.statuses, inherited: f.inherited, limit: f.limit }),
    );
    const links = publicLinks(request);
    const url = new URL(links.self);
    url.searchParams.delete('format');
    const query = url.searchParams.toString();
    reply.header('content-type', 'application/atom+xml; charset=utf-8');
    return timelineAtom(feed, { selfUrl: links.self, query, timelineUrl: url.toString(), actionUrl: links.action });
  }

  // Not cached: without `until` the answer is as of now, and says so.
  @Get(':id/timeline/changes')
  @ApiContract({
    summary: "What changed on a jurisdiction's timeline between two instants",
    description:
      'Between the timeline as the ledger knew it at `since` and at `until` (own and inherited entries, published): ' +
      'entries added, entries removed (retracted, rejected, merged, or no longer reaching this jurisdiction) and ' +
      'entries changed, field by field.',
    params: idParams,
    query: changesParams,
    response: { description: 'The changes, each list in timeline order', body: timelineChangesSchema },
    problems: { 400: ['JURISDICTION.INVALID_ID'], 404: ['JURISDICTION.UNKNOWN'] },
  })
  timelineChanges(@Param('id') id: string, @Query() query: unknown): Promise<TimelineChanges> {
    const jurisdictionId = jurisdictionIdParam(id);
    const p = parse(changesParams, query, 'query');
    return this.queries.execute(new GetTimelineChangesQuery(jurisdictionId, new Date(p.since), p.until ? new Date(p.until) : new Date()));
  }

  @UseInterceptors(ReadCache)
  @Get(':id')
  @ApiContract({
    summary: 'A jurisdiction with its counts and latest action',
    params: idParams,
    response: { description: 'The jurisdiction', body: jurisdictionDetailSchema },
    problems: { 400: ['JURISDICTION.INVALID_ID'], 404: ['JURISDICTION.UNKNOWN'] },
  })
  get(@Param('id') id: string): Promise<JurisdictionDetail> {
    return this.queries.execute(new GetJurisdictionQuery(jurisdictionIdParam(id)));
  }
}
