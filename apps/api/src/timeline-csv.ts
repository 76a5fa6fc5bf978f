import type { TimelineEntry } from '@app/policy';

const COLUMNS = [
  'actionId', 'occurredOn', 'precision', 'kind', 'title', 'status', 'level', 'actingJurisdictionId',
  'inherited', 'via', 'sourceCount', 'relations',
] as const;

/** RFC 4180 quoting; a leading =, +, - or @ is defused so spreadsheets do not run it as a formula. */
export function cell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function timelineCsv(entries: TimelineEntry[]): string {
  const lines = [COLUMNS.join(',')];
  for (const e of entries) {
    const relations = e.relations.map((r) => `${r.relation}:${r.targetId}`).join(' ');
    lines.push(COLUMNS.map((c) => cell(c === 'relations' ? relations : e[c])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
