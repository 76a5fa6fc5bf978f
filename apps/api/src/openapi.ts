import type { OpenAPIObject } from '@nestjs/swagger';
import { parseConfig } from '@app/config';
import { ApiModule } from './app.module';
import { buildOpenApiDocument } from './openapi-document';

/** Where `npm run openapi` writes, relative to the repository root. */
export const OPENAPI_FILE = 'docs/openapi.json';
export const CLIENT_SCHEMA_FILE = 'libs/api-client/src/schema.ts';

/**
 * openapi-typescript's arguments for the client's types. Defaults do not make a field required:
 * a request may leave out `actors` (the API fills in []), and a response lists it as required anyway.
 */
export const OPENAPI_TYPESCRIPT_ARGS = [OPENAPI_FILE, '--output', CLIENT_SCHEMA_FILE, '--default-non-nullable=false'];

/**
 * The document of the API's controllers as ApiModule registers them. forRoot only describes
 * the module (nothing is connected, started or queried), so no database is needed: the
 * database handle it closes over is never used.
 */
export function apiOpenApiDocument(): OpenAPIObject {
  const { controllers = [] } = ApiModule.forRoot({
    config: parseConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent' }),
    db: null as never,
    databaseUrl: '',
  });
  return buildOpenApiDocument(controllers);
}
