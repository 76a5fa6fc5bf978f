import { Controller, Get, Query, Res, UseInterceptors } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  ACTION_KINDS,
  COMPARE_MAX_JURISDICTIONS,
  COMPARE_MAX_LIMIT,
  COMPARE_MIN_JURISDICTIONS,
  CompareTimelinesQuery,
  JURISDICTION_LEVELS,
  comparisonSchema,
  isOcdId,
  type CompareFilters,
  type Comparison,
  type ComparisonRow,
} from '@app/policy';
import { compareCsv, compareFilename } from './compare-csv';
import { compareSvg } from './compare-svg';
import { partialDate } from './jurisdictions.controller';
import { ApiContract, X_NEXT_CURSOR, type HeaderContract } from './openapi-contract';
import { ReadCache } from './read-cache';
import { commaList, pageLimit, parse, dateRange } from './validation';

const jurisdictionList = z
  .string({ error: `must list ${COMPARE_MIN_JURISDICTIONS} to ${COMPARE_MAX_JURISDICTIONS} OCD division ids, comma-separated` })
  .meta({
    description:
      `${COMPARE_MIN_JURISDICTIONS} to ${COMPARE_MAX_JURISDICTIONS} distinct Open Civic Data division ids, comma-separated, ` +
      'URL-encoded; the columns, in this order',
  })
  .transform((v, ctx) => {
    const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
    const malformed = ids.filter((id) => !isOcdId(id));
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    const problem = malformed.length
      ? `"${malformed[0]}" is not an Open Civic Data division id like ocd-division/country:us/state:ca (lower case)`
      : ids.length < COMPARE_MIN_JURISDICTIONS
        ? `must list at least ${COMPARE_MIN_JURISDICTIONS} jurisdictions, comma-separated`
        : ids.length > COMPARE_MAX_JURISDICTIONS
          ? `must list at most ${COMPARE_MAX_JURISDICTIONS} jurisdictions`
          : repeated.length
            ? `must list each jurisdiction once (${repeated[0]} is repeated)`
            : null;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return ids;
  });

const compareParams = dateRange(z.strictObject({
  jurisdictions: jurisdictionList,
  from: partialDate('start').optional(),
  to: partialDate('end').optional(),
  level: commaList(JURISDICTION_LEVELS, "the acting jurisdiction's levels").optional(),
  kind: commaList(ACTION_KINDS, 'action kinds').optional(),
  cursor: z.string().max(200).optional().meta({ description: "the previous page's nextCursor (or X-Next-Cursor)" }),
  limit: pageLimit(COMPARE_MAX_LIMIT, 'rows per page; 100 when absent (csv: every row, whatever the limit)'),
  format: z
    .enum(['json', 'csv', 'svg'], { error: 'must be json, csv or svg' })
    .optional()
    .meta({ description: 'json (when absent), csv (text/csv, every row), or svg (an image/svg+xml picture of the page)' }),
}));

const CONTENT_DISPOSITION: HeaderContract = {
  name: 'Content-Disposition',
  schema: z.string().meta({ description: 'for csv and svg: the file name to save it under' }),
};

/** The request's URL with its ids readable (`ocd-division/country:us`, not `%2F…%3A`). */
function readableUrl(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

@ApiTags('compare')
@Controller('api/v1/compare')
export class CompareController {
  constructor(private readonly queries: QueryBus) {}

  @UseInterceptors(ReadCache)
  @Get()
  @ApiContract({
    summary: "Several jurisdictions' timelines side by side",
    description:
      'One row per action in date order, with the compared jurisdictions whose timelines hold it: an act they share ' +
      '(inherited from a common ancestor, or naming several of them) is one row across their columns, each one’s own ' +
      'acts are in its column alone. As JSON (paged), as CSV (every row, a column per jurisdiction) or as an SVG picture, by `format`.',
    query: compareParams,
    response: {
      description: 'The comparison',
      content: { 'application/json': comparisonSchema, 'text/csv': z.string(), 'image/svg+xml': z.string() },
      headers: [X_NEXT_CURSOR, CONTENT_DISPOSITION],
    },
    problems: { 400: ['QUERY.INVALID_CURSOR'], 404: ['JURISDICTION.UNKNOWN'] },
  })
  async compare(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<Comparison | string | Readable> {
    const p = parse(compareParams, query, 'query');
    const filters: CompareFilters = { from: p.from, to: p.to, levels: p.level, kinds: p.kind, cursor: p.cursor, limit: p.limit };
    const run = (f: CompareFilters): Promise<Comparison> => this.queries.execute(new CompareTimelinesQuery(p.jurisdictions, f));

    if (p.format === 'csv') {
      // Every row, read a page at a time as the client reads.
      const first = await run({ ...filters, limit: COMPARE_MAX_LIMIT });
      async function* rows(): AsyncIterable<ComparisonRow> {
        let page = first;
        yield* page.rows;
        while (page.nextCursor) {
          page = await run({ ...filters, limit: COMPARE_MAX_LIMIT, cursor: page.nextCursor });
          yield* page.rows;
        }
      }
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${compareFilename(first.jurisdictions, 'csv')}"`);
      return compareCsv(first.jurisdictions, rows());
    }

    const comparison = await run(filters);
    if (p.format === undefined || p.format === 'json') return comparison;
    if (comparison.nextCursor) reply.header('x-next-cursor', comparison.nextCursor);
    reply.header('content-type', 'image/svg+xml; charset=utf-8');
    reply.header('content-disposition', `inline; filename="${compareFilename(comparison.jurisdictions, 'svg')}"`);
    return compareSvg(comparison, comparison.nextCursor, {
      kinds: p.kind,
      levels: p.level,
      source: `GET ${readableUrl(reply.request.url)}`,
      generatedAt: new Date(),
    });
  }
}
