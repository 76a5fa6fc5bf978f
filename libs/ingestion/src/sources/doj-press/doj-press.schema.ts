import { z } from 'zod';

// The Justice Department's news API (https://www.justice.gov/developer/api-documentation/api_v1),
// a Drupal site's JSON view. What it does that a client must know:
// - `page` is zero-based; `pagesize` defaults to 20 and is silently clamped to 50 (the answer is
//   still a 200), so a short page does not mean the end: `metadata.resultset.count` does.
// - `sort` takes a field (`date`, `created`, `changed`) and `direction` ASC or DESC.
// - `date`, `created` and `changed` are Unix epoch seconds, served as strings ("1490587200").
// - Drupal serialises an empty field as `[]` (or null), not as an absent key: `teaser`, `body`,
//   `component`, `topic` and `number` may each be an empty array.
// - A wrong path returns an HTML 404 page rather than JSON; no rate-limit headers are sent and the
//   documentation asks for at most 4 requests a second.
// Objects are not strict: the API adds fields (image, attachment, vuuid, langcode, …) over time.

/** The API never serves more than this per page, whatever `pagesize` asks. */
export const MAX_PAGE_SIZE = 50;

/** Epoch seconds, as a string of digits (what the API sends) or a number. */
export const epochSecondsSchema = z
  .union([z.string().trim().regex(/^\d+$/, 'must be epoch seconds'), z.number().int().nonnegative()])
  .transform(Number);

/** Drupal's empty field: `[]`, null or '' all mean "none". */
const drupalText = z
  .union([z.string(), z.null(), z.array(z.never()).length(0)])
  .optional()
  .transform((value) => (typeof value === 'string' && value.trim() ? value : undefined));

const termSchema = z.object({ uuid: z.string().optional(), name: z.string().trim().min(1) });
const drupalTerms = z
  .union([z.array(termSchema), z.null()])
  .optional()
  .transform((value) => value ?? []);

export const dojPressReleaseSchema = z.object({
  uuid: z.string().trim().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID'),
  title: z.string().trim().min(1),
  body: drupalText,
  teaser: drupalText,
  /** The release's page, absolute (https://www.justice.gov/opa/pr/…). */
  url: z.url({ protocol: /^https?$/ }),
  /** The release's own date (midnight Eastern of its day): when it was said. */
  date: epochSecondsSchema,
  created: epochSecondsSchema,
  /** Advances on every edit: the field the cursor follows. */
  changed: epochSecondsSchema,
  /** The Office of Public Affairs number, '17-334'; [] on releases of the U.S. Attorneys' offices. */
  number: drupalText,
  /** Who issued it: 'Office of the Attorney General', 'Civil Division', 'USAO - Northern District of Illinois'. */
  component: drupalTerms,
  topic: drupalTerms,
});

export const dojPressReleasePageSchema = z.object({
  metadata: z.object({
    responseInfo: z.object({ status: z.union([z.number(), z.string()]) }).partial().optional(),
    resultset: z.object({
      count: z.coerce.number().int().nonnegative(),
      pagesize: z.coerce.number().int().nonnegative().optional(),
      page: z.coerce.number().int().nonnegative().optional(),
    }),
  }),
  // Items stay unknown here so that one malformed release is parked on its own.
  results: z.array(z.unknown()).nullish().transform((value) => value ?? []),
});

export type DojPressRelease = z.output<typeof dojPressReleaseSchema>;
export type DojPressReleasePage = z.output<typeof dojPressReleasePageSchema>;
