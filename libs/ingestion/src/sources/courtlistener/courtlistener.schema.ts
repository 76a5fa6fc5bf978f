import { z } from 'zod';

// CourtListener's REST API v4 (https://www.courtlistener.com/help/api/rest/) and its webhooks
// (https://www.courtlistener.com/help/api/webhooks/), from Free Law Project's courtlistener and
// courtlistener-api-client repositories. What a client must know:
// - Authentication is the header `Authorization: Token <token>`; the docket-entry endpoint is
//   open only to accounts Free Law Project has enabled for it.
// - Lists are cursor-paged: follow `next` (an absolute URL on www.courtlistener.com) until it is
//   null. `count` is a number in v3 but in v4 a URL to ask for the count (…&count=on), and it can
//   be null; it is never needed to page.
// - Dockets are found by `court` (an id: 'cand', 'ilnd') and `docket_number_core`, the docket
//   number without office or case type ('3:17-cv-00485' → '1700485'); several offices of one court
//   can share a core, so the full docket number is compared after.
// - In the API a docket entry's `docket` is the docket's URL; in a webhook it is the docket's id.
//   `entry_number` is null for minute entries; `description` can be ''; `date_filed` is a day,
//   `date_created`/`date_modified` are instants with an offset.
// - A webhook delivery is `{webhook: {event_type, version, date_created, deprecation_date},
//   payload}`; event_type 1 is a docket alert, whose payload.results are docket entries without
//   resource_uri and tags. Deliveries carry an Idempotency-Key header and are retried, so the
//   same entry may arrive more than once (the proposal's idempotency absorbs that).
// Objects are not strict: fields are added over time.

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const instant = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 instant');

export const courtListenerListSchema = z.object({
  count: z.union([z.number().int().nonnegative(), z.string(), z.null()]).optional(),
  next: z.string().nullish(),
  previous: z.string().nullish(),
  // Items stay unknown here so that one malformed entry is parked on its own.
  results: z.array(z.unknown()),
});

export const courtListenerDocketSchema = z.object({
  id: z.number().int().positive(),
  court_id: z.string().optional(),
  case_name: z.string().nullish(),
  docket_number: z.string().nullish(),
  docket_number_core: z.string().nullish(),
  /** '/docket/4336466/city-and-county-of-san-francisco-v-trump/' */
  absolute_url: z.string().nullish(),
  assigned_to_str: z.string().nullish(),
  date_filed: isoDay.nullish(),
});

export const recapDocumentSchema = z.object({
  id: z.number().int().optional(),
  document_number: z.union([z.string(), z.number()]).nullish(),
  attachment_number: z.number().nullish(),
  description: z.string().nullish(),
  absolute_url: z.string().nullish(),
});

export const courtListenerDocketEntrySchema = z.object({
  id: z.number().int().positive(),
  /** The docket's URL (API) or id (webhook). */
  docket: z.union([z.string(), z.number().int()]),
  entry_number: z.number().int().nullish(),
  description: z.string().nullish().transform((value) => value?.trim() ?? ''),
  date_filed: isoDay.nullable(),
  date_created: instant.optional(),
  date_modified: instant.optional(),
  recap_documents: z.array(recapDocumentSchema).optional().default([]),
});

export const DOCKET_ALERT = 1;

export const courtListenerWebhookSchema = z.object({
  webhook: z.object({
    event_type: z.number().int(),
    version: z.number().int(),
    date_created: z.string(),
    deprecation_date: z.string().nullable(),
  }),
  payload: z.object({ results: z.array(z.unknown()) }).loose(),
});

export type CourtListenerDocket = z.output<typeof courtListenerDocketSchema>;
export type CourtListenerDocketEntry = z.output<typeof courtListenerDocketEntrySchema>;
export type CourtListenerWebhook = z.output<typeof courtListenerWebhookSchema>;
