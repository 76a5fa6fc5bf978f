import { SetMetadata } from '@nestjs/common';
import { z } from 'zod';

// What each route declares about itself for the OpenAPI document (openapi-document.ts builds
// it). A route's method, path, success status and role are read from its Nest decorators; the
// contract adds what those cannot say: the zod schemas of its parts and the problems it answers.

/** The statuses a problem+json answer can have (see problem-details.filter.ts). */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 428 | 429 | 503;

/** Problem codes by status. */
export type ProblemCodes = Partial<Record<ProblemStatus, readonly string[]>>;

export interface HeaderContract {
  name: string;
  /** The header's value; its description is the header's. */
  schema: z.ZodType;
  required?: boolean;
  /** What the API answers when the header is missing or unreadable. */
  problems?: ProblemCodes;
}

export interface ResponseContract {
  description: string;
  /** A JSON body. */
  body?: z.ZodType;
  /** Bodies by media type, for an answer that is not only JSON. */
  content?: Record<string, z.ZodType>;
  headers?: readonly HeaderContract[];
}

export interface OperationContract {
  summary: string;
  description?: string;
  /** Path parameters, named as in the route (`:id` → `id`). */
  params?: z.ZodObject;
  /** Query parameters: the schema the controller parses the query with, documented in its input form. */
  query?: z.ZodObject;
  headers?: readonly HeaderContract[];
  /** The JSON request body; optional when the schema accepts none. */
  body?: z.ZodType;
  /** The answer at the route's status (@HttpCode, else 201 for POST and 200 otherwise). */
  response: ResponseContract;
  /** Answers at other statuses that are not problems (readiness' 503). */
  otherResponses?: Record<number, ResponseContract>;
  /**
   * Problem codes beyond those the route implies: its role (401, 403), a body (400, 413, 415),
   * a query (400), path parameters (400 for a malformed URL) and its headers' own problems.
   */
  problems?: ProblemCodes;
}

export const CONTRACT_METADATA = 'openapi:contract';

/** Declares an operation's contract: the one place its parameters, body, answers and problems are described. */
export const ApiContract = (contract: OperationContract) => SetMetadata(CONTRACT_METADATA, contract);

// --- headers (as request-context.ts and app.ts read them) ---------------------------------------

const MESSAGE_ID = /^[\w.:-]{1,100}$/;

export const IF_MATCH: HeaderContract = {
  name: 'If-Match',
  required: true,
  schema: z
    .string()
    .regex(/^(W\/)?"?\d{1,9}"?$/)
    .meta({ description: 'The action version the change is based on: its ETag ("3"; W/"3" and 3 also do). A stale one is a 409 naming currentVersion.' }),
  problems: { 400: ['REQUEST.INVALID'], 428: ['REQUEST.PRECONDITION_REQUIRED'] },
};

export const IDEMPOTENCY_KEY: HeaderContract = {
  name: 'Idempotency-Key',
  schema: z
    .string()
    .regex(/^[!-~]{1,200}$/)
    .meta({ description: 'Retrying with the same key and body answers as the first request did and appends nothing; the same key with another body is a 422. Keys are kept per API key: another key sending the same one makes its own request.' }),
  problems: { 400: ['REQUEST.INVALID'], 422: ['EVENT_STORE.IDEMPOTENCY_KEY_REUSED'] },
};

export const X_REQUEST_ID: HeaderContract = {
  name: 'X-Request-Id',
  schema: z
    .string()
    .regex(MESSAGE_ID)
    .meta({ description: "Names the request: the causation id of the events it appends, and the reqId of its log lines (one that does not match is replaced by a generated id)." }),
};

export const X_CORRELATION_ID: HeaderContract = {
  name: 'X-Correlation-Id',
  schema: z
    .string()
    .regex(MESSAGE_ID)
    .meta({ description: "Ties several requests into one piece of work: the correlation id of the events appended (else the request's own id)." }),
  problems: { 400: ['REQUEST.INVALID'] },
};

/** The headers every write that appends events reads (the @Meta() parameter). */
export const WRITE_HEADERS = [IDEMPOTENCY_KEY, X_REQUEST_ID, X_CORRELATION_ID] as const;

export const ETAG: HeaderContract = {
  name: 'ETag',
  schema: z.string().meta({ description: 'The action version, quoted ("3"): send it back as If-Match.' }),
};

export const X_NEXT_CURSOR: HeaderContract = {
  name: 'X-Next-Cursor',
  schema: z.string().meta({ description: 'The `cursor` of the next page, when there is one (the CSV and SVG forms have no body field for it).' }),
};

// --- problem+json (problem-details.filter.ts, and app.ts for a malformed URL) ------------------

export const fieldErrorSchema = z
  .strictObject({
    path: z.string().meta({ description: "the field at fault, dotted as the client wrote it: 'sources.0.url', 'query.limit', 'header.if-match'" }),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

export const problemSchema = z
  .looseObject({
    type: z.string().meta({ description: 'a URI naming the kind of problem' }),
    title: z.string(),
    status: z.int().meta({ description: 'the HTTP status' }),
    detail: z.string(),
    code: z.string().meta({ description: "stable: 'ACTION.UNKNOWN', 'POLICY.VERSION_CONFLICT', … (each operation lists its own)" }),
    errors: z.array(fieldErrorSchema).meta({ description: 'the fields at fault; empty when the problem is not one of the request\'s fields' }),
    instance: z.string().meta({ description: 'the request URL' }),
    // What a domain error adds about itself (its details), as policy.errors.ts' callers set them.
    currentVersion: z.int().optional().meta({ description: 'POLICY.VERSION_CONFLICT: the version the action is at now' }),
    expectedVersion: z.union([z.int(), z.string()]).optional().meta({ description: 'POLICY.VERSION_CONFLICT: the version If-Match named' }),
    actionId: z.string().optional().meta({ description: 'the action the problem is about' }),
    id: z.string().optional().meta({ description: 'the jurisdiction the problem is about' }),
    parentId: z.string().optional().meta({ description: 'JURISDICTION.UNKNOWN, JURISDICTION.INVALID_PARENT: the parent named' }),
    missingJurisdictions: z.array(z.string()).optional().meta({ description: 'JURISDICTION.UNKNOWN in a body: the ids not registered' }),
    missingActions: z.array(z.string()).optional().meta({ description: 'ACTION.UNKNOWN in a body: the ids that do not exist' }),
    relation: z.string().optional().meta({ description: 'ACTION.DUPLICATE_LINK, ACTION.SELF_LINK: the relation' }),
    targetId: z.string().optional().meta({ description: 'ACTION.DUPLICATE_LINK, ACTION.SELF_LINK: the action linked to' }),
    url: z.string().optional().meta({ description: 'ACTION.DUPLICATE_SOURCE: the source already cited' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; a problem may carry more members about what it concerns.' });

export type Problem = z.output<typeof problemSchema>;
