import { z } from 'zod';

// The Legistar Web API (https://webapi.legistar.com/Help, examples at /Home/Examples), which
// Granicus serves for city and county clerks: GET /v1/{client}/matters answers a bare JSON array.
// What it does that a client must know:
// - OData v3 query options: $filter (datetime literals written datetime'2017-07-06T15:20:38.03'),
//   $orderby, $top, $skip. An answer holds at most 1000 rows, and asking $top above 1000 does not
//   give more (one large $top has been seen to answer a handful), so pages are $top=1000 at most.
// - Times carry no zone. `MatterLastModifiedUtc` is UTC by its name and is only ever compared
//   with itself, so it is kept as the string served and sent back verbatim. The dates
//   (MatterIntroDate, MatterPassedDate, …) are the clerk's local calendar days at midnight
//   ("2017-06-28T00:00:00"): the day is the first ten characters, never shifted through a zone.
// - The same row can come back twice in one answer (a join on the server's side); rows are
//   deduplicated on MatterId.
// - MatterTypeName is each client's own wording: 'Ordinance', 'Ordinance (Ord)', 'Resolution',
//   'City Resolution', 'Resolution (Res)', 'Order', 'Appointment', …
// - Some clients need a token, sent as the `token` query parameter.
// Objects are not strict: rows carry many client-specific fields (MatterText1–5, MatterEXDate1–10…).

/** The most rows one answer holds. */
export const MAX_TOP = 1000;

const nullableText = z
  .string()
  .nullish()
  .transform((value) => value?.trim() || undefined);

/** "2017-06-28T00:00:00" → '2017-06-28', the local day as the clerk entered it. */
const localDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$/, 'must be a date-time without a zone, YYYY-MM-DDThh:mm:ss')
  .nullish()
  .transform((value) => value?.slice(0, 10));

export const legistarTimestampSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/, 'must be a time without a zone, YYYY-MM-DDThh:mm:ss[.fff]');

export const legistarMatterSchema = z.object({
  MatterId: z.number().int().positive(),
  MatterGuid: nullableText,
  MatterLastModifiedUtc: legistarTimestampSchema,
  /** The clerk's file number: 'O2017-6234', 'R2017-307', 'CB 118329'. */
  MatterFile: nullableText,
  MatterName: nullableText,
  MatterTitle: nullableText,
  MatterTypeName: nullableText,
  MatterStatusName: nullableText,
  MatterBodyName: nullableText,
  MatterIntroDate: localDay,
  MatterAgendaDate: localDay,
  MatterPassedDate: localDay,
  MatterEnactmentDate: localDay,
  MatterEnactmentNumber: nullableText,
  MatterRequester: nullableText,
});

/** An answer: a bare array, its rows left unknown so one malformed row is parked alone. */
export const legistarMattersSchema = z.array(z.unknown());

export type LegistarMatter = z.output<typeof legistarMatterSchema>;
