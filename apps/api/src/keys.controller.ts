import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { API_KEY_ROLES, createApiKey, listApiKeys, revokeApiKey } from '@app/db';
import { RequiresRole } from './api-key.guard';
import { HttpProblem } from './problem';
import { DATABASE } from './tokens';
import { parse } from './validation';

const createBody = z.strictObject({
  role: z.enum(API_KEY_ROLES, { error: `must be one of ${API_KEY_ROLES.join(', ')}` }),
  name: z.string('must be a string').trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
});

/**
 * API keys over HTTP, for admins: the same as `npm run cli -- keys …`, for when the CLI cannot
 * reach the database (the embedded default is open in the API process) or is not at hand.
 */
@ApiTags('keys')
@Controller('api/v1/keys')
@RequiresRole('admin')
export class KeysController {
  constructor(@Inject(DATABASE) private readonly db: Kysely<any>) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an API key; the key is in this answer only (it is stored hashed)' })
  async create(@Body() body: unknown) {
    const { role, name } = parse(createBody, body, 'body');
    const { id, key } = await createApiKey(this.db, { role, name });
    return { id, key, role, name: name ?? null };
  }

  @Get()
  @ApiOperation({ summary: 'List API keys, revoked ones included (never the keys themselves)' })
  async list() {
    return { items: await listApiKeys(this.db) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key: it stops working at once' })
  async revoke(@Param('id') id: string): Promise<void> {
    const uuid = z.uuid().safeParse(id);
    if (!uuid.success || !(await revokeApiKey(this.db, id))) {
      throw new HttpProblem(404, 'KEY.UNKNOWN', 'Not found', `no live API key with id ${id}`);
    }
  }
}
