import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import type { Kysely } from 'kysely';
import type { EventStoreTables } from './types';
import { sql } from 'kysely';
import { PREPARE } from '@app/db/connection';

export const EVENTS_CHANNEL = 'policy_ledger_events';

/**
 * Tells other processes that events were appended. The NOTIFY is sent after the append has
 * committed, on its own statement, and coalesced to at most one in flight: Postgres
 * serialises the commits of transactions that NOTIFY, so notifying inside every append
 * would throttle concurrent writers to one commit at a time.
 */
export class AppendSignal {
  /**
   * Sent as the payload, so a listener beside the store that sent it can ignore it: that
   * store's own runners were woken in-process already, and a second wake-up would cost them a
   * batch of queries for nothing.
   */
  readonly sender = randomUUID();
  private inFlight = false;
  private pending = false;

  private timer?: NodeJS.Timeout;

  /** Appends within `delayMs` share one NOTIFY (listeners also poll: this only bounds their latency). */
  constructor(
    private readonly db: Kysely<EventStoreTables>,
    private readonly delayMs = 5,
  ) {}

  signal(): void {
    if (this.inFlight || this.timer) {
      this.pending = true;
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, this.delayMs);
    this.timer.unref();
  }

  private send(): void {
    this.pending = false;
    this.inFlight = true;
    sql`${sql.raw(PREPARE)} SELECT pg_notify(${EVENTS_CHANNEL}, ${this.sender})`
      .execute(this.db)
      .catch(() => undefined) // listeners also poll; a lost wake-up only delays them
      .finally(() => {
        this.inFlight = false;
        if (this.pending) {
          this.pending = false;
          this.signal();
        }
      });
  }
}

/**
 * LISTENs on a dedicated connection and emits 'wake' on each notification, reconnecting
 * with backoff if the connection drops. Readers keep a polling fallback, so a missed
 * notification costs latency, never events.
 */
export class AppendListener extends EventEmitter {
  private client?: Client;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;

  /** `ignoreSender`: the AppendSignal.sender whose notifications are not for us. */
  constructor(
    private readonly connectionString: string,
    private readonly ignoreSender?: string,
  ) {
    super();
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect().catch(() => this.scheduleReconnect(1000));
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.connectionString, application_name: 'policy-ledger-listener' });
    client.on('notification', (msg) => {
      if (msg.payload !== this.ignoreSender) this.emit('wake');
    });
    client.on('error', () => this.scheduleReconnect(1000));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.stopped || this.retryTimer) return;
    const old = this.client;
    this.client = undefined;
    old?.end().catch(() => undefined);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect().catch(() => this.scheduleReconnect(Math.min(delayMs * 2, 30_000)));
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
