import { Readable } from 'node:stream';
import ical, { foldLines } from 'ical-generator';
import type { ExportedTimelineEntry, TimelineExport } from '@app/policy';

/** The domain in every UID: `<actionId>@policy-ledger.dev`, the same in every export and on every server. */
export const UID_DOMAIN = 'policy-ledger.dev';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * An action's date as an all-day span: a day is itself; a date known only to the month or the
 * year spans that whole month or year (DTEND is exclusive), so a calendar shows neither a day
 * nobody knows nor nothing at all; the summary says how much is known.
 */
export function allDaySpan(occurredOn: string, precision: ExportedTimelineEntry['precision']): { start: string; end: string; note: string } {
  const [y, m, d] = occurredOn.split('-').map(Number);
  const iso = (date: Date) => date.toISOString().slice(0, 10);
  if (precision === 'year') return { start: `${y}-01-01`, end: `${y + 1}-01-01`, note: `some time in ${y}; the day and month are not known` };
  if (precision === 'month') {
    return { start: iso(new Date(Date.UTC(y, m - 1, 1))), end: iso(new Date(Date.UTC(y, m, 1))), note: `some day in ${MONTHS[m - 1]} ${y}; the day is not known` };
  }
  return { start: occurredOn, end: iso(new Date(Date.UTC(y, m - 1, d + 1))), note: '' };
}

function event(e: ExportedTimelineEntry, actionUrl: (id: string) => string): string {
  const span = allDaySpan(e.occurredOn, e.precision);
  const acting = e.actingJurisdictionName ?? e.actingJurisdictionId;
  const description = [
    e.summary,
    '',
    `Kind: ${e.kind.replace(/_/g, ' ')}`,
    `Acting jurisdiction: ${acting}${e.inherited && e.via !== e.actingJurisdictionId ? ` (reaches this timeline through ${e.viaName ?? e.via})` : ''}`,
    `Date: ${e.occurredOn}${span.note ? ` (${span.note})` : ''}`,
    ...(e.sourceUrl ? [`Source: ${e.sourceUrl}`] : []),
    `In the ledger: ${actionUrl(e.actionId)}`,
  ].join('\n');
  // A calendar of one event is how the library writes (escapes) an event; folding is its too.
  const cal = ical();
  const ev = cal.createEvent({
    id: `${e.actionId}@${UID_DOMAIN}`,
    allDay: true,
    start: span.start,
    end: span.end,
    summary: span.note ? `${e.title} (${e.precision === 'month' ? 'month' : 'year'} known, not the day)` : e.title,
    description,
    url: actionUrl(e.actionId),
    categories: [{ name: e.kind }],
  });
  return foldLines(ev.toString().replace(/\r\n$/, '')) + '\r\n';
}

/**
 * The timeline as an iCalendar stream (RFC 5545): one all-day VEVENT per action, written a
 * batch of entries at a time as the client reads. `url` is the address it was asked at, so a
 * calendar that subscribes to it keeps the same filters.
 */
export function timelineIcs(timeline: TimelineExport, url: string, actionUrl: (id: string) => string): Readable {
  const cal = ical({
    name: `${timeline.jurisdictionName}: policy timeline`,
    description: `Policy actions on the timeline of ${timeline.jurisdictionName} (${timeline.jurisdictionId})`,
    prodId: { company: 'Policy Ledger', product: 'timeline', language: 'EN' },
    url,
    source: url,
    ttl: 60 * 60 * 6,
  });
  const empty = cal.toString();
  const footer = 'END:VCALENDAR';
  const header = foldLines(empty.slice(0, empty.lastIndexOf(footer)).replace(/\r\n$/, '')) + '\r\n';
  async function* text(): AsyncGenerator<string> {
    yield header;
    let chunk = '';
    for await (const e of timeline.entries) {
      chunk += event(e, actionUrl);
      if (chunk.length >= 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk + footer + '\r\n';
  }
  return Readable.from(text(), { objectMode: false });
}
