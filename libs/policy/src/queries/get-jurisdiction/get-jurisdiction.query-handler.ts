import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, atPrecision, displayNameOf } from '../../domain';
import { JurisdictionRepository } from '../../repositories/jurisdiction.repository';
import { TimelineRepository } from '../../repositories/timeline.repository';
import { GetJurisdictionQuery, type JurisdictionDetail } from './get-jurisdiction.query';

@QueryHandler(GetJurisdictionQuery)
export class GetJurisdictionHandler implements IQueryHandler<GetJurisdictionQuery, JurisdictionDetail> {
  constructor(
    private readonly jurisdictions: JurisdictionRepository,
    private readonly timelines: TimelineRepository,
  ) {}

  async execute({ id }: GetJurisdictionQuery): Promise<JurisdictionDetail> {
    const j = await this.jurisdictions.findDetail(id);
    if (!j) throw new DomainError('JURISDICTION.UNKNOWN', `no jurisdiction ${id}`, { details: { id } });
    const [counts, latest] = await Promise.all([this.timelines.countsOn(id), this.timelines.latestOn(id)]);
    const byLevel: Record<string, number> = {};
    const byKind: Record<string, number> = {};
    for (const c of counts) {
      byLevel[c.actingLevel] = (byLevel[c.actingLevel] ?? 0) + c.n;
      byKind[c.kind] = (byKind[c.kind] ?? 0) + c.n;
    }
    return {
      id: j.id,
      name: j.name,
      displayName: displayNameOf(j.id, j.name),
      level: j.level,
      parentId: j.parentId,
      ancestors: j.ancestors,
      registeredAt: j.registeredAt.toISOString(),
      childCount: j.childCount,
      consolidatedWith: j.twin ? { ...j.twin, displayName: displayNameOf(j.twin.id, j.twin.name) } : null,
      counts: { byLevel, byKind, total: counts.reduce((n, c) => n + c.n, 0) },
      latestAction: latest
        ? {
            actionId: latest.actionId,
            title: latest.title,
            kind: latest.kind,
            // As the timeline writes it ('2017-01' for a month), not the sortable start day.
            occurredOn: atPrecision(latest.occurredOn, latest.precision),
          }
        : null,
    };
  }
}
