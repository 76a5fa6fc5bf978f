import { decodeKeyCursor, encodeKeyCursor } from '../page';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, displayNameOf, isOcdId, parseDirectoryQuery } from '../../domain';
import { JurisdictionRepository, type DirectoryCursor } from '../../repositories/jurisdiction.repository';
import { DIRECTORY_MAX_LIMIT, SearchJurisdictionsQuery, type JurisdictionsPage } from './search-jurisdictions.query';

function encodeCursor(c: DirectoryCursor): string {
  return encodeKeyCursor([c.match, c.kind, c.name, c.id]);
}

/** The cursor is the last row's sort key: anything else is refused, not read as a place to start. */
function decodeCursor(cursor: string): DirectoryCursor {
  const value = decodeKeyCursor(cursor);
  if (
    value?.length === 4 &&
    Number.isInteger(value[0]) &&
    Number.isInteger(value[1]) &&
    typeof value[2] === 'string' &&
    isOcdId(value[3])
  ) {
    return { match: value[0] as number, kind: value[1] as number, name: value[2], id: value[3] };
  }
  throw new DomainError('JURISDICTION.INVALID', 'invalid cursor', {
    errors: [{ path: 'query.cursor', message: 'must be a nextCursor returned by this endpoint' }],
  });
}

@QueryHandler(SearchJurisdictionsQuery)
export class SearchJurisdictionsHandler implements IQueryHandler<SearchJurisdictionsQuery, JurisdictionsPage> {
  constructor(private readonly jurisdictions: JurisdictionRepository) {}

  async execute({ filters }: SearchJurisdictionsQuery): Promise<JurisdictionsPage> {
    const limit = Math.min(filters.limit ?? 50, DIRECTORY_MAX_LIMIT);
    const query = filters.q?.trim() ? parseDirectoryQuery(filters.q) : undefined;
    const rows = await this.jurisdictions.search({
      q: query?.name || undefined,
      stateId: query?.stateId,
      parentId: filters.parentId,
      level: filters.level,
      after: filters.cursor ? decodeCursor(filters.cursor) : undefined,
      limit,
    });
    const page = rows.slice(0, limit);
    const counts = await this.jurisdictions.reachCounts(page);
    return {
      items: page.map((r) => ({
        id: r.id,
        name: r.name,
        displayName: displayNameOf(r.id, r.name),
        level: r.level,
        parentId: r.parentId,
        actionCount: counts.get(r.id) ?? 0,
      })),
      nextCursor: rows.length > limit ? encodeCursor(page[limit - 1].cursor) : null,
    };
  }
}
