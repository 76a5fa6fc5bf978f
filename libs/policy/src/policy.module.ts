import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ExecuteActionHandler } from './commands/execute-action/execute-action.handler';
import { RegisterJurisdictionHandler } from './commands/register-jurisdiction/register-jurisdiction.handler';
import { GetActionHandler, GetActionHistoryHandler } from './queries/action.query-handler';
import { ListEventsHandler } from './queries/events-feed.query';
import { JurisdictionAncestry } from './queries/jurisdiction-ancestry';
import { GetJurisdictionHandler, ListJurisdictionsHandler } from './queries/jurisdictions.query-handler';
import { GetTimelineHandler } from './queries/timeline.query-handler';
import { ReferencesRepository } from './references.repository';

/** The policy context's command and query handlers; needs EventStoreModule in the app. */
@Module({
  imports: [CqrsModule],
  providers: [
    ReferencesRepository,
    JurisdictionAncestry,
    RegisterJurisdictionHandler,
    ExecuteActionHandler,
    GetTimelineHandler,
    GetActionHandler,
    GetActionHistoryHandler,
    ListJurisdictionsHandler,
    GetJurisdictionHandler,
    ListEventsHandler,
  ],
})
export class PolicyModule {}
