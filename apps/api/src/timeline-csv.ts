import { pipeline, type Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { ExportedTimelineEntry } from '@app/policy';
import { defuse } from './export-formats';

// The columns of the first CSV export first, unchanged, so a sheet built on them still reads.
const COLUMNS = [
  'actionId', 'occurredOn', 'precision', 'kind', 'title', 'status', 'level', 'actingJurisdictionId',
  'inherited', 'via', 'sourceCount', 'relations', 'summary', 'sourceUrl', 'actingJurisdictionName', 'viaName',
] as const;

function record(e: ExportedTimelineEntry): unknown[] {
  const relations = e.relations.map((r) => `${r.relation}:${r.targetId}`).join(' ');
  return COLUMNS.map((c) => (c === 'relations' ? relations : e[c]));
}

/**
 * Every entry as RFC 4180 CSV (CRLF, quoted where needed), streamed: csv-stringify pulls rows
 * as the client reads, and the pipeline ends the iteration if the client goes away.
 */
export function timelineCsv(entries: AsyncIterable<ExportedTimelineEntry>): Readable {
  return csvStream(COLUMNS, entries, record);
}

/** Rows as CSV with a header, each cell defused; the source is iterated only as fast as the client reads. */
export function csvStream<T>(columns: readonly string[], rows: AsyncIterable<T>, toRecord: (row: T) => unknown[]): Readable {
  async function* records() {
    for await (const row of rows) yield toRecord(row).map(defuse);
  }
  const csv = stringify({ header: true, columns: [...columns], record_delimiter: 'windows' });
  return pipeline(records, csv, () => {
    // An error or an early close is the reply's to report; the source is closed either way.
  });
}
