import type { Schemas } from '../api';
import type { FieldMessages } from '../lib/field-errors';
import { Field, KIND_LABELS } from './ui';

type Content = Schemas['ActionChanges'];
type Action = Schemas['ActionDetail'];

/** The fields a correction may change, in the order the form shows them. */
export const CONTENT_FIELDS = [
  'kind',
  'title',
  'summary',
  'occurredOn',
  'actingJurisdictionId',
  'affectedJurisdictionIds',
  'actors',
  'citations',
  'amounts',
  'sources',
  'tags',
] as const;

type Row = Record<string, string>;

/**
 * The edit form's state. Lists typed as text (tags, affected jurisdictions) stay text while
 * the curator types, and lists of records are rows of strings; `toContent` makes the API's
 * values of them, so diffs and the three-way merge compare what would be sent.
 */
export interface Draft {
  kind: string;
  title: string;
  summary: string;
  date: string;
  precision: 'day' | 'month' | 'year';
  actingJurisdictionId: string;
  affected: string;
  tags: string;
  actors: Row[];
  citations: Row[];
  amounts: Row[];
  sources: Row[];
}

const rows = (list: readonly object[] | undefined): Row[] =>
  (list ?? []).map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v === undefined || v === null ? '' : String(v)])));

/** Rows back to records: empty cells are absent (optional fields), numbers where the API wants them. */
const records = (list: Row[], numeric: string[] = []) =>
  list
    .map((row) =>
      Object.fromEntries(
        Object.entries(row)
          .filter(([, v]) => v.trim() !== '')
          .map(([k, v]) => [k, numeric.includes(k) && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v.trim()]),
      ),
    )
    .filter((r) => Object.keys(r).length > 0);

export function toDraft(a: Content | Action): Draft {
  return {
    kind: a.kind ?? 'other',
    title: a.title ?? '',
    summary: a.summary ?? '',
    date: a.occurredOn?.date ?? '',
    precision: a.occurredOn?.precision ?? 'day',
    actingJurisdictionId: a.actingJurisdictionId ?? '',
    affected: (a.affectedJurisdictionIds ?? []).join('\n'),
    tags: (a.tags ?? []).join(', '),
    actors: rows(a.actors),
    citations: rows(a.citations),
    amounts: rows(a.amounts),
    sources: rows(a.sources),
  };
}

export function toContent(d: Draft): Record<string, unknown> {
  const list = (text: string, separator: RegExp) =>
    text
      .split(separator)
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    kind: d.kind,
    title: d.title,
    summary: d.summary,
    occurredOn: { date: d.date, precision: d.precision },
    actingJurisdictionId: d.actingJurisdictionId.trim(),
    affectedJurisdictionIds: list(d.affected, /\n|,/),
    actors: records(d.actors),
    citations: records(d.citations),
    amounts: records(d.amounts, ['value']),
    sources: records(d.sources),
    tags: list(d.tags, /,/),
  };
}

/** The content fields of an action as the API holds them, for comparing with a draft. */
export const contentOf = (a: Action) => toContent(toDraft(a));

const ROW_COLUMNS: Record<'actors' | 'citations' | 'amounts' | 'sources', { key: string; label: string; options?: string[] }[]> = {
  actors: [
    { key: 'name', label: 'Name' },
    { key: 'office', label: 'Office' },
    { key: 'organisation', label: 'Organisation' },
  ],
  citations: [
    { key: 'kind', label: 'Kind', options: ['statute', 'federal_register', 'docket', 'other'] },
    { key: 'text', label: 'Text' },
    { key: 'court', label: 'Court' },
    { key: 'docketNumber', label: 'Docket number' },
  ],
  amounts: [
    { key: 'value', label: 'Value' },
    { key: 'currency', label: 'Currency' },
    { key: 'description', label: 'Description' },
  ],
  sources: [
    { key: 'url', label: 'URL' },
    { key: 'publisher', label: 'Publisher' },
    { key: 'title', label: 'Title' },
    { key: 'publishedOn', label: 'Published on' },
    { key: 'quote', label: 'Quote' },
  ],
};

/** Every field a message may be addressed to: each field, and each cell of each row. */
export function formFields(d: Draft): string[] {
  const cells = (Object.keys(ROW_COLUMNS) as (keyof typeof ROW_COLUMNS)[]).flatMap((list) =>
    d[list].flatMap((_, i) => ROW_COLUMNS[list].map((c) => `${list}.${i}.${c.key}`)),
  );
  return [...CONTENT_FIELDS, 'occurredOn.date', 'occurredOn.precision', 'reason', ...cells];
}

/** Every field of an action, with the API's messages at the field they are about. */
export function ActionForm({
  draft,
  onChange,
  messages,
  disabled,
  focusTitle,
}: {
  draft: Draft;
  onChange(d: Draft): void;
  messages: FieldMessages;
  disabled?: boolean;
  /** Opened to edit (`e` in the review queue): the cursor starts in the title. */
  focusTitle?: boolean;
}) {
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => onChange({ ...draft, [key]: value });
  return (
    <fieldset disabled={disabled} className="action-form">
      <legend>Fields</legend>
      <Field label="Title" messages={messages.title}>
        {(p) => <input {...p} value={draft.title} onChange={(e) => set('title', e.target.value)} autoFocus={focusTitle} />}
      </Field>
      <Field label="Summary" messages={messages.summary}>
        {(p) => <textarea {...p} rows={5} value={draft.summary} onChange={(e) => set('summary', e.target.value)} />}
      </Field>
      <div className="two-cols">
        <Field label="Kind" messages={messages.kind}>
          {(p) => (
            <select {...p} value={draft.kind} onChange={(e) => set('kind', e.target.value)}>
              {Object.entries(KIND_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Date" hint="YYYY-MM-DD, YYYY-MM or YYYY, as precise as it is known" messages={[...(messages['occurredOn.date'] ?? []), ...(messages.occurredOn ?? [])]}>
          {(p) => <input {...p} value={draft.date} onChange={(e) => set('date', e.target.value)} />}
        </Field>
        <Field label="Date precision" messages={messages['occurredOn.precision']}>
          {(p) => (
            <select {...p} value={draft.precision} onChange={(e) => set('precision', e.target.value as Draft['precision'])}>
              <option value="day">day</option>
              <option value="month">month</option>
              <option value="year">year</option>
            </select>
          )}
        </Field>
        <Field label="Acting jurisdiction (OCD id)" messages={messages.actingJurisdictionId}>
          {(p) => <input {...p} value={draft.actingJurisdictionId} onChange={(e) => set('actingJurisdictionId', e.target.value)} />}
        </Field>
      </div>
      <Field label="Affected jurisdictions (OCD ids, one a line)" messages={messages.affectedJurisdictionIds}>
        {(p) => <textarea {...p} rows={3} value={draft.affected} onChange={(e) => set('affected', e.target.value)} />}
      </Field>
      <Field label="Tags (comma-separated)" messages={messages.tags}>
        {(p) => <input {...p} value={draft.tags} onChange={(e) => set('tags', e.target.value)} />}
      </Field>
      {(Object.keys(ROW_COLUMNS) as (keyof typeof ROW_COLUMNS)[]).map((list) => (
        <RowsEditor key={list} name={list} rows={draft[list]} onChange={(next) => set(list, next)} messages={messages} />
      ))}
    </fieldset>
  );
}

function RowsEditor({ name, rows, onChange, messages }: { name: keyof typeof ROW_COLUMNS; rows: Row[]; onChange(rows: Row[]): void; messages: FieldMessages }) {
  const columns = ROW_COLUMNS[name];
  const title = name[0].toUpperCase() + name.slice(1);
  const setCell = (i: number, key: string, value: string) => onChange(rows.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  return (
    <div className="rows-editor">
      <h3 id={`rows-${name}`}>{title}</h3>
      {messages[name] && <ul className="field-errors">{messages[name].map((m) => <li key={m}>{m}</li>)}</ul>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="rows" aria-labelledby={`rows-${name}`}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.key} scope="col">
                    {c.label}
                  </th>
                ))}
                <th scope="col">
                  <span className="muted">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={i}>
                  {columns.map((c) => {
                    const cellMessages = messages[`${name}.${i}.${c.key}`];
                    const label = `${title} ${i + 1} ${c.label.toLowerCase()}`;
                    const errorId = `${name}-${i}-${c.key}-error`;
                    return (
                      <td key={c.key}>
                        {c.options ? (
                          <select aria-label={label} value={row[c.key] ?? ''} onChange={(e) => setCell(i, c.key, e.target.value)}>
                            <option value="">—</option>
                            {c.options.map((o) => (
                              <option key={o}>{o}</option>
                            ))}
                          </select>
                        ) : (
                          <input
                            aria-label={label}
                            aria-invalid={cellMessages ? true : undefined}
                            aria-describedby={cellMessages ? errorId : undefined}
                            value={row[c.key] ?? ''}
                            onChange={(e) => setCell(i, c.key, e.target.value)}
                          />
                        )}
                        {cellMessages && (
                          <span id={errorId} className="field-errors">
                            {cellMessages.join('; ')}
                          </span>
                        )}
                      </td>
                    );
                  })}
                  <td>
                    <button type="button" aria-label={`Remove ${title.toLowerCase()} ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                      ×
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <button type="button" onClick={() => onChange([...rows, {}])}>
        Add {name === 'amounts' ? 'an amount' : name.slice(0, -1)}
      </button>
    </div>
  );
}
