import { z } from 'zod';

// The Federal Register API's own format (https://www.federalregister.gov/developers/documentation/api/v1),
// as served by its source, usnationalarchives/federalregister-api-core. Objects are not strict:
// the API adds fields over time, and an unknown field must not park a good document.

/** The presidential document types we ask for, by the API's `presidential_document_type` identifier. */
export const PRESIDENTIAL_DOCUMENT_TYPES = ['executive_order', 'proclamation', 'memorandum'] as const;
export type PresidentialDocumentType = (typeof PRESIDENTIAL_DOCUMENT_TYPES)[number];

/**
 * The `subtype` field carries the presidential document type's display *name*, not the identifier
 * that `conditions[presidential_document_type][]` takes.
 */
export const SUBTYPE_NAMES: Record<string, PresidentialDocumentType> = {
  'Executive Order': 'executive_order',
  Proclamation: 'proclamation',
  Memorandum: 'memorandum',
};

/** The `fields[]` we request: without them the index returns a default set that lacks signing_date. */
export const FEDERAL_REGISTER_FIELDS = [
  'document_number', 'title', 'type', 'subtype', 'abstract', 'executive_order_number', 'signing_date',
  'publication_date', 'citation', 'html_url', 'pdf_url', 'agencies', 'president',
] as const;

/**
 * The API never serves a page past 50: a `page` above 50 (or below 1) silently becomes page 1,
 * and `total_pages` is reported as at most 50 even when `count` says there are more. A window of
 * dates holding more than 50 pages must be split, never paged further.
 */
export const MAX_PAGE = 50;

/** Elasticsearch's window: when page × per_page exceeds 10,000 the API also falls back to page 1. */
export const MAX_RESULT_WINDOW = 10_000;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const federalRegisterAgencySchema = z.object({
  // An agency name the API could not match to an agency comes with raw_name only.
  raw_name: z.string().optional(),
  name: z.string().optional(),
  id: z.number().optional(),
  slug: z.string().optional(),
  url: z.string().optional(),
  json_url: z.string().optional(),
  parent_id: z.number().nullish(),
});

export const federalRegisterDocumentSchema = z.object({
  document_number: z.string().trim().min(1),
  title: z.string().trim().min(1),
  /** 'Presidential Document' for everything we request (conditions[type][]=PRESDOCU). */
  type: z.string(),
  /** 'Executive Order', 'Proclamation', 'Memorandum', …; null on documents of no presidential type. */
  subtype: z.string().nullish(),
  /** Often null for presidential documents: the Office of the Federal Register writes few abstracts for them. */
  abstract: z.string().nullish(),
  /**
   * A number in most documents but a string in some seen in the wild (the API passes through
   * the stored `presidential_document_number`), and null when the document is not an executive
   * order. Read as its digits, so 13768 and "13768" are one order.
   */
  executive_order_number: z
    .union([z.number().int().positive(), z.string().trim().regex(/^\d+$/, 'must be digits')])
    .nullish()
    .transform((value) => (value === null || value === undefined ? undefined : String(Number(value)))),
  /** When the President signed it: the day it happened. Null on a few documents. */
  signing_date: isoDay.nullish(),
  /** When it appeared in the Federal Register, usually some days after signing. */
  publication_date: isoDay,
  /** '82 FR 8799'; null until the document has a start page. */
  citation: z.string().nullish(),
  html_url: z.url({ protocol: /^https?$/ }),
  pdf_url: z.string().nullish(),
  agencies: z.array(federalRegisterAgencySchema).optional(),
  /** Null when the API cannot tell who signed it. */
  president: z.object({ name: z.string(), identifier: z.string() }).nullish(),
});

/**
 * A page of `documents.json`. When nothing matches, `total_pages` and `results` are left out
 * (only `count` and `description` come back). `next_page_url` is absent on the last page.
 * Items stay unknown here so that one malformed document is parked on its own.
 */
export const federalRegisterPageSchema = z.object({
  count: z.number().int().nonnegative(),
  description: z.string().optional(),
  total_pages: z.number().int().nonnegative().optional(),
  next_page_url: z.string().nullish(),
  previous_page_url: z.string().nullish(),
  results: z.array(z.unknown()).optional(),
});

export type FederalRegisterDocument = z.output<typeof federalRegisterDocumentSchema>;
export type FederalRegisterPage = z.output<typeof federalRegisterPageSchema>;
