import type { SerializedEvent } from '@app/event-store';

/** The commit-ordered feed downstream systems follow, a page after a cursor. */
export class ReadEventsQuery {
  constructor(
    readonly after: string | undefined,
    readonly limit: number,
  ) {}
}

export interface EventsPage {
  items: Omit<SerializedEvent, 'transactionId'>[];
  nextCursor: string;
  caughtUp: boolean;
}
