import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  GetJurisdictionQuery,
  DomainError,
  GetTimelineQuery,
  JURISDICTION_LEVELS,
  SearchJurisdictionsQuery,
  RegisterJurisdictionCommand,
  isIsoInstant,
  isOcdId,
  ocdIdSchema,
  parsePartialDate,
  partialDateEnd,
  partialDateStart,
  type CommandMeta,
  type JurisdictionDetail,
  type TimelinePage,
} from '@app/policy';
import { RequiresRole } from './api-key.guard';
import { Meta } from './request-context';
import { timelineCsv } from './timeline-csv';
import { timelineSvg } from './timeline-svg';
import { parse } from './validation';

const registerBody = z.strictObject({
  id: z.string('must be a string'),
  name: z.string('must be a string'),
  level: z.enum(JURISDICTION_LEVELS, { error: `must be one of ${JURISDICTION_LEVELS.join(', ')}` }),
  parentId: ocdIdSchema.optional(),
});

const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values, { error: `must be a comma-separated list of ${values.join(', ')}` })));

const partialDate = (edge: 'start' | 'end') =>
  z.string().transform((v, ctx) => {
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
  level: list(JURISDICTION_LEVELS).optional(),
  kind: list(ACTION_KINDS).optional(),
  status: list(ACTION_STATUSES).optional(),
  inherited: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  asOf: z.string().refine(isIsoInstant, 'must be an ISO 8601 instant, like 2017-03-28T00:00:00Z').optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number('must be a number').int('must be an integer').min(1, 'must be at least 1').max(500, 'must be at most 500').optional(),
  format: z.enum(['json', 'csv', 'svg'], { error: 'must be json, csv or svg' }).optional(),
});

const directoryParams = z.strictObject({
  q: z.string().max(200).optional(),
  level: z.enum(JURISDICTION_LEVELS, { error: `must be one of ${JURISDICTION_LEVELS.join(', ')}` }).optional(),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number('must be a number').int().min(1, 'must be at least 1').max(500, 'must be at most 500').optional(),
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
  @ApiOperation({ summary: 'Register a jurisdiction by its OCD division id; honours Idempotency-Key' })
  register(@Body() body: unknown, @Meta() meta: CommandMeta) {
    return this.commands.execute(new RegisterJurisdictionCommand(parse(registerBody, body, 'body'), meta));
  }

  @Get()
  @ApiOperation({ summary: 'Search the jurisdiction directory (q matches names)' })
  list(@Query() query: unknown) {
    return this.queries.execute(new SearchJurisdictionsQuery(parse(directoryParams, query, 'query')));
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: "A jurisdiction's timeline: its own and inherited actions in date order (json, csv, or an svg picture)" })
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
  @ApiOperation({ summary: 'A jurisdiction with its counts and latest action' })
  get(@Param('id') id: string) {
    return this.queries.execute(new GetJurisdictionQuery(jurisdictionIdParam(id)));
  }
}
