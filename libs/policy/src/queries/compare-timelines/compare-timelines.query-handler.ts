import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, atPrecision } from '../../domain';
import { ComparisonRepository } from '../../repositories/comparison.repository';
import { JurisdictionRepository } from '../../repositories/jurisdiction.repository';
import { encodeCursor, timelineSelection, toEntry } from '../get-timeline/get-timeline.query-handler';
import {
  COMPARE_DEFAULT_LIMIT,
  COMPARE_MAX_LIMIT,
  CompareTimelinesQuery,
  type ComparisonCell,
  type ComparisonRow,
  type Comparison,
} from './compare-timelines.query';

@QueryHandler(CompareTimelinesQuery)
export class CompareTimelinesHandler implements IQueryHandler<CompareTimelinesQuery, Comparison> {
  constructor(
    private readonly jurisdictions: JurisdictionRepository,
    private readonly comparisons: ComparisonRepository,
  ) {}

  async execute({ jurisdictionIds: ids, filters: f }: CompareTimelinesQuery): Promise<Comparison> {
    const limit = Math.min(f.limit ?? COMPARE_DEFAULT_LIMIT, COMPARE_MAX_LIMIT);
    const known = new Map((await this.comparisons.withAncestors(ids)).map((j) => [j.id, j]));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length) {
      throw new DomainError('JURISDICTION.UNKNOWN', `unknown jurisdiction(s): ${missing.join(', ')}`, { details: { ids: missing } });
    }
    // Each column reads what that jurisdiction's timeline reads (published, own and inherited).
    const selections = await Promise.all(
      ids.map((id) =>
        timelineSelection(this.jurisdictions, id, { from: f.from, to: f.to, levels: f.levels, kinds: f.kinds, cursor: f.cursor }, limit + 1),
      ),
    );
    const actions = await this.comparisons.columns(selections, limit + 1);
    const page = actions.slice(0, limit);
    // An ancestor not among the names read first (a timeline the selection reads beyond the
    // registered ancestry) is named in one more lookup.
    const unnamed = [...new Set(page.flatMap((a) => a.cells.map((c) => c.timelineId)))].filter((id) => !known.has(id));
    for (const j of await this.comparisons.named(unnamed)) known.set(j.id, j);

    return {
      jurisdictions: ids.map((id) => {
        const j = known.get(id)!;
        return { id: j.id, name: j.name, level: j.level };
      }),
      from: f.from ?? null,
      to: f.to ?? null,
      rows: page.map(({ row, cells }): ComparisonRow => ({
        actionId: row.actionId,
        occurredOn: atPrecision(row.occurredOn, row.precision),
        precision: row.precision,
        kind: row.kind,
        title: row.title,
        level: row.actingLevel,
        actingJurisdictionId: row.actingJurisdictionId,
        sourceCount: row.sourceCount,
        shared: cells.length > 1,
        columns: cells.map(({ column, timelineId }): ComparisonCell => {
          // Direct or inherited exactly as that jurisdiction's own timeline says.
          const { inherited, via } = toEntry({ ...row, jurisdictionId: timelineId }, ids[column]);
          return { jurisdictionId: ids[column], inherited, via, viaName: via ? (known.get(via)?.name ?? via) : null };
        }),
      })),
      nextCursor: actions.length > limit ? encodeCursor(page[limit - 1].row) : null,
    };
  }
}
