import { useQueryClient } from '@tanstack/react-query';
import { createEventSource } from 'eventsource-client';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { sentByThisTab, type Schemas } from './api';

export type FeedEvent = Schemas['FeedEvent'];
type Listener = (event: FeedEvent) => void;

interface LiveState {
  connected: boolean;
  /** Calls `listener` with every event committed from now on; returns the unsubscribe. */
  subscribe(listener: Listener): () => void;
}

const LiveContext = createContext<LiveState>({ connected: false, subscribe: () => () => {} });

/**
 * One server-sent event stream per tab (GET /api/v1/events/stream, from the head on): every
 * event another curator, an ingestion run or this tab commits refreshes what shows it. The
 * client resumes after the last event id when the connection drops, so nothing is missed.
 * A fetch-based client rather than EventSource: it can send the key when reads need one.
 */
export function LiveProvider({ apiKey, children }: { apiKey: string | null; children: ReactNode }) {
  const queryClient = useQueryClient();
  const listeners = useRef(new Set<Listener>());
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    // Invalidations are gathered and sent every 300 ms: an ingestion run commits hundreds of
    // events, and each would otherwise refetch every list on screen.
    const stale = new Set<string>();
    let flush: ReturnType<typeof setTimeout> | undefined;
    const invalidate = (key: string) => {
      stale.add(key);
      flush ??= setTimeout(() => {
        flush = undefined;
        for (const k of stale) void queryClient.invalidateQueries({ queryKey: JSON.parse(k) });
        stale.clear();
      }, 300);
    };
    const source = createEventSource({
      url: new URL('/api/v1/events/stream', location.origin),
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      // An answer that is not the stream (401, 503 with too many streams) is a failed attempt,
      // retried later, not a connection: "Live" is shown only while events can arrive.
      fetch: async (url, init) => {
        const response = await fetch(url, init as RequestInit);
        if (!response.ok) throw new Error(`event stream: ${response.status}`);
        return response;
      },
      onConnect: () => setConnected(true),
      onDisconnect: () => setConnected(false),
      onScheduleReconnect: () => setConnected(false),
      onMessage: (message) => {
        let event: FeedEvent;
        try {
          event = JSON.parse(message.data) as FeedEvent;
        } catch {
          return;
        }
        if (event.streamId.startsWith('action-')) {
          invalidate(JSON.stringify(['action', event.streamId.slice('action-'.length)]));
          invalidate(JSON.stringify(['actions']));
          invalidate(JSON.stringify(['timeline']));
        } else if (event.streamId.startsWith('jurisdiction-')) {
          invalidate(JSON.stringify(['jurisdictions']));
        }
        for (const listener of listeners.current) listener(event);
      },
    });
    return () => {
      clearTimeout(flush);
      source.close();
    };
  }, [apiKey, queryClient]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
  const value = useMemo(() => ({ connected, subscribe }), [connected, subscribe]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export const useLive = () => useContext(LiveContext);

/** Calls `onEvent` for each live event of this action's stream. */
export function useActionEvents(actionId: string, onEvent: Listener): void {
  const { subscribe } = useLive();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => subscribe((e) => e.streamId === `action-${actionId}` && handler.current(e)), [subscribe, actionId]);
}

/** Whether this tab wrote the event (its Idempotency-Key is one this tab made). */
export const isOwnEvent = (event: FeedEvent) => sentByThisTab(event.metadata?.idempotencyKey);
