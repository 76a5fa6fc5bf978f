import { useEffect, useId, useRef, type ReactNode } from 'react';
import { ApiError } from '../api';
import type { FieldMessages } from '../lib/field-errors';
import { formatValue, wordDiff } from '../lib/diff';

/** A labelled control with the API's messages for it beneath, tied by aria-describedby. */
export function Field({
  label,
  messages,
  hint,
  children,
}: {
  label: string;
  messages?: string[];
  hint?: string;
  children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', messages?.length ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={messages?.length ? 'field field--invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(messages?.length ? { 'aria-invalid': true } : {}), 'aria-describedby': describedBy })}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {messages?.length ? (
        <ul id={`${id}-err`} className="field-errors">
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A problem (or any failure) as a curator reads it: what went wrong, and what is not at a field. */
export function ProblemNotice({ error, messages }: { error: unknown; messages?: FieldMessages }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : null;
  const loose = messages?.[''] ?? [];
  return (
    <div role="alert" className="notice notice--error">
      <strong>{problem ? problem.title : 'Something went wrong'}</strong>
      {problem ? `: ${problem.detail}` : error instanceof Error ? `: ${error.message}` : null}
      {problem?.code ? <code className="code">{problem.code}</code> : null}
      {loose.length > 0 && (
        <ul>
          {loose.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A modal dialog (the native element: focus trapped, Escape closes, the page behind inert). */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose(): void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} onCancel={onClose}>
      <h2 id={titleId}>{title}</h2>
      {open ? children : null}
    </dialog>
  );
}

/**
 * Before and after of one field, word by word: removed struck through, added underlined. Most
 * screen readers do not announce <ins> and <del>, so each says what it is in hidden text.
 */
function ValueDiff({ before, after }: { before: unknown; after: unknown }) {
  const parts = wordDiff(before, after);
  return (
    <span className="value-diff">
      {parts.map((p, i) =>
        p.change === 'added' ? (
          <ins key={i}>
            <span className="sr-only">[added: </span>
            {p.text}
            <span className="sr-only">]</span>
          </ins>
        ) : p.change === 'removed' ? (
          <del key={i}>
            <span className="sr-only">[removed: </span>
            {p.text}
            <span className="sr-only">]</span>
          </del>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </span>
  );
}

/** The tab's title names the page, so a history list, a tab bar and a screen reader can tell them apart. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Policy Ledger`;
  }, [title]);
}

/** A table of changed fields, each as a word diff. */
export function ChangesTable({ changes, caption }: { changes: { field: string; before: unknown; after: unknown }[]; caption?: string }) {
  if (changes.length === 0) return <p className="muted">No field changed.</p>;
  return (
    <table className="changes">
      {caption && <caption>{caption}</caption>}
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Change</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.field}>
            <th scope="row">{fieldLabel(c.field)}</th>
            <td>
              {formatValue(c.before) === '' ? <ins>{formatValue(c.after)}</ins> : <ValueDiff before={c.before} after={c.after} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const FIELD_LABELS: Record<string, string> = {
  kind: 'Kind',
  title: 'Title',
  summary: 'Summary',
  occurredOn: 'Date',
  actingJurisdictionId: 'Acting jurisdiction',
  affectedJurisdictionIds: 'Affected jurisdictions',
  actors: 'Actors',
  citations: 'Citations',
  amounts: 'Amounts',
  sources: 'Sources',
  tags: 'Tags',
  status: 'Status',
  statusReason: 'Status reason',
  relations: 'Links',
  mergedInto: 'Merged into',
  suggestion: 'Suggested correction',
  proposal: 'Proposal',
};
export const fieldLabel = (field: string) => FIELD_LABELS[field] ?? field;

export const KIND_LABELS: Record<string, string> = {
  executive_order: 'Executive order',
  agency_directive: 'Agency directive',
  grant_condition: 'Grant condition',
  agency_report: 'Agency report',
  legislation: 'Legislation',
  ordinance: 'Ordinance',
  resolution: 'Resolution',
  defiance_pledge: 'Defiance pledge',
  public_statement: 'Public statement',
  lawsuit_filing: 'Lawsuit filing',
  amicus_brief: 'Amicus brief',
  court_ruling: 'Court ruling',
  appeal: 'Appeal',
  funding_action: 'Funding action',
  other: 'Other',
};
export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? kind;

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge--${status}`}>{status}</span>;
}

/**
 * An OCD id as a short name: 'ocd-division/country:us/state:ca/place:san_jose' → 'San Jose, CA'.
 * The id is the truth (shown in the title attribute); this is for reading lists quickly.
 */
export function placeLabel(id: string): string {
  const parts = id.replace(/^ocd-division\//, '').split('/').map((p) => p.split(':'));
  const state = parts.find(([type]) => type === 'state')?.[1]?.toUpperCase();
  const [type, value] = parts.at(-1) ?? ['', id];
  const name = (value ?? '').replace(/[_~]/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
  if (type === 'country') return name === 'Us' ? 'United States' : name;
  if (type === 'state') return state ?? name;
  const suffix = type === 'county' ? ' County' : '';
  return state ? `${name}${suffix}, ${state}` : `${name}${suffix}`;
}

export function Place({ id }: { id: string }) {
  return <span title={id}>{placeLabel(id)}</span>;
}

export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">—</span>;
  const d = new Date(at);
  return <time dateTime={at}>{d.toISOString().replace('T', ' ').slice(0, 16)} UTC</time>;
}
