import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, unwrap, writeHeaders, type Schemas } from '../api';
import { fieldMessages } from '../lib/field-errors';
import { useDuplicates, useIntentKey, useTitleSearch } from '../queries';
import { Dialog, Field, ProblemNotice } from './ui';

/**
 * Merge a duplicate into the action that survives: chosen among the possible duplicates or
 * found by title. The duplicate ends as `merged`; its sources, citations and links move over.
 */
export function MergeDialog({
  open,
  duplicate,
  onClose,
  onDone,
}: {
  open: boolean;
  duplicate: Schemas['ActionSummary'];
  onClose(): void;
  onDone(survivorTitle: string): void;
}) {
  return (
    <Dialog title={`Merge “${duplicate.title}” into…`} open={open} onClose={onClose}>
      <MergeForm duplicate={duplicate} onClose={onClose} onDone={onDone} />
    </Dialog>
  );
}

function MergeForm({ duplicate, onClose, onDone }: { duplicate: Schemas['ActionSummary']; onClose(): void; onDone(title: string): void }) {
  const duplicates = useDuplicates(duplicate.id);
  const [q, setQ] = useState('');
  const found = useTitleSearch(q);
  const [into, setInto] = useState<{ id: string; title: string } | null>(null);
  const [reason, setReason] = useState('');
  const key = useIntentKey(['merge', duplicate.id, duplicate.version, into?.id, reason]);
  const merge = useMutation({
    mutationFn: () =>
      unwrap(
        api().POST('/api/v1/actions/{id}/merge', {
          params: { path: { id: duplicate.id }, header: writeHeaders(key, duplicate.version) },
          body: { into: into?.id ?? '', reason },
        }),
      ),
    onSuccess: () => onDone(into?.title ?? ''),
  });
  const messages = merge.error instanceof ApiError ? fieldMessages(merge.error.problem.errors, ['into', 'reason']) : {};
  const candidates = [
    ...(duplicates.data?.items.map((d) => ({ id: d.action.id, title: d.action.title, note: `${Math.round(d.similarity * 100)}% similar, ${d.action.occurredOn.date}` })) ?? []),
    ...(found.data?.items ?? [])
      .filter((a) => a.id !== duplicate.id && !duplicates.data?.items.some((d) => d.action.id === a.id))
      .map((a) => ({ id: a.id, title: a.title, note: a.occurredOn.date })),
  ];
  // A survivor that dropped out of the list (the search changed) is no longer chosen.
  const chosen = candidates.some((c) => c.id === into?.id) ? into : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (chosen) merge.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Field label="Find the surviving action by title">
        {(props) => <input {...props} type="search" value={q} onChange={(e) => setQ(e.target.value)} autoFocus />}
      </Field>
      <fieldset>
        <legend>Survivor</legend>
        {candidates.length === 0 && <p className="muted">No candidate yet: type part of a title.</p>}
        {candidates.map((c) => (
          <label key={c.id} className="choice">
            <input type="radio" name="into" value={c.id} checked={into?.id === c.id} onChange={() => setInto(c)} />
            {c.title} <span className="muted">({c.note})</span>
          </label>
        ))}
        {messages.into && <p className="field-errors">{messages.into.join('; ')}</p>}
      </fieldset>
      <Field label="Reason" messages={messages.reason}>
        {(props) => <textarea {...props} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <ProblemNotice error={merge.error} messages={messages} />
      <div className="actions-bar">
        <button type="submit" className="primary" disabled={!chosen || merge.isPending}>
          Merge
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
