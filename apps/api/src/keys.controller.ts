import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { API_KEY_ROLES, createApiKey, listApiKeys, revokeApiKey, type Database } from '@app/db';
import { RequiresRole, type Caller } from './api-key.guard';
import { ApiContract } from './openapi-contract';
import { HttpProblem } from './problem';
import { DATABASE } from './tokens';
import { parse } from './validation';

const createBody = z
  .strictObject({
    role: z.enum(API_KEY_ROLES, { error: `must be one of ${API_KEY_ROLES.join(', ')}` }),
    name: z
      .string('must be a string')
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .optional()
      .meta({ description: 'what the key is for, to recognise it in the list' }),
    expiresAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 instant with a zone, like 2027-01-01T00:00:00Z' })
      .refine((v) => new Date(v).getTime() > Date.now(), 'must be in the future')
      .optional()
      .meta({ description: 'when the key stops working; never when absent' }),
  })
  .meta({ id: 'NewApiKey' });

const apiKeyCreated = z
  .strictObject({
    id: z.uuid(),
    key: z.string().meta({ description: 'the key itself: shown here only, stored hashed' }),
    role: z.enum(API_KEY_ROLES),
    name: z.string().nullable(),
    expiresAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiKeyCreated' });

const apiKeySchema = z
  .strictObject({
    id: z.uuid(),
    name: z.string().nullable(),
    role: z.enum(API_KEY_ROLES),
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable().meta({ description: 'when it stops working; null for never' }),
    lastUsedAt: z.iso.datetime().nullable().meta({ description: 'when it last let a request in (to the minute); null for never' }),
  })
  .meta({ id: 'ApiKey' });

const apiKeyList = z.strictObject({ items: z.array(apiKeySchema) }).meta({ id: 'ApiKeyList' });

const currentApiKey = z
  .strictObject({
    id: z.string().meta({
      description: "the actor id its writes record: 'key:<id>' for a stored key (its id in /api/v1/keys after the prefix), 'env:API_ADMIN_KEY' for the variable's key",
    }),
    role: z.enum(API_KEY_ROLES),
    name: z.string().nullable().meta({ description: "what the key is for; null for an unnamed key, 'API_ADMIN_KEY' for the variable's key" }),
  })
  .meta({ id: 'CurrentApiKey' });

const idParams = z.strictObject({ id: z.string().meta({ description: 'the key id (not the key)' }) });

/**
 * API keys over HTTP, for admins: the same as `npm run cli -- keys …`, for when the CLI cannot
 * reach the database (the embedded default is open in the API process) or is not at hand. Any
 * key may ask who it is (`current`).
 */
@ApiTags('keys')
@Controller('api/v1/keys')
@RequiresRole('admin')
export class KeysController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  @Post()
  @HttpCode(201)
  @ApiContract({
    summary: 'Create an API key; the key is in this answer only (it is stored hashed)',
    body: createBody,
    response: { description: 'Created', body: apiKeyCreated },
  })
  async create(@Body() body: unknown): Promise<z.output<typeof apiKeyCreated>> {
    const { role, name, expiresAt } = parse(createBody, body, 'body');
    const expires = expiresAt ? new Date(expiresAt) : null;
    const { id, key } = await createApiKey(this.db, { role, name, expiresAt: expires });
    return { id, key, role, name: name ?? null, expiresAt: expires?.toISOString() ?? null };
  }

  @Get()
  @ApiContract({
    summary: 'List API keys, revoked ones included (never the keys themselves)',
    response: { description: 'Every key, oldest first', body: apiKeyList },
  })
  async list() {
    return { items: await listApiKeys(this.db) };
  }

  // The handler's role overrides the class's (the guard reads the handler first), and a role
  // makes the key required even when reads are open: there is no "who" without one.
  @Get('current')
  @RequiresRole('analyst')
  @ApiContract({
    summary: 'The key this request sent: its id, role and name (any valid key)',
    response: { description: 'The key', body: currentApiKey },
  })
  current(@Req() request: FastifyRequest & { caller?: Caller }): z.output<typeof currentApiKey> {
    const { id, role, name } = request.caller!;
    return { id, role, name };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiContract({
    summary: 'Revoke an API key: it stops working at once',
    params: idParams,
    response: { description: 'Revoked' },
    problems: { 404: ['KEY.UNKNOWN'] },
  })
  async revoke(@Param('id') id: string): Promise<void> {
    const uuid = z.uuid().safeParse(id);
    if (!uuid.success || !(await revokeApiKey(this.db, id))) {
      throw new HttpProblem(404, 'KEY.UNKNOWN', 'Not found', `no live API key with id ${id}`);
    }
  }
}
