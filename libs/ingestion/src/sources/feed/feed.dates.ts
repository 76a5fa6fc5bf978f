// Feed dates, read as the publisher wrote them. The day an item happened is the publisher's own
// calendar day, so the date is taken from the text before any zone is applied: "Mon, 27 Mar 2017
// 21:30:00 -0400" happened on the 27th in New York although it is the 28th in UTC.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RFC 822 §5 as RFC 1123 amended it: optional day name, 1–2 digit day, 2- or 4-digit year, optional
// seconds, and a zone that is numeric or a name (UT, GMT, EST, EDT, …, military letters).
const RFC_822 = /^(?:[a-z]{3},?\s+)?(\d{1,2})\s+([a-z]{3})[a-z]*\.?\s+(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:[+-]\d{4}|[a-z]{1,5}))?)?$/i;

// RFC 3339 (Atom) and W3CDTF (dc:date), whose date comes first as YYYY-MM-DD.
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** An RFC 822 date (RSS pubDate) → 'YYYY-MM-DD' as written; undefined when it is not one. */
export function rfc822Day(text: string): string | undefined {
  const match = RFC_822.exec(text.trim());
  if (!match) return undefined;
  const month = MONTHS.indexOf(match[2].toLowerCase());
  if (month < 0) return undefined;
  // Two-digit years (RFC 822 allowed them; RFC 1123 did not, but old feeds still send them).
  const year = match[3].length === 2 ? (Number(match[3]) < 50 ? 2000 : 1900) + Number(match[3]) : Number(match[3]);
  return realDay(year, month + 1, Number(match[1]));
}

/** An RFC 3339 / W3CDTF date (Atom updated, published; dc:date) → 'YYYY-MM-DD' as written. */
export function rfc3339Day(text: string): string | undefined {
  const match = RFC_3339.exec(text.trim());
  return match ? realDay(Number(match[1]), Number(match[2]), Number(match[3])) : undefined;
}

function realDay(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}
