import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, isOcdId } from '../../domain';
import { JurisdictionRepository } from '../../repositories/jurisdiction.repository';
import { DIRECTORY_MAX_LIMIT, SearchJurisdictionsQuery, type JurisdictionsPage } from './search-jurisdictions.query';

/** The cursor is the last id of the previous page: anything else is refused, not read as a place to start. */
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!isOcdId(id)) {
    throw new DomainError('JURISDICTION.INVALID', 'invalid cursor', {
      errors: [{ path: 'query.cursor', message: 'must be a nextCursor returned by this endpoint' }],
    });
  }
  return id;
}

@QueryHandler(SearchJurisdictionsQuery)
export class SearchJurisdictionsHandler implements IQueryHandler<SearchJurisdictionsQuery, JurisdictionsPage> {
  constructor(private readonly jurisdictions: JurisdictionRepository) {}

  async execute({ filters }: SearchJurisdictionsQuery): Promise<JurisdictionsPage> {
    const limit = Math.min(filters.limit ?? 50, DIRECTORY_MAX_LIMIT);
    const rows = await this.jurisdictions.search({
      q: filters.q || undefined,
      level: filters.level,
      after: filters.cursor ? decodeCursor(filters.cursor) : undefined,
      limit,
    });
    const items = rows.slice(0, limit);
    return {
      items,
      nextCursor: rows.length > limit ? Buffer.from(items[limit - 1].id).toString('base64url') : null,
    };
  }
}
