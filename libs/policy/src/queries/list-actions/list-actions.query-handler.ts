import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { invalidCursor } from '../page';
import { ActionRepository, type StoredAction } from '../../repositories/action.repository';
import { ACTION_LIST_MAX_LIMIT, ListActionsQuery, type ActionSummary, type ActionsPage } from './list-actions.query';

/** A stored action as lists show it: its state, version and when it was first and last recorded. */
export function toActionSummary(a: StoredAction): ActionSummary {
  return { ...a.state, version: a.version, recordedAt: a.recordedAt.toISOString(), updatedAt: a.updatedAt.toISOString() };
}

function encodeCursor(firstPosition: number): string {
  return Buffer.from(String(firstPosition)).toString('base64url');
}

/** The cursor is where the previous page ended; anything else is refused, not read as a place to start. */
function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString();
  if (!/^[1-9]\d{0,15}$/.test(text)) {
    throw invalidCursor();
  }
  return Number(text);
}

@QueryHandler(ListActionsQuery)
export class ListActionsHandler implements IQueryHandler<ListActionsQuery, ActionsPage> {
  constructor(private readonly actions: ActionRepository) {}

  async execute({ filters: f }: ListActionsQuery): Promise<ActionsPage> {
    const limit = Math.min(f.limit ?? 50, ACTION_LIST_MAX_LIMIT);
    const rows = await this.actions.list({
      statuses: f.statuses,
      kinds: f.kinds,
      sourceSystem: f.sourceSystem,
      jurisdictionId: f.jurisdictionId,
      titleContains: f.q,
      beforePosition: f.cursor ? decodeCursor(f.cursor) : undefined,
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toActionSummary),
      nextCursor: rows.length > limit && last ? encodeCursor(last.firstPosition) : null,
    };
  }
}
