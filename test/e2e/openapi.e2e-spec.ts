import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApiClient, type Schemas } from '@app/api-client';
import { CLIENT_SCHEMA_FILE, OPENAPI_FILE, OPENAPI_TYPESCRIPT_ARGS, apiOpenApiDocument } from '../../apps/api/src/openapi';
import { serializeOpenApiDocument } from '../../apps/api/src/openapi-document';
import { J, SOURCE, startApi, type ApiHarness } from '../support/api-harness';
import { checkReplyAgainstContract, checkedFetch } from '../support/openapi-check';

// The contract: docs/openapi.json is what the code generates (the controllers' zod schemas),
// the typed client is what the document generates, and the client works against the API.

interface Media {
  schema?: unknown;
}
interface Operation {
  parameters?: { name: string; in: string; schema?: unknown }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
  security: unknown;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

const ROOT = join(__dirname, '..', '..');
const committed = readFileSync(join(ROOT, OPENAPI_FILE), 'utf8');
const document = JSON.parse(committed) as Document;
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
);

describe('docs/openapi.json', () => {
  it('is what the code generates (else run npm run openapi)', () => {
    const generated = serializeOpenApiDocument(apiOpenApiDocument());
    if (generated !== committed) {
      throw new Error(`${OPENAPI_FILE} differs from what the controllers' contracts generate: run npm run openapi`);
    }
  });

  it(`has a current generated client in ${CLIENT_SCHEMA_FILE} (else run npm run openapi)`, async () => {
    const cli = join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');
    await promisify(execFile)(process.execPath, [cli, ...OPENAPI_TYPESCRIPT_ARGS, '--check'], { cwd: ROOT, timeout: 60_000 }).catch(
      (err: { stdout?: string; stderr?: string }) => {
        throw new Error(`${CLIENT_SCHEMA_FILE} is not what ${OPENAPI_FILE} generates: run npm run openapi\n${err.stdout ?? ''}${err.stderr ?? ''}`);
      },
    );
  });

  it('describes every parameter, request body and answer with a schema', () => {
    expect(operations.length).toBeGreaterThanOrEqual(19);
    // Each check names the operation, so a failure says where.
    for (const { path, method, operation } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      const parameters = operation.parameters ?? [];
      expect({ where, withoutSchema: parameters.filter((p) => !p.schema).map((p) => p.name) }).toEqual({ where, withoutSchema: [] });
      const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect({ where, pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name) }).toEqual({ where, pathParams });
      if (method === 'post' || method === 'patch') {
        expect({ where, body: !!operation.requestBody?.content['application/json']?.schema }).toEqual({ where, body: true });
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status === '204' || status === '304') continue; // no body, by definition
        const media = Object.values(response.content ?? {});
        expect({ where, status, described: media.length > 0 && media.every((m) => !!m.schema) }).toEqual({ where, status, described: true });
        if (Number(status) >= 400 && !(path === '/ready' && status === '503')) {
          const problem = response.content?.['application/problem+json']?.schema;
          expect({ where, status, problem }).toEqual({ where, status, problem: { $ref: '#/components/schemas/Problem' } });
        }
      }
    }
    expect(document.paths['/api/v1/actions'].post.requestBody?.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/NewAction' });
    const timeline = document.paths['/api/v1/jurisdictions/{id}/timeline'].get.responses['200'];
    expect(Object.keys(timeline.content ?? {})).toEqual([
      'application/json',
      'text/csv',
      'image/svg+xml',
      'application/x-ndjson',
      'text/calendar',
      'application/atom+xml',
    ]);
    const ledger = document.paths['/api/v1/actions/export'].get.responses['200'];
    expect(Object.keys(ledger.content ?? {})).toEqual(['application/x-ndjson', 'text/csv']);
  });

  it('names its main schemas and says the bearer token is an API key, with the role each operation needs', () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['ActionDetail', 'ActionHistory', 'TimelinePage', 'JurisdictionsPage', 'JurisdictionDetail', 'EventsPage', 'Problem', 'NewAction', 'Source']),
    );
    const scheme = document.components.securitySchemes.apiKey;
    expect(scheme).toEqual({ type: 'http', scheme: 'bearer', description: expect.stringContaining('API_READ_REQUIRES_KEY') });
    expect(document.paths['/api/v1/actions'].post.security).toEqual([{ apiKey: ['curator'] }]);
    expect(document.paths['/api/v1/keys'].get.security).toEqual([{ apiKey: ['admin'] }]);
    expect(document.paths['/api/v1/jurisdictions'].get.security).toEqual([{}, { apiKey: ['analyst'] }]);
    expect(document.paths['/health'].get.security).toEqual([]);
  });
});

describe('the API against its document', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('serves the committed document', async () => {
    const served = await api.get('/api/docs-json');
    expect(served.body).toEqual(document);
  });

  it('the e2e harness refuses an answer the document does not describe', () => {
    // The checker itself: each way a reply can stray from the document is caught.
    const json = { 'content-type': 'application/json; charset=utf-8' };
    const problem = { 'content-type': 'application/problem+json' };
    const check = (method: string, url: string, status: number, headers: Record<string, string>, body: unknown) => () =>
      checkReplyAgainstContract(method, url, { status, headers, text: typeof body === 'string' ? body : JSON.stringify(body) });
    expect(check('GET', '/health', 200, json, { status: 'ok' })).not.toThrow();
    expect(check('GET', '/health', 200, json, { status: 'fine' })).toThrow(/does not match the schema/);
    expect(check('GET', '/health', 418, json, { status: 'ok' })).toThrow(/not 418/);
    expect(check('GET', '/health', 200, { 'content-type': 'text/plain' }, 'ok')).toThrow(/content type "text\/plain"/);
    const unknown = { type: 'https://x/y', title: 'Not found', status: 404, detail: 'no action x', code: 'ACTION.UNKNOWN', errors: [], instance: '/api/v1/actions/x' };
    expect(check('GET', '/api/v1/actions/x?y=1', 404, problem, unknown)).not.toThrow();
    expect(check('GET', '/api/v1/actions/x', 404, problem, { ...unknown, code: 'KEY.UNKNOWN' })).toThrow(/KEY.UNKNOWN is not one/);
    expect(check('GET', '/api/v1/actions/x', 404, problem, { ...unknown, errors: undefined })).toThrow(/does not match/);
    expect(check('GET', '/api/v1/nowhere', 404, problem, { ...unknown, code: 'ROUTE.NOT_FOUND' })).not.toThrow();
    expect(check('GET', '/api/v1/%ZZ', 400, problem, { ...unknown, status: 400, code: 'REQUEST.MALFORMED' })).not.toThrow();
    expect(check('GET', '/api/v1/nowhere', 404, problem, { ...unknown, code: undefined })).toThrow(/does not match/);
    expect(check('GET', '/api/v1/nowhere', 200, json, {})).toThrow(/no GET operation/);
    expect(check('DELETE', '/api/v1/keys/x', 204, {}, 'unexpected')).toThrow(/no body/);
  });
});

describe('the generated client', () => {
  let api: ApiHarness;
  let baseUrl: string;

  beforeAll(async () => {
    api = await startApi();
    await api.registerTree();
    await api.app.listen(0, '127.0.0.1');
    baseUrl = (await api.app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await api?.close();
  });

  /** The global fetch, with each answer also checked against the document. */

  it('records an action with a typed body and reads it on a timeline, over HTTP', async () => {
    const client = createApiClient(baseUrl, { apiKey: api.config.API_ADMIN_KEY, fetch: checkedFetch });
    const body: Schemas['NewAction'] = {
      id: 'client-typed-1',
      kind: 'public_statement',
      title: 'Mayor restates the city policy',
      summary: 'Written through the generated client.',
      occurredOn: { date: '2017-03', precision: 'month' },
      actingJurisdictionId: J.sanJose,
      affectedJurisdictionIds: [J.sanJose],
      sources: [SOURCE],
    };
    const created = await client.POST('/api/v1/actions', { body, params: { header: { 'Idempotency-Key': 'client-typed-1' } } });
    expect(created.response.status).toBe(201);
    expect(created.data).toEqual({ id: 'client-typed-1', version: 1, position: expect.any(Number) });

    const timeline = await client.GET('/api/v1/jurisdictions/{id}/timeline', {
      params: { path: { id: J.sanJose }, query: { inherited: 'false', limit: 10 } },
    });
    expect(timeline.error).toBeUndefined();
    const entries: Schemas['TimelineEntry'][] = timeline.data!.entries;
    expect(entries.map((e) => [e.actionId, e.occurredOn, e.precision, e.inherited])).toEqual([['client-typed-1', '2017-03', 'month', false]]);

    const missing = await client.GET('/api/v1/actions/{id}', { params: { path: { id: 'no-such-action' } } });
    expect(missing.response.status).toBe(404);
    // The error is the Problem of a 404: typed, down to its code.
    expect(missing.error?.code).toBe('ACTION.UNKNOWN');
  });
});
