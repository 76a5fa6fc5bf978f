import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ADMIN_KEY, J, actionBody, startApi, type ApiHarness } from '../support/api-harness';
import { ROOT } from '../support/compiled-apps';

// Every operation of docs/openapi.json, sent valid and broken inputs drawn by fast-check: wrong
// types, boundary sizes, odd Unicode, NUL, huge numbers, bad encodings, missing, unknown and
// repeated parameters. The harness checks each answer against the document (a documented
// status, problem+json with a listed code); here: never a 5xx, and no 4xx appends an event.
// FUZZ_RUNS raises the number of inputs per operation (default 12, about half a minute).

interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string }[];
  body: boolean;
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const document = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown }>>;
};
// An endless stream has no answer to check; a run or a webhook would reach for the network.
const SKIPPED = [/\/events\/stream$/, /\/ingestion\/sources\/\{id\}\/runs$/, /\/webhooks\//];
const operations: Operation[] = Object.entries(document.paths).flatMap(([path, ops]) =>
  Object.entries(ops)
    .filter(() => !SKIPPED.some((r) => r.test(path)))
    .map(([method, op]) => ({ method: method.toUpperCase(), path, params: op.parameters ?? [], body: !!op.requestBody })),
);

let api: ApiHarness;
let actionId: string;

beforeAll(async () => {
  api = await startApi();
  await api.registerTree();
  actionId = (await api.createAction({ affectedJurisdictionIds: [J.us] })).id;
});
afterAll(() => api?.close());

/** Text a client might send: ordinary, empty, long, NUL, odd Unicode, numbers, lists, dates. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\uFFFF', '\uD800', '💥', 'null', 'true', '-1', '0', '1.5', '1e309', '9'.repeat(40)),
  fc.constantFrom('2017', '2017-13', '2017-02-30', '2017-03-27', '2017-03-27T00:00:00Z', 'federal,state', 'executive_order', 'published'),
  fc.integer().map(String),
  fc.double().map(String),
  fc.string({ minLength: 300, maxLength: 3000 }),
);

/** A path parameter: a real one, or anything, percent-encoded as a client would (or not). */
const pathValue = fc.oneof(
  fc.constantFrom(J.us, J.sanJose, 'ocd-division/country:us/state:zz', 'not-an-id'),
  fc.constant('ACTION'),
  text,
);

/** Percent-encoding as a client does; a lone surrogate, which has none, goes as the bad UTF-8 bytes a careless client sends. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '')) + '%ED%A0%80';
  }
}

const query = (op: Operation) =>
  fc
    .tuple(
      ...op.params.filter((p) => p.in === 'query').map((p) => fc.option(fc.tuple(fc.constant(p.name), text, fc.boolean()), { nil: undefined })),
      fc.option(fc.tuple(fc.constantFrom('unknown', 'limit', '__proto__'), text, fc.boolean()), { nil: undefined }),
    )
    .map((entries) =>
      entries
        .filter((e): e is [string, string, boolean] => !!e)
        // Sometimes the same parameter twice.
        .flatMap(([name, value, twice]) => (twice ? [[name, value], [name, value]] : [[name, value]]))
        .map(([name, value]) => `${encode(name)}=${encode(value)}`)
        .join('&'),
    );

const body = fc.oneof(
  fc.jsonValue(),
  fc.record({ title: text, reason: text, changes: fc.dictionary(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }),
  // A valid action with one field replaced by anything.
  fc.tuple(fc.constantFrom('title', 'kind', 'occurredOn', 'summary', 'actingJurisdictionId', 'sources', 'tags'), fc.jsonValue()).map(([field, value]) => ({
    ...actionBody(),
    [field]: value,
  })),
);

function fill(path: string, values: string[], raw: boolean): string {
  let i = 0;
  return path.replace(/\{[^}]+\}/g, () => {
    const value = values[i++] ?? '';
    const real = value === 'ACTION' ? actionId : value;
    return raw ? real.replace(/[?#]/g, '') : encode(real);
  });
}

describe('the API under fuzzed input', () => {
  it.each(operations.map((op) => [`${op.method} ${op.path}`, op] as const))('%s never answers 5xx, nor appends on a 4xx', async (_name, op) => {
    const pathParams = op.params.filter((p) => p.in === 'path');
    await fc.assert(
      fc.asyncProperty(
        fc.array(pathValue, { minLength: pathParams.length, maxLength: pathParams.length }),
        fc.boolean(),
        query(op),
        op.body ? fc.option(body, { nil: undefined, freq: 8 }) : fc.constant(undefined),
        fc.option(text, { nil: undefined }),
        async (values, raw, qs, payload, headerValue) => {
          const url = `${fill(op.path, values, raw && values.every((v) => !/[^\x21-\x7e]/.test(v)))}${qs ? `?${qs}` : ''}`;
          const headers: Record<string, string> = {};
          // Header values must be Latin-1 without controls to be sent at all.
          if (headerValue !== undefined && /^[\x20-\x7e]*$/.test(headerValue)) {
            headers['if-match'] = headerValue;
            headers['idempotency-key'] = headerValue;
          }
          const before = await api.eventCount();
          const res = await api.request(op.method, url, payload, { key: ADMIN_KEY, headers });
          expect({ url, status: res.status, text: res.text.slice(0, 300) }).toEqual({ url, status: expect.any(Number), text: expect.any(String) });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(await api.eventCount()).toBe(before);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261130) },
    );
  });
});
