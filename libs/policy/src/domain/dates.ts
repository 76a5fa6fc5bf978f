import { z } from 'zod';

/**
 * When something happened in the world (valid time), as precisely as we know it:
 * `{ date: '2017-03-27', precision: 'day' }`, `{ date: '2017-01', precision: 'month' }`,
 * `{ date: '2017', precision: 'year' }`. The shape of `date` must match the precision.
 */
export type DatePrecision = 'day' | 'month' | 'year';
export const DATE_PRECISIONS = ['day', 'month', 'year'] as const satisfies readonly DatePrecision[];

export interface PartialDate {
  date: string;
  precision: DatePrecision;
}

const SHAPES: Record<DatePrecision, RegExp> = {
  day: /^(\d{4})-(\d{2})-(\d{2})$/,
  month: /^(\d{4})-(\d{2})$/,
  year: /^(\d{4})$/,
};

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isRealDate(year: number, month = 1, day = 1): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** True for a real calendar day written 'YYYY-MM-DD' (rejects 2017-02-29, 2017-13-01). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = SHAPES.day.exec(value);
  return !!m && isRealDate(+m[1], +m[2], +m[3]);
}

export function isPartialDate(value: unknown): value is PartialDate {
  if (typeof value !== 'object' || value === null) return false;
  const { date, precision } = value as Partial<PartialDate>;
  if (typeof date !== 'string' || typeof precision !== 'string' || !(precision in SHAPES)) return false;
  const m = SHAPES[precision].exec(date);
  return !!m && isRealDate(+m[1], m[2] ? +m[2] : undefined, m[3] ? +m[3] : undefined);
}

/** Reads '2017', '2017-01' or '2017-01-25', inferring the precision; undefined when invalid. */
export function parsePartialDate(text: string): PartialDate | undefined {
  const precision = DATE_PRECISIONS.find((p) => SHAPES[p].test(text));
  const candidate = precision && { date: text, precision };
  return candidate && isPartialDate(candidate) ? candidate : undefined;
}

/** First day of the period as 'YYYY-MM-DD': the sortable key (month → 1st, year → 1 Jan). */
export function partialDateStart(value: PartialDate): string {
  return { day: value.date, month: `${value.date}-01`, year: `${value.date}-01-01` }[value.precision];
}

/** Last day of the period as 'YYYY-MM-DD' (for "could it have happened by X" questions). */
export function partialDateEnd(value: PartialDate): string {
  if (value.precision === 'day') return value.date;
  if (value.precision === 'year') return `${value.date}-12-31`;
  const [year, month] = value.date.split('-').map(Number);
  return `${value.date}-${String(daysInMonth(year, month)).padStart(2, '0')}`;
}

const PRECISION_LENGTH: Record<DatePrecision, number> = { day: 10, month: 7, year: 4 };

/** Inverse of `partialDateStart`: cuts a 'YYYY-MM-DD' back to the given precision. */
export function toPartialDate(startDate: string, precision: DatePrecision): PartialDate {
  if (!isCalendarDate(startDate)) throw new RangeError(`not a calendar date: ${startDate}`);
  return { date: atPrecision(startDate, precision), precision };
}

/**
 * The same cut without the check, for start days read back from the database (a `date`
 * column holds only calendar dates): a timeline page makes fifty of them.
 */
export function atPrecision(startDate: string, precision: DatePrecision): string {
  return startDate.slice(0, PRECISION_LENGTH[precision]);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

/** Human form: '27 March 2017', 'March 2017', '2017'. */
export function formatPartialDate(value: PartialDate): string {
  const [year, month, day] = value.date.split('-');
  if (value.precision === 'year') return year;
  const monthYear = `${MONTHS[+month - 1]} ${year}`;
  return value.precision === 'month' ? monthYear : `${+day} ${monthYear}`;
}

const PRECISION_ORDER: Record<DatePrecision, number> = { year: 0, month: 1, day: 2 };

/** Orders by start date; on a tie the coarser date first ('2017' before '2017-01-01'). */
export function comparePartialDates(a: PartialDate, b: PartialDate): number {
  const byStart = partialDateStart(a).localeCompare(partialDateStart(b));
  return byStart || PRECISION_ORDER[a.precision] - PRECISION_ORDER[b.precision];
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * Strict ISO 8601 instant for timestamps: date, 'T', time with seconds, optional fraction and a
 * mandatory zone ('Z' or ±HH:MM), e.g. '2017-03-27T14:05:00Z'. Rejects impossible dates and
 * zone-less times (which would silently mean the server's zone).
 */
export function isIsoInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_INSTANT.exec(value);
  return !!m && isRealDate(+m[1], +m[2], +m[3]);
}

export const isoInstantSchema = z
  .string()
  .refine(isIsoInstant, 'must be an ISO 8601 instant with a zone, like 2017-03-27T14:05:00Z');

export const partialDateSchema = z
  .strictObject({
    date: z.string(),
    precision: z.enum(DATE_PRECISIONS, { message: 'must be one of day, month, year' }),
  })
  .refine(isPartialDate, {
    message: 'must be a real date written YYYY-MM-DD, YYYY-MM or YYYY to match the precision',
    path: ['date'],
  });
