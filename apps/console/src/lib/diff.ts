import { diffWords } from 'diff';

/** One field of two versions of an action, as it was and as it is. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields (of `fields`) whose values differ between two versions, in the order given. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>, fields: readonly string[]): FieldChange[] {
  return fields.filter((f) => !same(before[f], after[f])).map((field) => ({ field, before: before[field] ?? null, after: after[field] ?? null }));
}

/**
 * A value as a curator reads it: a partial date with its precision, a list one item a line,
 * an object as `key: value` pairs. Diffs compare these texts, so what is shown is what differs.
 */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map((v) => formatValue(v)).join('\n');
  const record = value as Record<string, unknown>;
  if (typeof record.date === 'string' && typeof record.precision === 'string' && Object.keys(record).length === 2) {
    return `${record.date} (${record.precision})`;
  }
  return Object.entries(record)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

/** A piece of a word diff: kept, added or removed text. */
export interface DiffPart {
  text: string;
  change: 'same' | 'added' | 'removed';
}

/** Word-by-word difference of two values as formatted for reading. */
export function wordDiff(before: unknown, after: unknown): DiffPart[] {
  return diffWords(formatValue(before), formatValue(after)).map((p) => ({
    text: p.value,
    change: p.added ? 'added' : p.removed ? 'removed' : 'same',
  }));
}

/** My edit replayed on top of a version someone else saved first. */
export interface Rebased<T> {
  /** Their version with my changed fields applied on top. */
  merged: T;
  /** Fields both of us changed, to different values: mine wins in `merged`, but the curator must look. */
  conflicts: string[];
}

/**
 * Three-way merge of an edit form. `base` is the version the form was loaded from, `mine` the
 * form as edited, `theirs` the version saved in between. Only the fields I changed are taken
 * from mine, so their changes to other fields stand; where we both changed a field, mine is
 * kept and the field is named, never overwritten in silence.
 */
export function rebase<T extends Record<string, unknown>>(base: T, mine: T, theirs: T, fields: readonly string[]): Rebased<T> {
  const mineChanged = changedFields(base, mine, fields).map((c) => c.field);
  const merged = { ...theirs } as Record<string, unknown>;
  for (const f of mineChanged) merged[f] = mine[f];
  const conflicts = mineChanged.filter((f) => !same(base[f], theirs[f]) && !same(mine[f], theirs[f]));
  return { merged: merged as T, conflicts };
}
