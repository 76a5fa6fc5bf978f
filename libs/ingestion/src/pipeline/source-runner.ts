import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import {
  DomainError,
  JurisdictionRepository,
  policyDb,
  ProposeBatchCommand,
  seedJurisdictions,
  type BatchItem,
  type BatchOutcome,
} from '@app/policy';
import { ingestionDb } from '../database';
import type { RunTrigger } from '../database';
import { HttpClient } from '../http/http-client';
import { loadPlaceDirectory } from '../places/place-directory';
import { registrationsFor, withPlaces } from '../places/with-places';
import { ItemRepository, type KnownItem } from '../repositories/item.repository';
import { ParkedRepository, type NewParkedItem } from '../repositories/parked.repository';
import { NO_COUNTS, RunRepository, type RunCounts, type StoredRun } from '../repositories/run.repository';
import { SourceRepository, type StoredSource } from '../repositories/source.repository';
import { adapterFor, MIN_INTERVAL_MS, type IngestionSettings } from '../sources/registry';
import { configOf, existingSource } from '../sources/source-settings';
import type { NormalisedItem, ParkedItem, SourcePage } from '../sources/source';
import { upstreamChanges } from './upstream-changes';

/** A page ready to store: its items once each (places matched where they will be used) and what the ledger knew of them. */
interface PreparedPage {
  items: NormalisedItem[];
  unreadable: readonly ParkedItem[];
  known: ReadonlyMap<string, KnownItem>;
}

const itemKey = (item: NormalisedItem) => `${item.proposal.proposal.sourceSystem}\u0000${item.externalId}`;

export const INGESTION_SETTINGS = Symbol('INGESTION_SETTINGS');

export interface RunOptions {
  trigger: RunTrigger;
  /** 'YYYY-MM-DD': read from this date instead of the cursor. */
  since?: string;
  /** Once the run is recorded and holds its source, before the first request. */
  onStart?: (run: StoredRun) => void;
  /** After each stored page, with the run's counts so far. */
  onPage?: (counts: RunCounts, label: string) => void;
}

/** What storing one page did. */
export type PageCounts = Omit<RunCounts, 'pages' | 'fetched'>;

// Longer than any page takes to fetch (with its retries) and store; renewed at every page.
// Settings may shorten it (tests of a crashed worker).
const LEASE_MS = 5 * 60_000;
const UPDATE_REASON = 'source updated';

/**
 * Runs a source: fetch → parse → normalise (the adapter) → match places → propose, a page at a
 * time, each page stored in one transaction with the source's cursor, its items' hashes, its
 * parked items and the run's counts. A run that stops anywhere resumes from the last stored
 * page, and an item read twice appends nothing the second time.
 */
@Injectable()
export class SourceRunner {
  private readonly logger = new Logger('SourceRunner');
  private readonly sources: SourceRepository;
  private readonly runs: RunRepository;
  private readonly items: ItemRepository;
  private readonly jurisdictions: JurisdictionRepository;
  /** Items whose places `prepare` matched. */
  private readonly placesMatched = new WeakSet<NormalisedItem>();
  /** Jurisdictions known to be registered (see ensureJurisdictions). */
  private readonly registered = new Set<string>();

  constructor(
    private readonly events: EventStore,
    private readonly commands: CommandBus,
    @Inject(INGESTION_SETTINGS) private readonly settings: IngestionSettings,
  ) {
    const db = ingestionDb(events.db);
    this.sources = new SourceRepository(db);
    this.runs = new RunRepository(db);
    this.items = new ItemRepository(db);
    this.jurisdictions = new JurisdictionRepository(policyDb(events.db));
  }

  async run(sourceId: string, options: RunOptions): Promise<StoredRun> {
    const source = await existingSource(this.sources, sourceId);
    const adapter = adapterFor(source.type);
    const config = configOf(source, this.settings);
    const cursor = source.cursor === null ? null : adapter.cursorSchema.safeParse(source.cursor);
    if (cursor && !cursor.success) throw new DomainError('INGESTION.BAD_CURSOR', `source ${sourceId}: its stored cursor cannot be read (${cursor.error.message}); reset it`, { details: { sourceId } });

    const run = await this.runs.start(sourceId, options.trigger);
    await this.hold(sourceId, run.id, true);
    options.onStart?.(run);
    const counts: RunCounts = { ...NO_COUNTS };
    try {
      const headers = adapter.requestHeaders?.(config);
      const http = new HttpClient({ sourceId, minIntervalMs: MIN_INTERVAL_MS[adapter.type], headers, ...this.settings.http });
      const pages = adapter.pages({ sourceId, config, cursor: cursor?.data ?? null, since: options.since, http, now: () => new Date() });
      // What this run stored, by item: a page prepared while the one before was being stored
      // looked its items up before that one committed.
      const storedThisRun = new Map<string, KnownItem>();
      const prepared = prefetched(this.prepared(pages, storedThisRun));
      for await (const page of prepared) {
        const { counts: stored } = await this.storePage(source, run.id, page, { cursor: page.cursor, fetched: page.fetched }, true, storedThisRun);
        for (const [key, n] of Object.entries(stored) as [keyof RunCounts, number][]) counts[key] += n;
        counts.pages += 1;
        counts.fetched += page.fetched;
        options.onPage?.(counts, page.label);
        await this.hold(sourceId, run.id, false);
      }
      return await this.runs.finish(run.id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn(`source ${sourceId} run ${run.id} failed: ${message}`);
      await this.runs.finish(run.id, message);
      throw err;
    } finally {
      await this.sources.release(sourceId, run.id);
    }
  }

  /**
   * Stores items from outside a run's pages (a webhook delivery, a parked item retried) the way
   * a page is stored, under a run of their own so the counts show. With `parkRefused: false`
   * an item the ledger refuses is not parked again: it comes back in `refused` instead.
   */
  async storeOnce(
    sourceId: string,
    trigger: RunTrigger,
    items: NormalisedItem[],
    parked: ParkedItem[],
    options: {
      parkRefused?: boolean;
      /** A parked item these items are read again from, and who retried it: marked retried in the same transaction, unless refused again. */
      retried?: { parkedId: number; by: string };
    } = {},
  ): Promise<{ run: StoredRun; refused: NewParkedItem[] }> {
    const source = await existingSource(this.sources, sourceId);
    const run = await this.runs.start(sourceId, trigger);
    try {
      const page = await this.prepare(items, parked);
      const { refused } = await this.storePage(source, run.id, page, { fetched: items.length + parked.length, retried: options.retried }, options.parkRefused ?? true);
      return { run: await this.runs.finish(run.id), refused };
    } catch (err) {
      await this.runs.finish(run.id, err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  /** Takes (or renews) the source's lease; a run that finds it held by a live run stops. */
  private async hold(sourceId: string, runId: number, first: boolean): Promise<void> {
    const { claimed, lapsedRunId } = await this.sources.claim(sourceId, runId, this.settings.leaseMs ?? LEASE_MS);
    if (!claimed) {
      const reason = first ? 'another run of this source is in progress' : 'another run took this source over';
      // A run that never started is no part of the history; one cut off mid-way is, and run() records how it ended.
      if (first) await this.runs.discard(runId);
      throw new DomainError('INGESTION.SOURCE_BUSY', `source ${sourceId}: ${reason}`, { details: { sourceId } });
    }
    if (lapsedRunId !== null) await this.runs.failLapsed(lapsedRunId);
  }

  /** Each page prepared (see prepare) as soon as the adapter hands it out. */
  private async *prepared<C>(pages: AsyncIterable<SourcePage<C>>, storedThisRun: ReadonlyMap<string, KnownItem>): AsyncGenerator<PreparedPage & SourcePage<C>> {
    for await (const page of pages) yield { ...page, ...(await this.prepare(page.items, page.parked, storedThisRun)) };
  }

  /**
   * A page's items, each once (a page may list one twice: the last word wins), with what the
   * ledger last stored of them, and the places they name matched for the new and changed ones
   * only: the hash is the adapter's, taken before matching, so an unchanged item (most of a
   * re-read) costs one comparison.
   */
  private async prepare(
    received: readonly NormalisedItem[],
    unreadable: readonly ParkedItem[],
    storedThisRun: ReadonlyMap<string, KnownItem> = new Map(),
  ): Promise<PreparedPage> {
    const byKey = new Map<string, NormalisedItem>();
    for (const item of received) byKey.set(itemKey(item), item);
    const known = new Map<string, KnownItem>();
    for (const system of new Set([...byKey.values()].map((i) => i.proposal.proposal.sourceSystem))) {
      const ids = [...byKey.values()].filter((i) => i.proposal.proposal.sourceSystem === system).map((i) => i.externalId);
      for (const [externalId, item] of await this.items.find(system, ids)) known.set(`${system}\u0000${externalId}`, item);
    }
    const directory = loadPlaceDirectory();
    const items = [...byKey].map(([key, item]) => {
      const before = storedThisRun.get(key) ?? known.get(key);
      if (before?.contentHash === item.contentHash) return item;
      const placed = withPlaces(item, directory);
      this.placesMatched.add(placed);
      return placed;
    });
    return { items, unreadable, known };
  }

  /** One page: new items proposed, changed ones corrected or suggested, the rest counted; all in one transaction. */
  private async storePage(
    source: StoredSource,
    runId: number,
    { items, unreadable, known }: PreparedPage,
    page: { cursor?: unknown; fetched: number; retried?: { parkedId: number; by: string } },
    parkRefused = true,
    storedThisRun?: Map<string, KnownItem>,
  ): Promise<{ counts: PageCounts; refused: NewParkedItem[] }> {
    const directory = loadPlaceDirectory();
    const batch: BatchItem[] = [];
    const batched: NormalisedItem[] = [];
    const hashOnly: NormalisedItem[] = [];
    let unchanged = 0;
    for (const prepared of items) {
      const key = itemKey(prepared);
      const before = storedThisRun?.get(key) ?? known.get(key);
      if (before?.contentHash === prepared.contentHash) {
        unchanged++;
        continue;
      }
      // Looked up as unchanged, then changed by this run's previous page (an upstream repeat
      // with other content): matched now.
      const item = this.placesMatched.has(prepared) ? prepared : withPlaces(prepared, directory);
      if (!before) {
        batch.push({ type: 'ProposeAction', data: item.proposal });
        batched.push(item);
      } else {
        const changes = upstreamChanges(before.upstream, item.proposal.content);
        if (Object.keys(changes).length === 0) {
          // Only what the ledger does not take from upstream changed (a source entry): remember the new hash.
          hashOnly.push(item);
          unchanged++;
        } else {
          batch.push({ type: 'ApplySourceUpdate', data: { actionId: before.actionId, changes, reason: UPDATE_REASON } });
          batched.push({ ...item, proposal: { ...item.proposal, actionId: before.actionId } });
        }
      }
    }
    await this.ensureJurisdictions(batch);

    const counts: PageCounts = { proposed: 0, corrected: 0, suggested: 0, unchanged, parked: unreadable.length, failed: 0 };
    let refused: NewParkedItem[] = [];
    let storedNow: { key: string; known: KnownItem }[] = [];
    await this.commands.execute(
      new ProposeBatchCommand(
        batch,
        async (trx, outcomes: readonly BatchOutcome[]) => {
          const tx = ingestionDb(trx);
          // Reset on every attempt: a conflict makes the page decide (and call this) again.
          refused = [];
          counts.proposed = counts.corrected = counts.suggested = counts.failed = 0;
          counts.unchanged = unchanged;
          const stored: NormalisedItem[] = [...hashOnly];
          outcomes.forEach((o, i) => {
            const item = batched[i];
            if (o.outcome === 'refused') {
              refused.push({ stage: 'propose', externalId: item.externalId, raw: item.proposal, reason: `${o.code}: ${o.message}` });
              counts.failed++;
            } else {
              stored.push(item);
              counts[o.outcome]++;
            }
          });
          const repository = new ItemRepository(tx);
          storedNow = stored.map((i) => ({ key: itemKey(i), known: { externalId: i.externalId, actionId: i.proposal.actionId, contentHash: i.contentHash, upstream: i.proposal.content } }));
          for (const system of new Set(stored.map((i) => i.proposal.proposal.sourceSystem))) {
            await repository.upsert(
              system,
              storedNow.filter((_, k) => stored[k].proposal.proposal.sourceSystem === system).map((r) => r.known),
            );
          }
          const parked = new ParkedRepository(tx);
          if (page.retried && refused.length === 0 && !(await parked.resolve(page.retried.parkedId, 'retried', { resolvedBy: page.retried.by }))) {
            throw new DomainError('INGESTION.NOT_PARKED', `parked item ${page.retried.parkedId} was resolved meanwhile`, { details: { parkedId: page.retried.parkedId } });
          }
          await parked.park(source.id, runId, [
            ...unreadable.map((p) => ({ stage: 'parse' as const, externalId: p.externalId, raw: p.raw, reason: p.reason })),
            ...(parkRefused ? refused : []),
          ]);
          // Only while this run holds the source: one that lost it (a page slower than the lease)
          // must not move the cursor under the run that took over. The page rolls back.
          if (page.cursor !== undefined && !(await new SourceRepository(tx).saveCursor(source.id, runId, page.cursor))) {
            throw new DomainError('INGESTION.SOURCE_BUSY', `source ${source.id}: another run took this source over`, { details: { sourceId: source.id } });
          }
          await new RunRepository(tx).add(runId, { ...counts, pages: page.cursor !== undefined ? 1 : 0, fetched: page.fetched });
        },
        { actor: `ingestion:${source.id}`, correlationId: `ingestion-run-${runId}` },
      ),
    );
    for (const { key, known: item } of storedNow) storedThisRun?.set(key, item);
    return { counts, refused };
  }

  /** Places an item names may not be registered in a small ledger: register them (and their parents) first. */
  private async ensureJurisdictions(batch: readonly BatchItem[]): Promise<void> {
    const ids = new Set<string>();
    for (const item of batch) {
      const content = item.type === 'ProposeAction' ? item.data.content : item.data.changes;
      for (const id of content.affectedJurisdictionIds ?? []) ids.add(id);
      if (content.actingJurisdictionId) ids.add(content.actingJurisdictionId);
    }
    for (const id of ids) if (this.registered.has(id)) ids.delete(id);
    if (ids.size === 0) return;
    // A ledger seeded with the directory has them all: only a miss reads the directory's files.
    const missing = new Set(await this.jurisdictions.missing([...ids]));
    if (missing.size) {
      const registrations = registrationsFor(missing);
      const result = await seedJurisdictions(this.events, registrations, { metadata: { actor: 'ingestion:ocd-directory' } });
      const refused = new Set(result.rejections.map((r) => r.id));
      // Not in the directory, or refused: still missing, and the ledger will refuse the items naming them.
      for (const { data } of registrations) if (!refused.has(data.id)) missing.delete(data.id);
    }
    // Jurisdictions are never removed: once known here, never looked up again by this process.
    for (const id of ids) if (!missing.has(id)) this.registered.add(id);
  }
}

/**
 * The pages, each asked for as soon as the one before is handed out: the next page is fetched
 * and parsed while this one is stored. A page fetched but never stored (the run stopped) is read
 * again by the next run, from the cursor.
 */
async function* prefetched<T>(pages: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = pages[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = iterator.next();
      // Its failure is met when it is awaited; until then it must not count as unhandled.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    // Not awaited: a generator still fetching would hold the run's end until its fetch is done.
    void iterator.return?.().catch(() => undefined);
  }
}
