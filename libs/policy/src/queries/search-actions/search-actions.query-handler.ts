import { decodeKeyCursor, encodeKeyCursor, invalidCursor } from '../page';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, atPrecision } from '../../domain';
import {
  ActionSearchRepository,
  citationRef,
  SNIPPET_GT,
  SNIPPET_LT,
  SNIPPET_START,
  SNIPPET_STOP,
  type SearchCursor,
  type SearchHit,
} from '../../repositories/action-search.repository';
import { JurisdictionRepository } from '../../repositories/jurisdiction.repository';
import { SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, SearchActionsQuery, type ActionSearch, type ActionSearchHit } from './search-actions.query';

export { citationRef };

function encodeCursor(hit: SearchHit): string {
  return encodeKeyCursor([hit.exact ? 1 : 0, hit.rank, hit.id]);
}

function decodeCursor(cursor: string): SearchCursor {
  const value = decodeKeyCursor(cursor);
  if (
    value?.length === 3 &&
    (value[0] === 0 || value[0] === 1) &&
    typeof value[1] === 'number' &&
    Number.isFinite(value[1]) &&
    typeof value[2] === 'string' &&
    value[2].length > 0 &&
    value[2].length <= 128
  ) {
    return { exact: value[0] === 1, rank: value[1], id: value[2] };
  }
  throw invalidCursor();
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** ts_headline's output as safe HTML: everything escaped, then its match markers made <mark> elements. */
export function snippetHtml(raw: string): string {
  return raw
    .replaceAll(SNIPPET_LT, '<')
    .replaceAll(SNIPPET_GT, '>')
    .replace(/[&<>"']/g, (c) => ESCAPES[c])
    .replaceAll(SNIPPET_START, '<mark>')
    .replaceAll(SNIPPET_STOP, '</mark>');
}

@QueryHandler(SearchActionsQuery)
export class SearchActionsHandler implements IQueryHandler<SearchActionsQuery, ActionSearch> {
  constructor(
    private readonly jurisdictions: JurisdictionRepository,
    private readonly search: ActionSearchRepository,
  ) {}

  async execute({ q, filters: f }: SearchActionsQuery): Promise<ActionSearch> {
    const limit = Math.min(f.limit ?? SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT);
    const after = f.cursor ? decodeCursor(f.cursor) : undefined;
    let scope: { jurisdictionId: string; ancestors: string[] } | undefined;
    if (f.jurisdictionId) {
      const ancestors = await this.jurisdictions.ancestorsOf(f.jurisdictionId);
      if (!ancestors) throw new DomainError('JURISDICTION.UNKNOWN', `no jurisdiction ${f.jurisdictionId}`, { details: { id: f.jurisdictionId } });
      scope = { jurisdictionId: f.jurisdictionId, ancestors };
    }
    const ref = citationRef(q);
    // Nothing but punctuation and spaces ('-', '""'): no word to look for and no citation.
    if (ref === null) return { q, total: 0, facets: { kind: {}, level: {} }, results: [], nextCursor: null };
    const answer = await this.search.search({
      q,
      ref,
      statuses: f.statuses?.length ? f.statuses : ['published'],
      kinds: f.kinds,
      levels: f.levels,
      from: f.from,
      to: f.to,
      scope,
      after,
      take: limit + 1,
    });
    const page = answer.hits.slice(0, limit);
    return {
      q,
      total: answer.total,
      facets: { kind: answer.kinds, level: answer.levels },
      results: page.map(toResult),
      nextCursor: answer.hits.length > limit ? encodeCursor(page[limit - 1]) : null,
    };
  }
}

function toResult(h: SearchHit): ActionSearchHit {
  return {
    actionId: h.id,
    title: h.title,
    kind: h.kind,
    status: h.status,
    occurredOn: atPrecision(h.occurredOn, h.precision),
    precision: h.precision,
    level: h.level,
    actingJurisdictionId: h.actingJurisdictionId,
    snippet: snippetHtml(h.snippet),
    exactMatch: h.exact,
    rank: h.rank,
  };
}
