import { Module, type Provider } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { ActionWriter } from './commands/action-writer';
import { AcceptSuggestedCorrectionHandler } from './commands/accept-suggested-correction/accept-suggested-correction.handler';
import { DismissSuggestedCorrectionHandler } from './commands/dismiss-suggested-correction/dismiss-suggested-correction.handler';
import { AttachSourceHandler } from './commands/attach-source/attach-source.handler';
import { CorrectActionHandler } from './commands/correct-action/correct-action.handler';
import { LinkActionsHandler } from './commands/link-actions/link-actions.handler';
import { MergeActionsHandler } from './commands/merge-actions/merge-actions.handler';
import { ProposeActionHandler } from './commands/propose-action/propose-action.handler';
import { ProposeBatchHandler } from './commands/propose-batch/propose-batch.handler';
import { PublishActionHandler } from './commands/publish-action/publish-action.handler';
import { RecordActionHandler } from './commands/record-action/record-action.handler';
import { RegisterJurisdictionHandler } from './commands/register-jurisdiction/register-jurisdiction.handler';
import { RejectActionHandler } from './commands/reject-action/reject-action.handler';
import { RetractActionHandler } from './commands/retract-action/retract-action.handler';
import { policyDb } from './database';
import { CompareTimelinesHandler } from './queries/compare-timelines/compare-timelines.query-handler';
import { GetTimelineChangesHandler } from './queries/get-timeline-changes/get-timeline-changes.query-handler';
import { FindDuplicatesHandler } from './queries/find-duplicates/find-duplicates.query-handler';
import { GetActionHistoryHandler } from './queries/get-action-history/get-action-history.query-handler';
import { GetActionHandler } from './queries/get-action/get-action.query-handler';
import { GetActionProofHandler } from './queries/get-action-proof/get-action-proof.query-handler';
import { GetLedgerHeadHandler } from './queries/get-ledger-head/get-ledger-head.query-handler';
import { GetJurisdictionHandler } from './queries/get-jurisdiction/get-jurisdiction.query-handler';
import { GetTimelineHandler } from './queries/get-timeline/get-timeline.query-handler';
import { ListActionsHandler } from './queries/list-actions/list-actions.query-handler';
import { ReadEventsHandler } from './queries/read-events/read-events.query-handler';
import { SearchJurisdictionsHandler } from './queries/search-jurisdictions/search-jurisdictions.query-handler';
import { ExportActionsHandler } from './queries/export-actions/export-actions.query-handler';
import { ExportTimelineHandler } from './queries/export-timeline/export-timeline.query-handler';
import { GetTimelineFeedHandler } from './queries/get-timeline-feed/get-timeline-feed.query-handler';
import { SearchActionsHandler } from './queries/search-actions/search-actions.query-handler';
import { ActionRepository } from './repositories/action.repository';
import { ComparisonRepository } from './repositories/comparison.repository';
import { JurisdictionRepository } from './repositories/jurisdiction.repository';
import { TimelineRepository } from './repositories/timeline.repository';
import { ActionSearchRepository } from './repositories/action-search.repository';
import { TimelineHistoryRepository } from './repositories/timeline-history.repository';

/** One instance of each repository per application, over the store's connection pool (their caches are shared). */
const repositories: Provider[] = [JurisdictionRepository, ActionRepository, TimelineRepository, ActionSearchRepository, ComparisonRepository, TimelineHistoryRepository].map((Repository) => ({
  provide: Repository,
  inject: [EventStore],
  useFactory: (store: EventStore) => new Repository(policyDb(store.db)),
}));

/** The policy context's command and query handlers; needs EventStoreModule in the app. */
@Module({
  imports: [CqrsModule],
  providers: [
    ...repositories,
    ActionWriter,
    RegisterJurisdictionHandler,
    RecordActionHandler,
    ProposeBatchHandler,
    ProposeActionHandler,
    PublishActionHandler,
    RejectActionHandler,
    CorrectActionHandler,
    RetractActionHandler,
    LinkActionsHandler,
    MergeActionsHandler,
    AttachSourceHandler,
    AcceptSuggestedCorrectionHandler,
    DismissSuggestedCorrectionHandler,
    GetTimelineHandler,
    GetActionHandler,
    GetActionHistoryHandler,
    GetActionProofHandler,
    GetLedgerHeadHandler,
    ListActionsHandler,
    FindDuplicatesHandler,
    SearchJurisdictionsHandler,
    SearchActionsHandler,
    GetJurisdictionHandler,
    ReadEventsHandler,
    ExportTimelineHandler,
    GetTimelineFeedHandler,
    ExportActionsHandler,
    CompareTimelinesHandler,
    GetTimelineChangesHandler,
  ],
})
export class PolicyModule {}
