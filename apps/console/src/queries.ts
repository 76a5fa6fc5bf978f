import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './api';

// Query keys: ['action', id, …] for one action (its detail, history, duplicates) and
// ['actions', …] for lists, so a live event for an action refreshes exactly those.

export const useAction = (id: string) =>
  useQuery({ queryKey: ['action', id], queryFn: () => unwrap(api().GET('/api/v1/actions/{id}', { params: { path: { id } } })) });

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

/** Published actions whose title holds the text: what a curator links or merges to. */
export const useTitleSearch = (q: string, status: ('published' | 'proposed')[] = ['published']) =>
  useQuery({
    queryKey: ['actions', 'title', q, status],
    enabled: q.trim().length >= 2,
    queryFn: () => unwrap(api().GET('/api/v1/actions', { params: { query: { q: q.trim(), status: status.join(','), limit: 10 } } })),
  });

export const useSources = () =>
  useQuery({ queryKey: ['ingestion', 'sources'], queryFn: () => unwrap(api().GET('/api/v1/ingestion/sources')) });

export const useDirectory = (q: string, level?: string) =>
  useQuery({
    queryKey: ['jurisdictions', q, level],
    enabled: q.trim().length >= 2,
    queryFn: () =>
      unwrap(api().GET('/api/v1/jurisdictions', { params: { query: { q: q.trim(), limit: 20, ...(level ? { level: level as never } : {}) } } })),
  });
