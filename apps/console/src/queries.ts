import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { api, fetchAction, newKey, unwrap } from './api';

// Query keys: ['action', id, …] for one action (its detail, history, duplicates) and
// ['actions', …] for lists, so a live event for an action refreshes exactly those.

export const useAction = (id: string) => useQuery({ queryKey: ['action', id], queryFn: () => fetchAction(id) });

export const useHistory = (id: string) =>
  useQuery({
    queryKey: ['action', id, 'history'],
    queryFn: () => unwrap(api().GET('/api/v1/actions/{id}/history', { params: { path: { id } } })),
  });

export const useDuplicates = (id: string | undefined) =>
  useQuery({
    queryKey: ['action', id, 'duplicates'],
    enabled: !!id,
    queryFn: () => unwrap(api().GET('/api/v1/actions/{id}/duplicates', { params: { path: { id: id! } } })),
  });

/** The value once it has stopped changing for `ms`: a search asked for when the typing pauses. */
function useDebounced<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Actions whose title holds the text: what a curator links or merges to. */
export function useTitleSearch(text: string, status: ('published' | 'proposed')[] = ['published']) {
  const q = useDebounced(text.trim());
  return useQuery({
    queryKey: ['actions', 'title', q, status],
    enabled: q.length >= 2,
    queryFn: () => unwrap(api().GET('/api/v1/actions', { params: { query: { q, status: status.join(','), limit: 10 } } })),
  });
}

/**
 * The Idempotency-Key of one curator intent: the same while the request would be the same (so
 * sending it again after a lost answer acts once), a new one as soon as what would be sent
 * changes (another body, another If-Match version).
 */
export function useIntentKey(request: unknown): string {
  const identity = JSON.stringify(request);
  return useMemo(() => newKey(), [identity]); // a new key when, and only when, the request changes
}

export const useSources = () =>
  useQuery({ queryKey: ['ingestion', 'sources'], queryFn: () => unwrap(api().GET('/api/v1/ingestion/sources')) });

/** Directory entries whose name holds the text, asked for when the typing pauses. */
export function useDirectory(text: string) {
  const q = useDebounced(text.trim());
  return useQuery({
    queryKey: ['jurisdictions', 'names', q],
    enabled: q.length >= 2,
    queryFn: () => unwrap(api().GET('/api/v1/jurisdictions', { params: { query: { q, limit: 20 } } })),
  });
}
