import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_FILE, OPENAPI_TYPESCRIPT_ARGS, apiOpenApiDocument } from './openapi';
import { serializeOpenApiDocument } from './openapi-document';

// `npm run openapi`, from the repository root: docs/openapi.json from the controllers'
// contracts, then the typed client from the document.
const root = process.cwd();
writeFileSync(join(root, OPENAPI_FILE), serializeOpenApiDocument(apiOpenApiDocument()));
process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
execFileSync(process.execPath, [join(root, 'node_modules/openapi-typescript/bin/cli.js'), ...OPENAPI_TYPESCRIPT_ARGS], { cwd: root, stdio: 'inherit' });
