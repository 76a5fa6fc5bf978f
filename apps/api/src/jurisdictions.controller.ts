import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  DIRECTORY_MAX_LIMIT,
  GetJurisdictionQuery,
  DomainError,
  GetTimelineQuery,
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
  type CommandMeta,
  type JurisdictionDetail,
  type JurisdictionsPage,
  type TimelinePage,
} from '@app/policy';
import { RequiresRole } from './api-key.guard';
import { ApiContract, WRITE_HEADERS, X_NEXT_CURSOR } from './openapi-contract';
import { Meta } from './request-context';
import { timelineCsv } from './timeline-csv';
import { timelineSvg } from './timeline-svg';
import { commaList, pageLimit, parse } from './validation';

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

const partialDate = (edge: 'start' | 'end') =>
  z
    .string()
    .meta({ description: `a date as precise as you like: YYYY-MM-DD, YYYY-MM or YYYY (${edge === 'start' ? 'from its first day' : 'to its last day'})` })
    .transform((v, ctx) => {
      const date = parsePartialDate(v);
      if (!date) {
        ctx.addIssue({ code: 'custom', message: 'must be a real date YYYY-MM-DD, YYYY-MM or YYYY' });
        return z.NEVER;
      }
      return edge === 'start' ? partialDateStart(date) : partialDateEnd(date);
    });

const timelineParams = z.strictObject({
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
  cursor: z.string().max(200).optional().meta({ description: "the previous page's nextCursor (or X-Next-Cursor)" }),
  limit: pageLimit(TIMELINE_MAX_LIMIT, 'entries per page; 50 when absent'),
  format: z
    .enum(['json', 'csv', 'svg'], { error: 'must be json, csv or svg' })
    .optional()
    .meta({ description: 'json (when absent), csv (text/csv), or svg (an image/svg+xml picture)' }),
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

  @Get(':id/timeline')
  @ApiContract({
    summary: "A jurisdiction's timeline: its own and inherited actions in date order",
    description: 'As JSON, as CSV (one row per entry) or as an SVG picture, by `format`.',
    params: idParams,
    query: timelineParams,
    response: {
      description: 'A page of the timeline',
      content: { 'application/json': timelinePageSchema, 'text/csv': z.string(), 'image/svg+xml': z.string() },
      headers: [X_NEXT_CURSOR],
    },
    problems: { 400: ['JURISDICTION.INVALID_ID', 'ACTION.INVALID'], 404: ['JURISDICTION.UNKNOWN'] },
  })
  async timeline(@Param('id') id: string, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const jurisdictionId = jurisdictionIdParam(id);
    const p = parse(timelineParams, query, 'query');
    const page: TimelinePage = await this.queries.execute(
      new GetTimelineQuery(jurisdictionId, {
        from: p.from,
        to: p.to,
        levels: p.level,
        kinds: p.kind,
        statuses: p.status,
        inherited: p.inherited === undefined ? undefined : p.inherited === 'true',
        asOf: p.asOf ? new Date(p.asOf) : undefined,
        cursor: p.cursor,
        limit: p.limit,
      }),
    );
    if (p.format === undefined || p.format === 'json') return page;
    if (page.nextCursor) reply.header('x-next-cursor', page.nextCursor);
    if (p.format === 'csv') {
      reply.header('content-type', 'text/csv; charset=utf-8');
      return timelineCsv(page.entries);
    }
    const jurisdiction: JurisdictionDetail = await this.queries.execute(new GetJurisdictionQuery(jurisdictionId));
    reply.header('content-type', 'image/svg+xml; charset=utf-8');
    return timelineSvg(page, jurisdiction.name);
  }

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
