import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

// Every reply the e2e harness receives is checked against the committed docs/openapi.json:
// the operation must list its status and content type, and the body must match the schema
// (the drift test keeps that file equal to what the code generates). Validators are compiled
// once per schema and test file, on first use.

const ROOT = join(__dirname, '..', '..');
const DOCUMENT_ID = 'https://policy-ledger.dev/openapi.json';

interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
  'x-problem-codes'?: string[];
}
interface Operation {
  responses: Record<string, ResponseObject>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

export interface CheckedReply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
}

let loaded: { document: Document; ajv: Ajv2020; templates: { template: string; segments: string[] }[] } | undefined;
const validators = new Map<string, ValidateFunction>();

function contract() {
  if (loaded) return loaded;
  const document = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8')) as Document;
  // Strict, so a keyword ajv does not know is an error; a type list (['integer', 'string']) is plain 2020-12.
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  // The document is registered whole, so each schema is found by its JSON pointer and its
  // $refs (#/components/schemas/…) resolve inside it; its OpenAPI members are not schema keywords.
  for (const keyword of ['openapi', 'info', 'paths', 'components']) ajv.addKeyword(keyword);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  // Fewer parameters first, so a fixed segment wins over a {param} that would also match.
  const templates = Object.keys(document.paths)
    .map((template) => ({ template, segments: template.split('/') }))
    .sort((a, b) => params(a.segments) - params(b.segments));
  loaded = { document, ajv, templates };
  return loaded;
}

const params = (segments: string[]) => segments.filter((s) => s.startsWith('{')).length;
const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function validator(path: string): ValidateFunction {
  let validate = validators.get(path);
  if (!validate) {
    validate = contract().ajv.compile({ $ref: `${DOCUMENT_ID}#/${path}` });
    validators.set(path, validate);
  }
  return validate;
}

function findTemplate(path: string): string | undefined {
  const segments = path.split('/');
  return contract().templates.find(
    (t) => t.segments.length === segments.length && t.segments.every((s, i) => s.startsWith('{') ? segments[i] !== '' : s === segments[i]),
  )?.template;
}

/**
 * Throws unless the reply is one the document describes for this request. A request the
 * document has no operation for may only be answered by a problem: 404 ROUTE.NOT_FOUND (Nest's
 * unknown route) or 400 REQUEST.MALFORMED (a URL Fastify cannot decode, refused before
 * routing). The document's own pages (/api/docs…) and bull-board (/admin/queues…) are outside
 * the API it describes.
 */
export function checkReplyAgainstContract(method: string, url: string, reply: CheckedReply): void {
  const { document } = contract();
  const path = url.split('?')[0];
  const template = findTemplate(path);
  const operation = template ? document.paths[template][method.toLowerCase()] : undefined;
  const fail = (why: string, details = ''): never => {
    throw new Error(`${method} ${url} → ${reply.status}: ${why}${details ? `\n${details}` : ''}\nbody: ${reply.text.slice(0, 2000)}`);
  };
  let response: ResponseObject;
  let schemaPath: (type: string) => string;
  if (operation && template) {
    const listed = operation.responses[String(reply.status)];
    if (!listed) fail(`the document lists ${Object.keys(operation.responses).join(', ')} for ${method.toUpperCase()} ${template}, not ${reply.status}`);
    response = listed;
    schemaPath = (type) => pointer('paths', template, method.toLowerCase(), 'responses', String(reply.status), 'content', type, 'schema');
  } else if (path === '/api/docs' || path.startsWith('/api/docs/') || path.startsWith('/api/docs-')) {
    return;
  } else if (path === '/admin/queues' || path.startsWith('/admin/queues/')) {
    // bull-board's pages and the calls they make are its own, not the API's.
    return;
  } else if (reply.status === 404 || reply.status === 405 || reply.status === 400) {
    const code = { 404: 'ROUTE.NOT_FOUND', 405: 'ROUTE.METHOD_NOT_ALLOWED' }[reply.status as 404 | 405] ?? 'REQUEST.MALFORMED';
    response = { content: { 'application/problem+json': {} }, 'x-problem-codes': [code] };
    schemaPath = () => pointer('components', 'schemas', 'Problem');
  } else {
    return fail(`the document has no ${method.toUpperCase()} operation for this path`);
  }

  const type = String(reply.headers['content-type'] ?? '').split(';')[0].trim();
  if (!response.content) {
    if (reply.text !== '') fail('the document describes no body for this answer');
    return;
  }
  if (!response.content[type]) fail(`content type "${type}" is not one the document lists (${Object.keys(response.content).join(', ')})`);
  const json = type === 'application/json' || type.endsWith('+json');
  let body: unknown = reply.text;
  if (json) {
    try {
      body = JSON.parse(reply.text);
    } catch {
      fail(`the body is not ${type}`);
    }
  }
  const validate = validator(schemaPath(type));
  if (!validate(body)) fail('the body does not match the schema', JSON.stringify(validate.errors, null, 2));
  const codes = response['x-problem-codes'];
  const code = (body as { code?: unknown }).code;
  if (codes && !codes.includes(String(code))) fail(`problem code ${String(code)} is not one the document lists for ${reply.status} (${codes.join(', ')})`);
}

/** fetch against a listening API, the reply checked against the contract like the harness's. */
export async function checkedFetch(input: string | Request, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const response = await fetch(request);
  const url = new URL(request.url);
  // An event stream's body does not end: its status and content type are checked, not its text.
  const endless = response.ok && /^text\/event-stream\b/.test(response.headers.get('content-type') ?? '');
  checkReplyAgainstContract(request.method, url.pathname + url.search, {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    text: endless ? '' : await response.clone().text(),
  });
  return response;
}
