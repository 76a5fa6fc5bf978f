import { EventEmitter, once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  AppendListener,
  EVENT_STORE_CONFIG,
  EventStore,
  encodeCheckpoint,
  serializeEvent,
  type CommitPoint,
  type EventStoreModuleConfig,
} from '@app/event-store';
import { withClientIdempotencyKey } from '@app/policy';

/** What one subscriber asked for: where to start and which events it wants. */
export interface StreamRequest {
  /** After this point in commit order (the head, for what is committed from now on). */
  from: CommitPoint;
  types?: readonly string[];
  streamPrefix?: string;
}

/** Streams per process: each holds a socket and reads on every wake-up. */
export const MAX_STREAMS = 100;
/** Proxies cut a connection idle for a minute or so; a comment line every 15 s keeps it open. */
const KEEP_ALIVE_MS = 15_000;
/** What a browser waits before reconnecting (EventSource's `retry`). */
const RETRY_MS = 2000;
const BATCH = 500;
/** A missed NOTIFY (the listener reconnecting) costs at most this much latency. */
const POLL_MS = 1000;
/**
 * Committed events held back behind the gap-safe horizon (an older transaction is open): their
 * wake-up is spent, and what releases them may be a transaction that sends none, so look again soon.
 */
const HELD_BACK_RETRY_MS = 50;

/**
 * Server-sent events of the commit-ordered feed. Every stream reads with the store's gap-safe
 * readAfter, so it sees what /events sees, in the same order, each event once; between reads it
 * sleeps until a wake-up: a local append, a NOTIFY from another process, or the polling fallback.
 */
@Injectable()
export class EventStreams implements OnModuleDestroy {
  private readonly open = new Set<{ res: ServerResponse; close: () => void; done: Promise<void> }>();
  private readonly wake = new EventEmitter();
  /** Counts wake-ups, so that one arriving while a stream is mid-read is not lost. */
  private wakes = 0;
  private listener?: AppendListener;
  private unsubscribe?: () => void;
  private keepAlive?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly store: EventStore,
    @Inject(EVENT_STORE_CONFIG) private readonly config: EventStoreModuleConfig,
  ) {
    this.wake.setMaxListeners(0);
  }

  get full(): boolean {
    return this.closing || this.open.size >= MAX_STREAMS;
  }

  /** The head in commit order: the last event safely readable now (START when there is none). */
  async head(): Promise<CommitPoint> {
    return this.store.head();
  }

  /**
   * Serves one stream on a response whose headers are not sent yet, until the client goes away
   * or the application shuts down. Never throws: by now the answer is a 200 event stream.
   */
  async serve(res: ServerResponse, request: StreamRequest): Promise<void> {
    this.subscribe();
    const abort = new AbortController();
    const close = () => abort.abort();
    res.once('close', close);
    const entry = { res, close, done: Promise.resolve() };
    this.open.add(entry);
    entry.done = this.run(res, request, abort.signal)
      .catch(() => undefined) // the database went away: the client reconnects with its last id
      .finally(() => {
        this.open.delete(entry);
        res.off('close', close);
        if (!res.writableEnded) res.end();
        if (this.open.size === 0) this.unsubscribeAll();
      });
    return entry.done;
  }

  private async run(res: ServerResponse, { from, types, streamPrefix }: StreamRequest, signal: AbortSignal): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // The socket serves this stream only: closed with it (at shutdown too), not kept idle for another request.
      connection: 'close',
      // nginx would otherwise buffer the stream and deliver it in lumps.
      'x-accel-buffering': 'no',
    });
    await this.write(res, `retry: ${RETRY_MS}\n\n`, signal);
    let point = from;
    while (!signal.aborted) {
      const seen = this.wakes;
      const batch = await this.store.readAfter(this.store.db, point, { limit: BATCH, types, streamPrefix });
      for (const event of batch.events) {
        if (signal.aborted) return;
        // The id is the checkpoint after this event: Last-Event-ID resumes right after it.
        const id = encodeCheckpoint({ transactionId: event.transactionId, position: event.position });
        const { transactionId: _, ...item } = serializeEvent(event);
        const shown = { ...item, metadata: withClientIdempotencyKey(item.metadata) };
        await this.write(res, `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(shown)}\n\n`, signal);
      }
      point = batch.next;
      if (!batch.caughtUp) continue;
      // Without a type or stream filter readAfter does not say whether committed events wait
      // behind the horizon; one cheap query does.
      const heldBack = types || streamPrefix !== undefined ? batch.heldBack : await this.store.hasEventsAfter(this.store.db, point);
      await this.sleep(seen, heldBack ? HELD_BACK_RETRY_MS : POLL_MS, signal);
    }
  }

  /** Writes a chunk, waiting for the socket to drain when the client reads slower than we write. */
  private async write(res: ServerResponse, chunk: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted || res.writableEnded) return;
    if (!res.write(chunk)) await once(res, 'drain', { signal }).catch(() => undefined);
  }

  /** Until a wake-up newer than `seen`, the timeout, or the stream's end. */
  private sleep(seen: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.wakes !== seen || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.off('wake', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.wake.once('wake', done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wakeUp(): void {
    this.wakes++;
    this.wake.emit('wake');
  }

  /** Listens for appends while any stream is open: no LISTEN connection for an API nobody follows. */
  private subscribe(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.store.onAppended(() => this.wakeUp());
    // One timer for every stream: a comment line is ignored by clients and keeps proxies from
    // cutting an idle connection.
    this.keepAlive = setInterval(() => {
      // Skipped where events are waiting to drain: the connection is not idle then.
      for (const { res } of this.open) if (!res.writableEnded && !res.writableNeedDrain) res.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
    this.keepAlive.unref();
    const url = this.config.listenConnectionString;
    if (url) {
      const listener = new AppendListener(url, this.store.notificationSender);
      listener.on('wake', () => this.wakeUp());
      this.listener = listener;
      // Failures reconnect inside the listener; meanwhile streams poll.
      void listener.start();
    }
  }

  private unsubscribeAll(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    void this.listener?.stop();
    this.listener = undefined;
  }

  /**
   * Ends every open stream before the store and the HTTP server go: an open response would
   * keep the server's close waiting for ever. Clients reconnect (to another replica) with their last id.
   */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    const streams = [...this.open];
    for (const s of streams) s.close();
    await Promise.all(streams.map((s) => s.done));
    const listener = this.listener;
    this.unsubscribeAll();
    await listener?.stop();
  }
}
