import { Body, Controller, Get, HttpCode, Param, Post, Patch, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  AttachSourceCommand,
  CorrectActionCommand,
  DomainError,
  GetActionHistoryQuery,
  GetActionQuery,
  RELATION_TYPES,
  actionContentSchema,
  actionIdSchema,
  isDomainError,
  LinkActionsCommand,
  ProposeActionCommand,
  PublishActionCommand,
  RecordActionCommand,
  RejectActionCommand,
  RetractActionCommand,
  proposalSchema,
  relationSchema,
  sourceSchema,
  type ActionCommandResult,
  type ActionDetail,
  type CommandMeta,
} from '@app/policy';
import { RequiresRole } from './api-key.guard';
import { IfMatchVersion, Meta } from './request-context';
import { parse } from './validation';

// Request bodies. The domain validates again when it decides; these give the early 400s with
// paths as the client wrote them.
const createBody = actionContentSchema.extend({
  id: actionIdSchema.optional(),
  relations: z.array(relationSchema).max(100).optional(),
  /** Present for an ingested item awaiting review: the action is proposed, not published. */
  proposal: proposalSchema.optional(),
});
const correctBody = z.strictObject({ changes: z.record(z.string(), z.unknown()), reason: z.string('must be a string') });
const reasonBody = z.strictObject({ reason: z.string('must be a string') });
const emptyBody = z.strictObject({}).optional();
const linkBody = z.strictObject({
  relation: z.enum(RELATION_TYPES, { error: `must be one of ${RELATION_TYPES.join(', ')}` }),
  targetId: actionIdSchema,
});
const sourceBody = z.strictObject({ source: sourceSchema });

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
  ) {}

  @Post()
  @HttpCode(201)
  @RequiresRole('curator')
  @ApiOperation({ summary: 'Record a published action, or propose one (with `proposal`); honours Idempotency-Key' })
  async create(@Body() body: unknown, @Meta() meta: CommandMeta) {
    const { id, relations, proposal, ...content } = parse(createBody, body, 'body');
    const actionId = id ?? newActionId(meta);
    const data = { actionId, content, relations: relations ?? [] };
    const command = proposal ? new ProposeActionCommand({ ...data, proposal }, meta) : new RecordActionCommand(data, meta);
    const result: ActionCommandResult = await this.commands.execute(command).catch((err: unknown) => {
      throw asBodyPaths(err);
    });
    return { id: result.id, version: result.version, position: result.position };
  }

  @Get(':id')
  @ApiOperation({ summary: 'An action as it stands now (ETag = version)' })
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const action: ActionDetail = await this.queries.execute(new GetActionQuery(id));
    reply.header('etag', `"${action.version}"`);
    return action;
  }

  @Get(':id/history')
  @ApiOperation({ summary: "Every event of the action's stream, oldest first" })
  history(@Param('id') id: string) {
    return this.queries.execute(new GetActionHistoryQuery(id));
  }

  @Patch(':id')
  @RequiresRole('curator')
  @ApiOperation({ summary: 'Correct some fields, with a reason; needs If-Match' })
  async correct(@Param('id') id: string, @Body() body: unknown, @IfMatchVersion() version: number, @Meta() meta: CommandMeta) {
    const { changes, reason } = parse(correctBody, body, 'body');
    return this.versionOnly(new CorrectActionCommand({ actionId: id, changes, reason }, { ...meta, expectedVersion: version }));
  }

  @Post(':id/retraction')
  @HttpCode(200)
  @RequiresRole('curator')
  @ApiOperation({ summary: 'Retract an action, with a reason; needs If-Match' })
  retract(@Param('id') id: string, @Body() body: unknown, @IfMatchVersion() version: number, @Meta() meta: CommandMeta) {
    const { reason } = parse(reasonBody, body, 'body');
    return this.versionOnly(new RetractActionCommand({ actionId: id, reason }, { ...meta, expectedVersion: version }));
  }

  @Post(':id/publication')
  @HttpCode(200)
  @RequiresRole('curator')
  @ApiOperation({ summary: 'Publish a proposed action; needs If-Match' })
  publish(@Param('id') id: string, @Body() body: unknown, @IfMatchVersion() version: number, @Meta() meta: CommandMeta) {
    parse(emptyBody, body ?? undefined, 'body');
    return this.versionOnly(new PublishActionCommand({ actionId: id }, { ...meta, expectedVersion: version }));
  }

  @Post(':id/rejection')
  @HttpCode(200)
  @RequiresRole('curator')
  @ApiOperation({ summary: 'Reject a proposed action, with a reason; needs If-Match' })
  reject(@Param('id') id: string, @Body() body: unknown, @IfMatchVersion() version: number, @Meta() meta: CommandMeta) {
    const { reason } = parse(reasonBody, body, 'body');
    return this.versionOnly(new RejectActionCommand({ actionId: id, reason }, { ...meta, expectedVersion: version }));
  }

  @Post(':id/links')
  @HttpCode(201)
  @RequiresRole('curator')
  @ApiOperation({ summary: 'Link this action to another (responds_to, challenges, …)' })
  link(@Param('id') id: string, @Body() body: unknown, @Meta() meta: CommandMeta) {
    const { relation, targetId } = parse(linkBody, body, 'body');
    return this.versionOnly(new LinkActionsCommand({ actionId: id, relation, targetId }, meta));
  }

  @Post(':id/sources')
  @HttpCode(201)
  @RequiresRole('curator')
  @ApiOperation({ summary: 'Attach a source to an action' })
  attachSource(@Param('id') id: string, @Body() body: unknown, @Meta() meta: CommandMeta) {
    const { source } = parse(sourceBody, body, 'body');
    return this.versionOnly(new AttachSourceCommand({ actionId: id, source }, meta));
  }

  /** Runs a command on an existing action; the answer is where the action got to. */
  private async versionOnly(command: object) {
    const { version, position }: ActionCommandResult = await this.commands.execute(command);
    return { version, position };
  }
}
