import type { ComparedJurisdiction, ComparisonRow } from '@app/policy';
import { stringify } from 'csv-stringify/sync';
import { defuse } from './export-formats';

const FIXED = ['actionId', 'occurredOn', 'precision', 'kind', 'title', 'level', 'actingJurisdictionId', 'shared'] as const;

/**
 * A comparison as RFC 4180 CSV: one row per action and a column per jurisdiction, headed by
 * its name (its id when two share a name), holding `own`, `inherited via <name>` or nothing.
 */
export function compareCsv(jurisdictions: readonly ComparedJurisdiction[], rows: readonly ComparisonRow[]): string {
  const names = jurisdictions.map((j) => j.name);
  const headings = jurisdictions.map((j) => (names.filter((n) => n === j.name).length > 1 ? j.id : j.name));
  const records = [[...FIXED, ...headings].map(defuse)];
  for (const r of rows) {
    const cells = jurisdictions.map((j) => {
      const c = r.columns.find((col) => col.jurisdictionId === j.id);
      if (!c) return '';
      return c.inherited ? `inherited via ${c.viaName ?? c.via}` : 'own';
    });
    records.push([...FIXED.map((f) => r[f]), ...cells].map(defuse));
  }
  return stringify(records, { record_delimiter: 'windows' });
}

/** `compare-santa_clara-new_york.csv`: the compared divisions' own names, safe in a header. */
export function compareFilename(jurisdictions: readonly ComparedJurisdiction[], extension: string): string {
  const slug = jurisdictions.map((j) => (j.id.split('/').pop() ?? '').split(':').pop()!.replace(/[^a-z0-9_-]/g, '')).join('-');
  return `compare-${slug}.${extension}`;
}
