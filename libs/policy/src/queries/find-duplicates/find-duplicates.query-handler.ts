import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, partialDateStart } from '../../domain';
import { ActionRepository } from '../../repositories/action.repository';
import { toActionSummary } from '../list-actions/list-actions.query-handler';
import {
  DUPLICATES_CANDIDATES_COMPARED,
  DUPLICATES_DEFAULT_DAYS,
  DUPLICATES_DEFAULT_LIMIT,
  DUPLICATES_MAX_DAYS,
  DUPLICATES_MAX_LIMIT,
  DUPLICATES_MIN_SIMILARITY,
  FindDuplicatesQuery,
  type ActionDuplicates,
} from './find-duplicates.query';
import { diceCoefficient, titleWords } from './title-similarity';

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

@QueryHandler(FindDuplicatesQuery)
export class FindDuplicatesHandler implements IQueryHandler<FindDuplicatesQuery, ActionDuplicates> {
  constructor(private readonly actions: ActionRepository) {}

  async execute({ actionId, search }: FindDuplicatesQuery): Promise<ActionDuplicates> {
    const action = await this.actions.find(actionId);
    if (!action) throw new DomainError('ACTION.UNKNOWN', `no action ${actionId}`, { details: { actionId } });
    const nearby = await this.actions.nearby({
      kind: action.state.kind,
      occurredOn: partialDateStart(action.state.occurredOn),
      days: clamp(search.days ?? DUPLICATES_DEFAULT_DAYS, 0, DUPLICATES_MAX_DAYS),
      excludeId: actionId,
      take: DUPLICATES_CANDIDATES_COMPARED,
    });
    const words = titleWords(action.state.title);
    const scored = nearby
      .map((candidate) => ({ candidate, similarity: diceCoefficient(words, titleWords(candidate.state.title)) }))
      .filter((c) => c.similarity >= DUPLICATES_MIN_SIMILARITY)
      // Stable: equals keep the repository's order (nearer in time, then recorded earlier).
      .sort((a, b) => b.similarity - a.similarity || a.candidate.daysApart - b.candidate.daysApart);
    return {
      actionId,
      items: scored.slice(0, clamp(search.limit ?? DUPLICATES_DEFAULT_LIMIT, 1, DUPLICATES_MAX_LIMIT)).map(({ candidate, similarity }) => ({
        action: toActionSummary(candidate),
        similarity: Math.round(similarity * 100) / 100,
        daysApart: candidate.daysApart,
      })),
    };
  }
}
