import type { Readable } from 'node:stream';
import type { ActionSummary } from '@app/policy';
import { csvStream } from './timeline-csv';

// The fields a sheet sorts and filters on; lists are joined with spaces, the rest of an action
// (actors, amounts, citations, proposal) is the NDJSON form's.
const COLUMNS = [
  'id', 'status', 'kind', 'title', 'summary', 'occurredOn', 'precision', 'actingJurisdictionId', 'affectedJurisdictionIds',
  'sourceUrl', 'sourceCount', 'tags', 'relations', 'statusReason', 'mergedInto', 'version', 'recordedAt', 'updatedAt',
] as const;

function record(a: ActionSummary): unknown[] {
  const values: Record<(typeof COLUMNS)[number], unknown> = {
    id: a.id,
    status: a.status,
    kind: a.kind,
    title: a.title,
    summary: a.summary,
    occurredOn: a.occurredOn.date,
    precision: a.occurredOn.precision,
    actingJurisdictionId: a.actingJurisdictionId,
    affectedJurisdictionIds: a.affectedJurisdictionIds.join(' '),
    sourceUrl: a.sources[0]?.url,
    sourceCount: a.sources.length,
    tags: a.tags.join(' '),
    relations: a.relations.map((r) => `${r.relation}:${r.targetId}`).join(' '),
    statusReason: a.statusReason,
    mergedInto: a.mergedInto,
    version: a.version,
    recordedAt: a.recordedAt,
    updatedAt: a.updatedAt,
  };
  return COLUMNS.map((c) => values[c]);
}

/** Every action as a CSV row, streamed (formulas defused as in the timeline's CSV). */
export function actionsCsv(rows: AsyncIterable<ActionSummary>): Readable {
  return csvStream(COLUMNS, rows, record);
}
