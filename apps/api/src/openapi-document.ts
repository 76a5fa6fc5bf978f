import { RequestMethod, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { DECORATORS, type OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { PublicRoute, RequiresRole, type Role } from './api-key.guard';
import {
  CONTRACT_METADATA,
  problemSchema,
  type OperationContract,
  type ProblemCodes,
  type ProblemStatus,
  type ResponseContract,
} from './openapi-contract';

// The OpenAPI 3.1 document, built from the controllers alone: each route's method, path, status
// and role from its Nest decorators, everything else from its @ApiContract, every schema
// generated from zod (z.toJSONSchema). Nothing here opens a database or starts Nest, so
// `npm run openapi` and the drift test build the very document the API serves.

type Json = Record<string, unknown>;
type Io = 'input' | 'output';

const SCHEMAS = '#/components/schemas/';
const SECURITY_SCHEME = 'apiKey';

const DESCRIPTION = [
  'Who did what, when, to which jurisdiction, and how we know: an append-only, event-sourced',
  'record of government policy actions and the timelines built from it.',
  '',
  'Errors are RFC 9457 `application/problem+json` (`Problem`): `{type, title, status, detail, code,',
  'errors: [{path, message}], instance}`, with a stable `code`; each operation lists the codes it',
  'can answer, by status (also as `x-problem-codes`). A rejected request appends nothing.',
  '',
  'Changes to an action send `If-Match` with the version they are based on (the `ETag` of',
  '`GET /api/v1/actions/{id}`); writes that append honour `Idempotency-Key`, and take',
  '`X-Request-Id` and `X-Correlation-Id` as the causation and correlation ids of their events.',
].join('\n');

const REASONS: Record<ProblemStatus, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Method = (typeof METHODS)[number];

interface Route {
  path: string;
  method: Method;
  operationId: string;
  tags: string[];
  status: number;
  /** The least role it needs; 'read' = none unless API_READ_REQUIRES_KEY. */
  access: Role | 'read' | 'public';
  contract: OperationContract;
}

// The guard's metadata keys, taken from its own decorators (a SetMetadata decorator carries its key).
const ROLE_KEY = RequiresRole('analyst').KEY;
const PUBLIC_KEY = PublicRoute().KEY;

/** Every route of these controllers, with its contract; a route without one is an error. */
function routesOf(controllers: readonly Type[]): Route[] {
  const reflector = new Reflector();
  const routes: Route[] = [];
  for (const controller of controllers) {
    const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
    const tags = (Reflect.getMetadata(DECORATORS.API_TAGS, controller) as string[] | undefined) ?? [];
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value;
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (requestMethod === undefined) continue;
      const method = RequestMethod[requestMethod].toLowerCase() as Method;
      const path = openApiPath(base, Reflect.getMetadata(PATH_METADATA, handler) as string);
      const where = `${controller.name}.${name} (${method.toUpperCase()} ${path})`;
      if (!METHODS.includes(method)) throw new Error(`${where}: ${method} is not documented`);
      const contract = Reflect.getMetadata(CONTRACT_METADATA, handler) as OperationContract | undefined;
      if (!contract) throw new Error(`${where} has no @ApiContract`);
      const pathNames = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = Object.keys(contract.params?.shape ?? {});
      if (pathNames.join() !== declared.join()) {
        throw new Error(`${where}: the contract's params (${declared.join(', ')}) differ from the path's (${pathNames.join(', ')})`);
      }
      const targets = [handler, controller];
      const role = reflector.getAllAndOverride<Role | undefined>(ROLE_KEY, targets);
      const open = reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets);
      routes.push({
        path,
        method,
        operationId: `${lowerFirst(controller.name.replace(/Controller$/, ''))}${upperFirst(name)}`,
        tags,
        status: (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === 'post' ? 201 : 200),
        access: open ? 'public' : (role ?? 'read'),
        contract,
      });
    }
  }
  return routes;
}

/** 'api/v1/actions' + ':id/history' → '/api/v1/actions/{id}/history'. */
function openApiPath(base: string, route: string): string {
  const segments = `${base}/${route}`.split('/').filter(Boolean);
  return `/${segments.map((s) => s.replace(/^:(\w+)$/, '{$1}')).join('/')}`;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// --- zod → JSON Schema ---------------------------------------------------------------------------

interface Converted {
  /** Named schemas (zod `.meta({ id })`), by id. */
  components: Record<string, Json>;
  /** Each root's JSON Schema: a $ref when the root is named, else inline. */
  roots: Map<z.ZodType, Json>;
}

/**
 * Converts the roots (the schemas operations use directly) in one pass, so that every schema
 * with a zod id, wherever it sits, becomes a $ref to components.schemas. `only` limits the named
 * schemas converted to those; without it every named schema is, leniently, to find which the
 * roots reach.
 */
function convert(io: Io, roots: readonly z.ZodType[], only?: ReadonlySet<string>, rename: (id: string) => string = (id) => id): Converted {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of z.globalRegistry._idmap) {
    if (!only || only.has(id)) registry.add(schema, { id });
  }
  const anonymous = new Map<z.ZodType, string>();
  for (const root of roots) {
    if (!registry.has(root) && !anonymous.has(root)) {
      const id = `__root${anonymous.size}`;
      anonymous.set(root, id);
      registry.add(root, { id });
    }
  }
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    uri: (id) => SCHEMAS + rename(id),
    // The lenient pass meets request-only schemas in output form (transforms): it only looks for refs.
    unrepresentable: only ? 'throw' : 'any',
    cycles: 'throw',
    reused: 'inline',
    // zod bounds every integer to JavaScript's safe range; a client needs no such limit spelled out.
    override: ({ jsonSchema }) => {
      if (jsonSchema.type !== 'integer') return;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  });
  if ('__shared' in schemas) throw new Error(`a named schema was left out of the ${io} conversion`);
  // A root is converted under a stand-in id; one nested inside another schema would be a $ref to it.
  const stray = [...refsIn(schemas, new Set())].filter((id) => id.startsWith('__root'));
  if (stray.length) throw new Error(`a schema an operation uses directly is also nested in another: give it an id (.meta({ id }))`);
  const clean = (json: Json): Json => {
    const { $schema: _s, $id: _i, ...rest } = json;
    return rest;
  };
  const components: Record<string, Json> = {};
  for (const [id, json] of Object.entries(schemas)) {
    if (!id.startsWith('__root')) components[rename(id)] = clean(json as Json);
  }
  const rootJson = new Map<z.ZodType, Json>();
  for (const root of roots) {
    const id = anonymous.get(root);
    rootJson.set(root, id ? clean(schemas[id] as Json) : { $ref: SCHEMAS + rename(registry.get(root)!.id) });
  }
  return { components, roots: rootJson };
}

function refsIn(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, into));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string' && v.startsWith(SCHEMAS)) into.add(v.slice(SCHEMAS.length));
      else refsIn(v, into);
    }
  }
  return into;
}

/** The named schemas the roots use, directly or through other named schemas. */
function reachable(converted: Converted): Set<string> {
  const seen = new Set<string>();
  const queue = [...refsIn([...converted.roots.values()], new Set())];
  while (queue.length) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...refsIn(converted.components[id], new Set()));
  }
  return seen;
}

/** Roots in one io, with the named schemas they reach and nothing else; unrepresentable parts are errors. */
function convertStrict(io: Io, roots: readonly z.ZodType[], rename?: (id: string) => string): Converted {
  return convert(io, roots, reachable(convert(io, roots)), rename);
}

// --- the document --------------------------------------------------------------------------------

function inputRoots(c: OperationContract): z.ZodType[] {
  return [c.params, c.query, c.body, ...(c.headers ?? []).map((h) => h.schema)].filter((s): s is z.ZodType => !!s);
}

function outputRoots(c: OperationContract): z.ZodType[] {
  return [c.response, ...Object.values(c.otherResponses ?? {})].flatMap((r) => [
    ...(r.body ? [r.body] : []),
    ...Object.values(r.content ?? {}),
    ...(r.headers ?? []).map((h) => h.schema),
  ]);
}

/** The problems a route answers: its contract's, and those its role, parts and headers imply. */
function problemsOf(route: Route): Map<ProblemStatus, { codes: Set<string>; note?: string }> {
  const problems = new Map<ProblemStatus, { codes: Set<string>; note?: string }>();
  const add = (codes: ProblemCodes, note?: string) => {
    for (const [key, list] of Object.entries(codes)) {
      const status = Number(key) as ProblemStatus;
      const entry = problems.get(status) ?? { codes: new Set<string>() };
      list!.forEach((code) => entry.codes.add(code));
      if (note) entry.note = note;
      problems.set(status, entry);
    }
  };
  const c = route.contract;
  if (route.access === 'read') {
    add({ 401: ['AUTH.UNAUTHORIZED'] }, 'only when the server sets API_READ_REQUIRES_KEY');
  } else if (route.access !== 'public') {
    add({ 401: ['AUTH.UNAUTHORIZED'], 403: ['AUTH.FORBIDDEN'] });
  }
  // Every request but the probes spends its key's (or address's) budget (abuse-limits.ts).
  if (route.access !== 'public') add({ 429: ['RATE.LIMITED'] }, `past the server's ${route.method === 'get' ? 'RATE_LIMIT_READS_PER_MINUTE' : 'RATE_LIMIT_WRITES_PER_MINUTE'}, per key or address`);
  // The database restarting or out of reach (problem-details.filter.ts); the probes answer for themselves.
  if (route.access !== 'public') add({ 503: ['DATABASE.UNAVAILABLE'] });
  // Fastify refuses a body that is not JSON, too large or of another media type before the controller.
  if (c.body) add({ 400: ['REQUEST.MALFORMED_JSON', 'REQUEST.MALFORMED', 'REQUEST.INVALID'], 413: ['REQUEST.TOO_LARGE'], 415: ['REQUEST.UNSUPPORTED_MEDIA_TYPE'] });
  // A NUL character anywhere in the URL or body, read or not (nul-text.guard.ts), and a bad query.
  add({ 400: ['REQUEST.INVALID'] });
  // A path with broken %-encoding (app.ts, frameworkErrors), or a NUL in it (nul-text.guard.ts).
  if (c.params) add({ 400: ['REQUEST.MALFORMED', 'REQUEST.INVALID'] });
  for (const header of c.headers ?? []) add(header.problems ?? {});
  add(c.problems ?? {});
  return problems;
}

function parametersOf(c: OperationContract, input: Converted): Json[] {
  const fromObject = (schema: z.ZodObject | undefined, where: 'path' | 'query'): Json[] => {
    if (!schema) return [];
    const json = input.roots.get(schema)!;
    const required = new Set((json.required as string[] | undefined) ?? []);
    return Object.entries(json.properties as Record<string, Json>).map(([name, property]) => {
      const { description, ...value } = property;
      return { name, in: where, ...(description ? { description } : {}), required: where === 'path' || required.has(name), schema: value };
    });
  };
  const headers = (c.headers ?? []).map((h) => {
    const { description, ...value } = input.roots.get(h.schema)!;
    return { name: h.name, in: 'header', ...(description ? { description } : {}), required: h.required ?? false, schema: value };
  });
  return [...fromObject(c.params, 'path'), ...fromObject(c.query, 'query'), ...headers];
}

function responseOf(r: ResponseContract, output: Converted): Json {
  const content: Record<string, z.ZodType> = { ...(r.body ? { 'application/json': r.body } : {}), ...r.content };
  const headers = Object.fromEntries(
    (r.headers ?? []).map((h) => {
      const { description, ...schema } = output.roots.get(h.schema)!;
      return [h.name, { ...(description ? { description } : {}), schema }];
    }),
  );
  return {
    description: r.description,
    ...(r.headers?.length ? { headers } : {}),
    ...(Object.keys(content).length
      ? { content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema: output.roots.get(schema) }])) }
      : {}),
  };
}

function accessNote(access: Route['access']): string {
  if (access === 'public') return 'Open to all, also when the server sets API_READ_REQUIRES_KEY (probes carry no key).';
  if (access === 'read') return 'Open to all unless the server sets API_READ_REQUIRES_KEY; then any API key (analyst or higher).';
  return `Needs an API key with the ${access} role${access === 'admin' ? '' : ' or higher'}.`;
}

function operationOf(route: Route, input: Converted, output: Converted): Json {
  const c = route.contract;
  const responses: Record<string, Json> = {
    [route.status]: responseOf(c.response, output),
    ...Object.fromEntries(Object.entries(c.otherResponses ?? {}).map(([status, r]) => [status, responseOf(r, output)])),
  };
  const problem = { 'application/problem+json': { schema: output.roots.get(problemSchema) } };
  for (const [status, { codes, note }] of problemsOf(route)) {
    const list = [...codes].sort();
    responses[status] = {
      description: `${REASONS[status]}${note ? ` (${note})` : ''}: ${list.map((code) => `\`${code}\``).join(', ')}`,
      content: problem,
      'x-problem-codes': list,
      ...(status === 429
        ? { headers: { 'Retry-After': { description: 'Seconds until the budget is refilled', schema: { type: 'integer', minimum: 0 } } } }
        : codes.has('DATABASE.UNAVAILABLE')
          ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying, when the database does not answer', schema: { type: 'integer', minimum: 0 } } } }
          : {}),
    };
  }
  const parameters = parametersOf(c, input);
  // Every read answers with an ETag and honours If-None-Match (app.ts, read-cache.ts); an
  // event stream has no end to tag.
  if (route.method === 'get' && !c.response.content?.['text/event-stream']) {
    const ok = responses[route.status] as { headers?: Record<string, Json> };
    ok.headers = { ETag: { description: 'Send it back as If-None-Match to get a 304 while the answer is unchanged', schema: { type: 'string' } }, ...ok.headers };
    responses[304] = { description: 'Not Modified: the If-None-Match tag is still current (no body)', headers: { ETag: { schema: { type: 'string' } } } };
    parameters.push({
      name: 'If-None-Match',
      in: 'header',
      description: "an ETag of an earlier answer: a 304 without a body while it is still current",
      required: false,
      schema: { type: 'string' },
    });
  }
  const security = route.access === 'public' ? [] : route.access === 'read' ? [{}, { [SECURITY_SCHEME]: ['analyst'] }] : [{ [SECURITY_SCHEME]: [route.access] }];
  return {
    operationId: route.operationId,
    tags: route.tags,
    summary: c.summary,
    description: [c.description, accessNote(route.access)].filter(Boolean).join('\n\n'),
    ...(parameters.length ? { parameters } : {}),
    ...(c.body
      ? {
          requestBody: {
            // A body schema that accepts nothing at all (`.optional()`) makes the body optional.
            required: !c.body.safeParse(undefined).success,
            content: { 'application/json': { schema: input.roots.get(c.body) } },
          },
        }
      : {}),
    responses: sortKeys(responses),
    security,
  };
}

/**
 * Components named in both forms with different JSON (a default makes a field optional on
 * input, required on output) keep their name for the output, what clients read, and become
 * `<name>Input` for the input.
 */
function splitInputOutput(inputRootsList: z.ZodType[], outputRootsList: z.ZodType[]) {
  const output = convertStrict('output', outputRootsList);
  let input = convertStrict('input', inputRootsList);
  const differ = new Set(
    Object.keys(input.components).filter(
      (id) => id in output.components && JSON.stringify(input.components[id]) !== JSON.stringify(output.components[id]),
    ),
  );
  if (differ.size) input = convertStrict('input', inputRootsList, (id) => (differ.has(id) ? `${id}Input` : id));
  return { input, output };
}

/** The OpenAPI 3.1 document of these controllers, the same on every run for the same code. */
export function buildOpenApiDocument(controllers: readonly Type[]): OpenAPIObject {
  const routes = routesOf(controllers);
  const { input, output } = splitInputOutput(
    routes.flatMap((r) => inputRoots(r.contract)),
    [problemSchema, ...routes.flatMap((r) => outputRoots(r.contract))],
  );
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    if (item[route.method]) throw new Error(`two routes for ${route.method.toUpperCase()} ${route.path}`);
    item[route.method] = operationOf(route, input, output);
  }
  const document = {
    openapi: '3.1.0',
    info: { title: 'Policy Ledger API', version: '1', description: DESCRIPTION },
    paths: sortKeys(
      Object.fromEntries(
        Object.entries(paths).map(([path, item]) => [path, Object.fromEntries(METHODS.filter((m) => item[m]).map((m) => [m, item[m]]))]),
      ),
    ),
    components: {
      schemas: sortKeys({ ...output.components, ...input.components }),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description: [
            'An API key, sent as `Authorization: Bearer <key>`: one made with `POST /api/v1/keys` or',
            '`npm run cli -- keys create --role <role>` (shown once, stored hashed), or the server\'s',
            'API_ADMIN_KEY. Roles rank analyst < curator < admin: reads need no key unless the server',
            'sets API_READ_REQUIRES_KEY (then any key), writes need curator, /api/v1/keys needs admin.',
            'Each operation\'s security names the least role it needs.',
          ].join(' '),
        },
      },
    },
  };
  return document as unknown as OpenAPIObject;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The document as docs/openapi.json holds it. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
