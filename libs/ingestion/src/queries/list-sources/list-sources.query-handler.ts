import { Inject, Optional } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { ingestionDb } from '../../database';
import { INGESTION_QUEUE, type IngestionQueue } from '../../queue/ingestion-queue';
import { ParkedRepository } from '../../repositories/parked.repository';
import { RunRepository, type StoredRun } from '../../repositories/run.repository';
import { SourceRepository, type StoredSource } from '../../repositories/source.repository';
import type { SourceType } from '../../sources/source';
import { ListSourcesQuery, type RunView, type SourceView } from './list-sources.query';

@QueryHandler(ListSourcesQuery)
export class ListSourcesHandler implements IQueryHandler<ListSourcesQuery, { items: SourceView[] }> {
  constructor(
    private readonly store: EventStore,
    @Optional() @Inject(INGESTION_QUEUE) private readonly queue?: IngestionQueue,
  ) {}

  async execute(): Promise<{ items: SourceView[] }> {
    const db = ingestionDb(this.store.db);
    const [sources, latest, parked] = await Promise.all([
      new SourceRepository(db).list(),
      new RunRepository(db).latest(),
      new ParkedRepository(db).openCounts(),
    ]);
    const enabled = sources.filter((s) => s.enabled).map((s) => s.id);
    const next = this.queue ? await this.queue.nextRuns(enabled) : new Map<string, Date>();
    return {
      items: sources.map((s) => sourceView(s, latest.get(s.id) ?? null, parked.get(s.id) ?? 0, next.get(s.id) ?? null)),
    };
  }
}

export function sourceView(s: StoredSource, lastRun: StoredRun | null, parkedItems: number, nextRunAt: Date | null): SourceView {
  return {
    id: s.id,
    type: s.type as SourceType,
    name: s.name,
    config: withoutSecrets(s.config),
    enabled: s.enabled,
    schedule: s.schedule,
    cursor: s.cursor,
    cursorUpdatedAt: s.cursorUpdatedAt?.toISOString() ?? null,
    lastRun: lastRun && runView(lastRun),
    nextRunAt: nextRunAt?.toISOString() ?? null,
    parkedItems,
  };
}

export function runView(r: StoredRun): RunView {
  return { ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null };
}

/** A token stored in a source's configuration (a Legistar client's) is never shown: reads may need no key. */
function withoutSecrets(config: Record<string, unknown>): Record<string, unknown> {
  return 'token' in config ? { ...config, token: '(set)' } : config;
}
