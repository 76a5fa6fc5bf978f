import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api';
import { useIntentKey } from '../queries';
import { fieldMessages } from '../lib/field-errors';
import { Dialog, Field, ProblemNotice } from './ui';

/**
 * Asks for a reason and sends it (reject, retract, dismiss a suggestion or a parked item): the
 * ledger keeps why, not only what. Sent again with the same reason (an answer lost), it has the
 * same Idempotency-Key and acts once (where the route takes one). `children`, when given, say
 * above the reason what the action will do.
 */
export function ReasonDialog({
  open,
  title,
  action,
  onClose,
  send,
  onDone,
  children,
}: {
  open: boolean;
  title: string;
  action: string;
  onClose(): void;
  send(reason: string, idempotencyKey: string): Promise<unknown>;
  onDone(): void;
  children?: ReactNode;
}) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      {children}
      <ReasonForm action={action} onClose={onClose} send={send} onDone={onDone} />
    </Dialog>
  );
}

function ReasonForm({ action, onClose, send, onDone }: { action: string; onClose(): void; send(reason: string, key: string): Promise<unknown>; onDone(): void }) {
  const [reason, setReason] = useState('');
  const key = useIntentKey([action, reason]);
  const mutation = useMutation({ mutationFn: () => send(reason, key), onSuccess: onDone });
  const messages = mutation.error instanceof ApiError ? fieldMessages(mutation.error.problem.errors, ['reason']) : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Field label="Reason" messages={messages.reason}>
        {(props) => <textarea {...props} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus />}
      </Field>
      <ProblemNotice error={mutation.error} messages={messages} />
      <div className="actions-bar">
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {action}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
