import { Body, Controller, Get, HttpCode, Inject, Param, Post, Patch, Query, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ledgerProofSchema, type LedgerProof } from '@app/event-store';
import {
  AcceptSuggestedCorrectionCommand,
  DismissSuggestedCorrectionCommand,
  ACTION_KINDS,
  ACTION_LIST_MAX_LIMIT,
  ACTION_STATUSES,
  AttachSourceCommand,
  CorrectActionCommand,
  DomainError,
  DUPLICATES_CANDIDATES_COMPARED,
  DUPLICATES_DEFAULT_DAYS,
  DUPLICATES_DEFAULT_LIMIT,
  DUPLICATES_MAX_DAYS,
  DUPLICATES_MAX_LIMIT,
  DUPLICATES_MIN_SIMILARITY,
  ExportActionsQuery,
  FindDuplicatesQuery,
  GetActionHistoryQuery,
  GetActionProofQuery,
  GetActionQuery,
  ListActionsQuery,
  actionsPageSchema,
  actionSearchSchema,
  JURISDICTION_LEVELS,
  SEARCH_DEFAULT_LIMIT,
  SEARCH_MAX_LIMIT,
  SEARCH_MAX_QUERY_LENGTH,
  SearchActionsQuery,
  type ActionSearch,
  ocdIdSchema,
  RELATION_TYPES,
  actionContentSchema,
  actionIdSchema,
  isDomainError,
  LinkActionsCommand,
  MergeActionsCommand,
  ProposeActionCommand,
  PublishActionCommand,
  RecordActionCommand,
  RejectActionCommand,
  RetractActionCommand,
  actionChangesSchema,
  actionDetailSchema,
  actionDuplicatesSchema,
  actionHistorySchema,
  proposalSchema,
  reasonSchema,
  relationSchema,
  sourceSchema,
  type ActionCommandResult,
  type ActionDetail,
  type ActionDuplicates,
  type ActionHistory,
  type ActionSummary,
  type ActionsPage,
  type CommandMeta,
} from '@app/policy';
import { apiKeyNames, type Database } from '@app/db';
import { RequiresRole } from './api-key.guard';
import { DATABASE } from './tokens';
import { ApiContract, ETAG, IF_MATCH, WRITE_HEADERS } from './openapi-contract';
import { ReadCache } from './read-cache';
import { IfMatchVersion, Meta } from './request-context';
import { actionsCsv } from './actions-csv';
import { ndjson } from './export-formats';
import { partialDate } from './jurisdictions.controller';
import { commaList, pageLimit, parse, dateRange } from './validation';

// Request bodies. The domain validates again when it decides; these give the early 400s with
// paths as the client wrote them.
const createBody = actionContentSchema
  .extend({
    id: actionIdSchema.optional().meta({ description: 'chosen by the client; else derived from the Idempotency-Key, else random' }),
    relations: z.array(relationSchema).max(100).optional(),
    proposal: proposalSchema.optional().meta({ description: 'for an ingested item awaiting review: the action is proposed, not published' }),
  })
  .meta({ id: 'NewAction' });
// The edge checks the envelope; the domain checks each change and the reason (ACTION.INVALID,
// naming `changes.<field>`), so the contract shows the domain's schemas for them.
const correctBody = z.strictObject({ changes: z.record(z.string(), z.unknown()), reason: z.string('must be a string') });
const correctDoc = correctBody.extend({ changes: actionChangesSchema, reason: reasonSchema }).meta({ id: 'ActionCorrection' });
const reasonBody = z.strictObject({ reason: z.string('must be a string') });
const reasonDoc = reasonBody.extend({ reason: reasonSchema }).meta({ id: 'Reason' });
const emptyBody = z.strictObject({}).optional();
const linkBody = z
  .strictObject({
    relation: z.enum(RELATION_TYPES, { error: `must be one of ${RELATION_TYPES.join(', ')}` }),
    targetId: actionIdSchema,
  })
  .meta({ id: 'NewLink' });
const sourceBody = z.strictObject({ source: sourceSchema }).meta({ id: 'NewSource' });
const mergeBody = z.strictObject({ into: actionIdSchema, reason: z.string('must be a string') });
const mergeDoc = mergeBody
  .extend({
    into: actionIdSchema.meta({ description: 'the survivor: the action that keeps the sources, citations and links' }),
    reason: reasonSchema,
  })
  .meta({ id: 'ActionMerge' });

const idParams = z.strictObject({ id: z.string().meta({ description: 'the action id' }) });

const listParams = z.strictObject({
  status: commaList(ACTION_STATUSES, 'statuses (all when absent)').optional(),
  kind: commaList(ACTION_KINDS, 'action kinds').optional(),
  sourceSystem: z.string().min(1).max(100).optional().meta({ description: "ingested from this system (the proposal's sourceSystem)" }),
  jurisdiction: ocdIdSchema.optional().meta({ description: 'acting, or named as affected (the actions directly on its timeline)' }),
  q: z
    .string('must be a string')
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .optional()
    .meta({ description: 'part of the title, any case (% and _ match themselves)' }),
  cursor: z.string().max(100).optional().meta({ description: "the previous page's nextCursor" }),
  limit: pageLimit(ACTION_LIST_MAX_LIMIT, 'actions per page; 50 when absent'),
});

const exportParams = z.strictObject({
  format: z
    .enum(['ndjson', 'csv'], { error: 'must be ndjson or csv' })
    .optional()
    .meta({ description: 'ndjson (application/x-ndjson, one ActionSummary per line; when absent) or csv (text/csv, one row per action)' }),
  status: commaList(ACTION_STATUSES, 'statuses (all when absent)').optional(),
});

const searchParams = dateRange(z.strictObject({
  q: z
    .string('must be a string')
    .trim()
    .min(1, 'is required')
    .max(SEARCH_MAX_QUERY_LENGTH, `must be at most ${SEARCH_MAX_QUERY_LENGTH} characters`)
    .meta({
      description:
        'words to find, in web-search syntax: "a quoted phrase", -word to exclude, `or` between alternatives; ' +
        'a citation or docket number (82 FR 8799, 3:17-cv-00574) finds the actions that cite it, first',
    }),
  jurisdiction: ocdIdSchema
    .optional()
    .meta({ description: 'what sits on this jurisdiction or below it (its counties and places), and what reached it from its ancestors' }),
  level: commaList(JURISDICTION_LEVELS, "the acting jurisdiction's levels").optional(),
  kind: commaList(ACTION_KINDS, 'action kinds').optional(),
  status: commaList(ACTION_STATUSES, 'statuses (published when absent)').optional(),
  from: partialDate('start').optional(),
  to: partialDate('end').optional(),
  cursor: z.string().max(400).optional().meta({ description: "the previous page's nextCursor" }),
  limit: pageLimit(SEARCH_MAX_LIMIT, `results per page; ${SEARCH_DEFAULT_LIMIT} when absent`),
}));

const duplicatesParams = z.strictObject({
  days: z.coerce
    .number('must be a number')
    .int('must be an integer')
    .min(0, 'must be at least 0')
    .max(DUPLICATES_MAX_DAYS, `must be at most ${DUPLICATES_MAX_DAYS}`)
    .optional()
    .meta({ description: `how many days before or after the action a candidate may have occurred; ${DUPLICATES_DEFAULT_DAYS} when absent` }),
  limit: pageLimit(DUPLICATES_MAX_LIMIT, `candidates at most; ${DUPLICATES_DEFAULT_LIMIT} when absent`),
});

const actionCreated = z
  .strictObject({ id: actionIdSchema, version: z.int().min(1), position: z.int().min(1) })
  .meta({ id: 'ActionCreated', description: "the new action's id, its version (1) and the global position of its event" });
const actionChanged = z
  .strictObject({ version: z.int().min(1), position: z.int().min(1) })
  .meta({ id: 'ActionChanged', description: "the action's new version (its next If-Match) and the global position of the last event appended" });

/** An action id for a create without one; derived from the Idempotency-Key so a retry names the same action. */
function newActionId(meta: CommandMeta): string {
  if (!meta.idempotencyKey) return randomUUID();
  const h = createHash('sha256').update(`action:${meta.idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The command nests the body's fields under `content`, so the domain names an unknown
 * jurisdiction `content.affectedJurisdictionIds.0`; the client sent `affectedJurisdictionIds.0`.
 */
function asBodyPaths(err: unknown): unknown {
  if (!isDomainError(err) || !err.errors?.some((e) => e.path.startsWith('content.'))) return err;
  const errors = err.errors.map((e) => ({ ...e, path: e.path.replace(/^content\./, '') }));
  return new DomainError(err.code, err.message, { errors, details: err.details });
}

@ApiTags('actions')
@Controller('api/v1/actions')
export class ActionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(DATABASE) private readonly db: Database,
  ) {}

  @Post()
  @HttpCode(201)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Record a published action, or propose one (with `proposal`)',
    description: 'A retry under the same Idempotency-Key answers as the first and names the same action.',
    headers: WRITE_HEADERS,
    body: createBody,
    response: { description: 'Recorded (or proposed)', body: actionCreated },
    problems: {
      400: ['ACTION.INVALID', 'ACTION.SELF_LINK'],
      409: ['ACTION.ALREADY_EXISTS', 'ACTION.DUPLICATE_LINK'],
      422: ['JURISDICTION.UNKNOWN', 'ACTION.UNKNOWN'],
    },
  })
  async create(@Body() body: unknown, @Meta() meta: CommandMeta): Promise<z.output<typeof actionCreated>> {
    const { id, relations, proposal, ...content } = parse(createBody, body, 'body');
    const actionId = id ?? newActionId(meta);
    const data = { actionId, content, relations: relations ?? [] };
    const command = proposal ? new ProposeActionCommand({ ...data, proposal }, meta) : new RecordActionCommand(data, meta);
    const result: ActionCommandResult = await this.commands.execute(command).catch((err: unknown) => {
      throw asBodyPaths(err);
    });
    return { id: result.id, version: result.version, position: result.position };
  }

  @Get()
  @ApiContract({
    summary: 'Actions newest first, by status, kind, source, jurisdiction and title (the review queue: status=proposed)',
    query: listParams,
    response: { description: 'A page of actions', body: actionsPageSchema },
    problems: { 400: ['QUERY.INVALID_CURSOR'] },
  })
  list(@Query() query: unknown): Promise<ActionsPage> {
    const p = parse(listParams, query, 'query');
    return this.queries.execute(
      new ListActionsQuery({
        statuses: p.status,
        kinds: p.kind,
        sourceSystem: p.sourceSystem,
        jurisdictionId: p.jurisdiction,
        q: p.q,
        cursor: p.cursor,
        limit: p.limit,
      }),
    );
  }

  // Before ':id', so that `export` is never read as an action id.
  @UseInterceptors(ReadCache)
  @Get('export')
  @ApiContract({
    summary: "The whole ledger: every action's current state, streamed in the order they were first recorded",
    description: 'Read in batches as the client reads: memory stays flat whatever the size of the ledger.',
    query: exportParams,
    response: {
      description: 'Every action (of these statuses)',
      content: { 'application/x-ndjson': z.string().meta({ description: 'one ActionSummary per line' }), 'text/csv': z.string() },
    },
    problems: { 400: ['QUERY.INVALID_CURSOR'] },
  })
  async export(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const p = parse(exportParams, query, 'query');
    const rows: AsyncIterable<ActionSummary> = await this.queries.execute(new ExportActionsQuery({ statuses: p.status }));
    if (p.format === 'csv') {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="actions.csv"');
      return actionsCsv(rows);
    }
    reply.header('content-type', 'application/x-ndjson; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="actions.ndjson"');
    return ndjson(rows);
  }

  // Before ':id', which would otherwise take 'search' for an action id.
  @UseInterceptors(ReadCache)
  @Get('search')
  @ApiContract({
    summary: 'Full-text search of actions, best first, with highlighted snippets and counts by kind and level',
    description:
      'Title and citations weigh most, then the summary and the actors, then the sources\' titles. A query that is ' +
      'exactly a citation or docket number also finds the actions that cite it, ranked first. A query with no ' +
      'searchable word (only stop words or punctuation) answers no results.',
    query: searchParams,
    response: { description: 'A page of results', body: actionSearchSchema },
    problems: { 400: ['QUERY.INVALID_CURSOR'], 404: ['JURISDICTION.UNKNOWN'] },
  })
  search(@Query() query: unknown): Promise<ActionSearch> {
    const p = parse(searchParams, query, 'query');
    return this.queries.execute(
      new SearchActionsQuery(p.q, {
        jurisdictionId: p.jurisdiction,
        levels: p.level,
        kinds: p.kind,
        statuses: p.status,
        from: p.from,
        to: p.to,
        cursor: p.cursor,
        limit: p.limit,
      }),
    );
  }

  @Get(':id')
  @ApiContract({
    summary: 'An action as it stands now',
    params: idParams,
    response: { description: 'The action; its ETag is its version', body: actionDetailSchema, headers: [ETAG] },
    problems: { 404: ['ACTION.UNKNOWN'] },
  })
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<ActionDetail> {
    const action: ActionDetail = await this.queries.execute(new GetActionQuery(id));
    reply.header('etag', `"${action.version}"`);
    return action;
  }

  @Get(':id/proof')
  @ApiContract({
    summary: "Proof that each of the action's events is in the sealed ledger, checkable offline",
    description:
      "Save the answer and run `npm run cli -- verify --proof FILE --key PUBLIC.pem`: each event's leaf is recomputed from its content and walked up its audit path to the head's root, and the head's signature is checked. " +
      'An event not sealed yet has leafIndex null; ask again a moment later.',
    params: idParams,
    response: { description: 'The proofs, with the head they lead to', body: ledgerProofSchema },
    problems: { 404: ['ACTION.UNKNOWN'] },
  })
  proof(@Param('id') id: string): Promise<LedgerProof> {
    return this.queries.execute(new GetActionProofQuery(id));
  }

  @Get(':id/history')
  @ApiContract({
    summary: "Every event of the action's stream, oldest first, with who wrote it and why",
    params: idParams,
    response: { description: 'The history', body: actionHistorySchema },
    problems: { 404: ['ACTION.UNKNOWN'] },
  })
  async history(@Param('id') id: string): Promise<ActionHistory> {
    const history: ActionHistory = await this.queries.execute(new GetActionHistoryQuery(id));
    // Events name the key that wrote them ('key:<id>'); a reader wants the person or the
    // worker behind it. Names are the API's to add: the policy context knows no keys.
    const keyIds = [...new Set(history.events.map((e) => e.metadata.actor).filter((a) => a?.startsWith('key:')))].map((a) => a!.slice(4));
    const names = await apiKeyNames(this.db, keyIds);
    for (const { metadata } of history.events) {
      const name = metadata.actor === 'env:API_ADMIN_KEY' ? 'API_ADMIN_KEY' : metadata.actor?.startsWith('key:') ? names.get(metadata.actor.slice(4)) : undefined;
      if (name) metadata.actorName = name;
    }
    return history;
  }

  @Get(':id/duplicates')
  @ApiContract({
    summary: 'Published actions that may be the same as this one, best first (to merge or link)',
    description:
      'Candidates are of the same kind and occurred within `days` of it; their titles share enough words ' +
      `(Dice's coefficient of the words, stop words left out, at least ${DUPLICATES_MIN_SIMILARITY}). The nearest ` +
      `${DUPLICATES_CANDIDATES_COMPARED} in time are compared.`,
    params: idParams,
    query: duplicatesParams,
    response: { description: 'The candidates', body: actionDuplicatesSchema },
    problems: { 404: ['ACTION.UNKNOWN'] },
  })
  duplicates(@Param('id') id: string, @Query() query: unknown): Promise<ActionDuplicates> {
    const { days, limit } = parse(duplicatesParams, query, 'query');
    return this.queries.execute(new FindDuplicatesQuery(id, { days, limit }));
  }

  @Patch(':id')
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Correct some fields, with a reason',
    description: 'Each field named in `changes` is replaced whole; status, id and relations change by other means.',
    params: idParams,
    headers: [IF_MATCH, ...WRITE_HEADERS],
    body: correctDoc,
    response: { description: 'Corrected', body: actionChanged },
    problems: {
      400: ['ACTION.INVALID'],
      404: ['ACTION.UNKNOWN'],
      409: ['POLICY.VERSION_CONFLICT', 'ACTION.NOT_CORRECTABLE', 'ACTION.NO_CHANGE'],
      422: ['JURISDICTION.UNKNOWN'],
    },
  })
  async correct(@Param('id') id: string, @Body() body: unknown, @IfMatchVersion() version: number, @Meta() meta: CommandMeta) {
    const { changes, reason } = parse(correctBody, body, 'body');
    return this.versionOnly(new CorrectActionCommand({ actionId: id, changes, reason }, { ...meta, expectedVersion: version }));
  }

  @Post(':id/retraction')
  @HttpCode(200)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Retract a published action, with a reason',
    params: idParams,
    headers: [IF_MATCH, ...WRITE_HEADERS],
    body: reasonDoc,
    response: { description: 'Retracted', body: actionChanged },
    problems: {
      400: ['ACTION.INVALID'],
      404: ['ACTION.UNKNOWN'],
      409: ['POLICY.VERSION_CONFLICT', 'ACTION.ALREADY_RETRACTED', 'ACTION.NOT_PUBLISHED'],
    },
  })
  retract(@Param('id') id: string, @Body() body: unknown, @IfMatchVersion() version: number, @Meta() meta: CommandMeta) {
    const { reason } = parse(reasonBody, body, 'body');
    return this.versionOnly(new RetractActionCommand({ actionId: id, reason }, { ...meta, expectedVersion: version }));
  }

  @Post(':id/publication')
  @HttpCode(200)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Publish a proposed action',
    params: idParams,
    headers: [IF_MATCH, ...WRITE_HEADERS],
    body: emptyBody,
    response: { description: 'Published', body: actionChanged },
    problems: {
      400: ['ACTION.INVALID'],
      404: ['ACTION.UNKNOWN'],
      409: ['POLICY.VERSION_CONFLICT', 'ACTION.NOT_PROPOSED'],
    },
  })
  publish(@Param('id') id: string, @Body() body: unknown, @IfMatchVersion() version: number, @Meta() meta: CommandMeta) {
    parse(emptyBody, body ?? undefined, 'body');
    return this.versionOnly(new PublishActionCommand({ actionId: id }, { ...meta, expectedVersion: version }));
  }

  @Post(':id/rejection')
  @HttpCode(200)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Reject a proposed action, with a reason',
    params: idParams,
    headers: [IF_MATCH, ...WRITE_HEADERS],
    body: reasonDoc,
    response: { description: 'Rejected', body: actionChanged },
    problems: {
      400: ['ACTION.INVALID'],
      404: ['ACTION.UNKNOWN'],
      409: ['POLICY.VERSION_CONFLICT', 'ACTION.NOT_PROPOSED'],
    },
  })
  reject(@Param('id') id: string, @Body() body: unknown, @IfMatchVersion() version: number, @Meta() meta: CommandMeta) {
    const { reason } = parse(reasonBody, body, 'body');
    return this.versionOnly(new RejectActionCommand({ actionId: id, reason }, { ...meta, expectedVersion: version }));
  }

  @Post(':id/suggestion/accept')
  @HttpCode(200)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Accept the correction ingestion suggested for a published action (its source changed upstream)',
    description: 'Applies what of the suggestion still differs from the action; the reason recorded is the suggestion\'s.',
    params: idParams,
    headers: [IF_MATCH, ...WRITE_HEADERS],
    body: emptyBody,
    response: { description: 'Corrected as suggested', body: actionChanged },
    problems: {
      400: ['ACTION.INVALID'],
      404: ['ACTION.UNKNOWN'],
      409: ['POLICY.VERSION_CONFLICT', 'ACTION.NO_SUGGESTION', 'ACTION.NOT_CORRECTABLE'],
    },
  })
  acceptSuggestion(@Param('id') id: string, @Body() body: unknown, @IfMatchVersion() version: number, @Meta() meta: CommandMeta) {
    parse(emptyBody, body ?? undefined, 'body');
    return this.versionOnly(new AcceptSuggestedCorrectionCommand({ actionId: id }, { ...meta, expectedVersion: version }));
  }

  @Post(':id/suggestion/dismiss')
  @HttpCode(200)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Dismiss the correction ingestion suggested, with a reason; the action stays as it is',
    params: idParams,
    headers: [IF_MATCH, ...WRITE_HEADERS],
    body: reasonDoc,
    response: { description: 'Dismissed', body: actionChanged },
    problems: {
      400: ['ACTION.INVALID'],
      404: ['ACTION.UNKNOWN'],
      409: ['POLICY.VERSION_CONFLICT', 'ACTION.NO_SUGGESTION', 'ACTION.NOT_CORRECTABLE'],
    },
  })
  dismissSuggestion(@Param('id') id: string, @Body() body: unknown, @IfMatchVersion() version: number, @Meta() meta: CommandMeta) {
    const { reason } = parse(reasonBody, body, 'body');
    return this.versionOnly(new DismissSuggestedCorrectionCommand({ actionId: id, reason }, { ...meta, expectedVersion: version }));
  }

  @Post(':id/links')
  @HttpCode(201)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Link this action to another (responds_to, challenges, …)',
    params: idParams,
    headers: WRITE_HEADERS,
    body: linkBody,
    response: { description: 'Linked', body: actionChanged },
    problems: {
      400: ['ACTION.INVALID', 'ACTION.SELF_LINK'],
      404: ['ACTION.UNKNOWN'],
      409: ['POLICY.VERSION_CONFLICT', 'ACTION.NOT_CORRECTABLE', 'ACTION.DUPLICATE_LINK'],
      422: ['ACTION.UNKNOWN'],
    },
  })
  link(@Param('id') id: string, @Body() body: unknown, @Meta() meta: CommandMeta) {
    const { relation, targetId } = parse(linkBody, body, 'body');
    return this.versionOnly(new LinkActionsCommand({ actionId: id, relation, targetId }, meta));
  }

  @Post(':id/merge')
  @HttpCode(200)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Merge this action (a duplicate) into another, with a reason',
    description:
      'The duplicate ends `merged` with `mergedInto` and leaves the timelines; the survivor gains the sources, citations ' +
      'and links it lacked. Both must be open and of the same kind. If-Match is the duplicate\'s version; the answer is its new one.',
    params: idParams,
    headers: [IF_MATCH, ...WRITE_HEADERS],
    body: mergeDoc,
    response: { description: 'Merged', body: actionChanged },
    problems: {
      400: ['ACTION.INVALID', 'ACTION.SELF_MERGE'],
      404: ['ACTION.UNKNOWN'],
      409: ['POLICY.VERSION_CONFLICT', 'ACTION.NOT_MERGEABLE', 'ACTION.MERGE_KIND_MISMATCH'],
      422: ['ACTION.UNKNOWN'],
    },
  })
  merge(@Param('id') id: string, @Body() body: unknown, @IfMatchVersion() version: number, @Meta() meta: CommandMeta) {
    const { into, reason } = parse(mergeBody, body, 'body');
    return this.versionOnly(new MergeActionsCommand({ actionId: id, into, reason }, { ...meta, expectedVersion: version }));
  }

  @Post(':id/sources')
  @HttpCode(201)
  @RequiresRole('curator')
  @ApiContract({
    summary: 'Attach a source to an action',
    params: idParams,
    headers: WRITE_HEADERS,
    body: sourceBody,
    response: { description: 'Attached', body: actionChanged },
    problems: {
      400: ['ACTION.INVALID'],
      404: ['ACTION.UNKNOWN'],
      409: ['POLICY.VERSION_CONFLICT', 'ACTION.NOT_CORRECTABLE', 'ACTION.DUPLICATE_SOURCE'],
    },
  })
  attachSource(@Param('id') id: string, @Body() body: unknown, @Meta() meta: CommandMeta) {
    const { source } = parse(sourceBody, body, 'body');
    return this.versionOnly(new AttachSourceCommand({ actionId: id, source }, meta));
  }

  /** Runs a command on an existing action; the answer is where the action got to. */
  private async versionOnly(command: object): Promise<z.output<typeof actionChanged>> {
    const { version, position }: ActionCommandResult = await this.commands.execute(command);
    return { version, position };
  }
}
