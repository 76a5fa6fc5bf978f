import { sql, type Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { EventStore, ProjectionRunner, type EventStoreTables } from '@app/event-store';
import { ActionWriter, type ActionCommandMeta, type ActionCommandResult } from '../commands/action-writer';
import { AcceptSuggestedCorrectionHandler } from '../commands/accept-suggested-correction/accept-suggested-correction.handler';
import { AttachSourceHandler } from '../commands/attach-source/attach-source.handler';
import { DismissSuggestedCorrectionHandler } from '../commands/dismiss-suggested-correction/dismiss-suggested-correction.handler';
import { ProposeBatchHandler } from '../commands/propose-batch/propose-batch.handler';
import { CorrectActionHandler } from '../commands/correct-action/correct-action.handler';
import { LinkActionsHandler } from '../commands/link-actions/link-actions.handler';
import { MergeActionsHandler } from '../commands/merge-actions/merge-actions.handler';
import { ProposeActionCommand } from '../commands/propose-action/propose-action.command';
import { ProposeActionHandler } from '../commands/propose-action/propose-action.handler';
import { PublishActionHandler } from '../commands/publish-action/publish-action.handler';
import { RecordActionCommand } from '../commands/record-action/record-action.command';
import { RecordActionHandler } from '../commands/record-action/record-action.handler';
import { RegisterJurisdictionCommand } from '../commands/register-jurisdiction/register-jurisdiction.command';
import { RegisterJurisdictionHandler } from '../commands/register-jurisdiction/register-jurisdiction.handler';
import { RejectActionHandler } from '../commands/reject-action/reject-action.handler';
import { RetractActionHandler } from '../commands/retract-action/retract-action.handler';
import { policyDb, type PolicyDatabase } from '../database';
import type { ActionContentInput, JurisdictionLevel, Proposal, Relation } from '../domain';
import { policyInlineProjections, policyProjections } from '../projections';
import { FindDuplicatesHandler } from '../queries/find-duplicates/find-duplicates.query-handler';
import { GetActionHistoryHandler } from '../queries/get-action-history/get-action-history.query-handler';
import { ListActionsHandler } from '../queries/list-actions/list-actions.query-handler';
import { GetActionHandler } from '../queries/get-action/get-action.query-handler';
import { GetJurisdictionHandler } from '../queries/get-jurisdiction/get-jurisdiction.query-handler';
import { GetTimelineHandler } from '../queries/get-timeline/get-timeline.query-handler';
import { ReadEventsHandler } from '../queries/read-events/read-events.query-handler';
import { SearchJurisdictionsHandler } from '../queries/search-jurisdictions/search-jurisdictions.query-handler';
import { ActionRepository } from '../repositories/action.repository';
import { JurisdictionRepository } from '../repositories/jurisdiction.repository';
import { TimelineRepository } from '../repositories/timeline.repository';
import { actionStream } from '../streams';

// The medium tier: handlers, queries and repositories wired by hand over a real Postgres
// database of their own, as PolicyModule wires them, without HTTP or a Nest container.

/** A small tree with every level under the country: real OCD division ids. */
export const J = {
  us: 'ocd-division/country:us',
  ca: 'ocd-division/country:us/state:ca',
  santaClara: 'ocd-division/country:us/state:ca/county:santa_clara',
  ny: 'ocd-division/country:us/state:ny',
  newYork: 'ocd-division/country:us/state:ny/place:new_york',
  syracuse: 'ocd-division/country:us/state:ny/place:syracuse',
} as const;

/** Parents first, as registration requires. */
export const TREE: readonly { id: string; name: string; level: JurisdictionLevel }[] = [
  { id: J.us, name: 'United States', level: 'federal' },
  { id: J.ca, name: 'California', level: 'state' },
  { id: J.santaClara, name: 'Santa Clara County', level: 'county' },
  { id: J.ny, name: 'New York', level: 'state' },
  { id: J.newYork, name: 'New York city', level: 'municipal' },
  { id: J.syracuse, name: 'Syracuse city', level: 'municipal' },
];

export const SOURCE = {
  url: 'https://www.justice.gov/opa/speech/attorney-general-sessions-delivers-remarks-sanctuary-jurisdictions',
  publisher: 'U.S. Department of Justice',
  publishedOn: '2017-03-27',
};

/** Valid content for a federal action on the whole country; override what a test is about. */
export function actionContent(overrides: Partial<ActionContentInput> = {}): ActionContentInput {
  return {
    kind: 'agency_directive',
    title: 'Attorney General conditions Byrne JAG grants on Section 1373 compliance',
    summary: 'The Justice Department will require certification of compliance with 8 U.S.C. 1373.',
    occurredOn: { date: '2017-03-27', precision: 'day' },
    actingJurisdictionId: J.us,
    affectedJurisdictionIds: [J.us],
    sources: [SOURCE],
    ...overrides,
  };
}

export type ActionOverrides = Partial<ActionContentInput> & { id?: string; relations?: Relation[] };

export interface PolicyTestContext {
  database: TestDatabase<EventStoreTables>;
  db: Kysely<PolicyDatabase>;
  store: EventStore;
  /** Runs the asynchronous relation graph, as the API does. */
  runner: ProjectionRunner;
  jurisdictions: JurisdictionRepository;
  actions: ActionRepository;
  timelines: TimelineRepository;
  writer: ActionWriter;
  registerJurisdiction: RegisterJurisdictionHandler;
  recordAction: RecordActionHandler;
  proposeAction: ProposeActionHandler;
  publishAction: PublishActionHandler;
  rejectAction: RejectActionHandler;
  correctAction: CorrectActionHandler;
  retractAction: RetractActionHandler;
  linkActions: LinkActionsHandler;
  mergeActions: MergeActionsHandler;
  attachSource: AttachSourceHandler;
  proposeBatch: ProposeBatchHandler;
  acceptSuggestion: AcceptSuggestedCorrectionHandler;
  dismissSuggestion: DismissSuggestedCorrectionHandler;
  getTimeline: GetTimelineHandler;
  getAction: GetActionHandler;
  getActionHistory: GetActionHistoryHandler;
  listActions: ListActionsHandler;
  findDuplicates: FindDuplicatesHandler;
  searchJurisdictions: SearchJurisdictionsHandler;
  getJurisdiction: GetJurisdictionHandler;
  readEvents: ReadEventsHandler;
  /** Registers TREE through the register-jurisdiction handler. */
  registerTree(): Promise<void>;
  /** An id no other call in this context returns. */
  newId(prefix?: string): string;
  /** Records a valid published action (content from `actionContent`). */
  record(overrides?: ActionOverrides, meta?: ActionCommandMeta): Promise<ActionCommandResult>;
  /** Proposes a valid action, as ingestion would. */
  propose(overrides?: ActionOverrides & { proposal?: Proposal }, meta?: ActionCommandMeta): Promise<ActionCommandResult>;
  /** Events in one action's stream, or in the whole store. */
  eventCount(actionId?: string): Promise<number>;
  /**
   * An instant after everything written so far and before anything written next, at the
   * millisecond precision the timeline keeps: for as-of reads between two writes.
   */
  instant(): Promise<Date>;
  /**
   * Resolves once the relation graph has reached every event committed so far, and so the
   * gap-safe feed (whose horizon any open transaction on the server holds back) shows them all.
   */
  settled(): Promise<void>;
  /** Stops the runner and drops the database. */
  close(): Promise<void>;
}

/** One database, store, runner, repositories and handlers: create it once per test file. */
export async function createPolicyTestContext(): Promise<PolicyTestContext> {
  const database = await createTestDatabase<EventStoreTables>({ poolSize: 8 });
  // The runner lives in this process and is woken by local appends: no NOTIFY needed. Writes
  // share transactions as they do in the API (group commit).
  const store = new EventStore(database.db, {
    inlineProjections: policyInlineProjections,
    notify: false,
    groupCommit: { inFlight: 1, maxBatch: 64 },
  });
  const runner = new ProjectionRunner(store, policyProjections, { pollMs: 200 });
  try {
    await runner.start();
  } catch (err) {
    await database.drop();
    throw err;
  }
  const db = policyDb(store.db);
  const jurisdictions = new JurisdictionRepository(db);
  const actions = new ActionRepository(db);
  const timelines = new TimelineRepository(db);
  const writer = new ActionWriter(store, jurisdictions, actions, runner);
  const registerJurisdiction = new RegisterJurisdictionHandler(store, jurisdictions);
  const recordAction = new RecordActionHandler(writer);
  const proposeAction = new ProposeActionHandler(writer);
  let ids = 0;

  const split = ({ id, relations, ...content }: ActionOverrides) => ({
    actionId: id ?? `action-${++ids}`,
    content: actionContent(content),
    relations: relations ?? [],
  });

  return {
    database,
    db,
    store,
    runner,
    jurisdictions,
    actions,
    timelines,
    writer,
    registerJurisdiction,
    recordAction,
    proposeAction,
    publishAction: new PublishActionHandler(writer),
    rejectAction: new RejectActionHandler(writer),
    correctAction: new CorrectActionHandler(writer),
    retractAction: new RetractActionHandler(writer),
    linkActions: new LinkActionsHandler(writer),
    mergeActions: new MergeActionsHandler(store, writer),
    attachSource: new AttachSourceHandler(writer),
    proposeBatch: new ProposeBatchHandler(store, actions, jurisdictions),
    acceptSuggestion: new AcceptSuggestedCorrectionHandler(writer),
    dismissSuggestion: new DismissSuggestedCorrectionHandler(writer),
    getTimeline: new GetTimelineHandler(jurisdictions, timelines),
    getAction: new GetActionHandler(actions),
    getActionHistory: new GetActionHistoryHandler(store),
    listActions: new ListActionsHandler(actions),
    findDuplicates: new FindDuplicatesHandler(actions),
    searchJurisdictions: new SearchJurisdictionsHandler(jurisdictions),
    getJurisdiction: new GetJurisdictionHandler(jurisdictions, timelines),
    readEvents: new ReadEventsHandler(store),

    async registerTree() {
      for (const j of TREE) await registerJurisdiction.execute(new RegisterJurisdictionCommand(j, { actor: 'test:tree' }));
    },
    newId: (prefix = 'action') => `${prefix}-${++ids}`,
    record: (overrides = {}, meta = {}) => recordAction.execute(new RecordActionCommand(split(overrides), meta)),
    propose: ({ proposal, ...overrides } = {}, meta = {}) => {
      const data = split(overrides);
      return proposeAction.execute(
        new ProposeActionCommand({ ...data, proposal: proposal ?? { sourceSystem: 'test_feed', externalId: data.actionId } }, meta),
      );
    },
    async eventCount(actionId) {
      const row = await db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .$if(actionId !== undefined, (qb) => qb.where('stream_id', '=', actionStream(actionId!)))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async instant() {
      // A transaction is recorded at its start, to the microsecond, and the timeline keeps
      // milliseconds: the next whole millisecond is after every commit so far, and once the
      // server's clock is a millisecond past it, every later write lands strictly after it.
      const { rows } = await sql<{ t: Date }>`
        SELECT date_trunc('milliseconds', clock_timestamp()) + interval '1 millisecond' AS t`.execute(db);
      const t = rows[0].t;
      for (;;) {
        const { rows: [clock] } = await sql<{ past: boolean }>`
          SELECT clock_timestamp() >= ${t}::timestamptz + interval '1 millisecond' AS past`.execute(db);
        if (clock.past) return t;
      }
    },
    async settled() {
      // The last event in commit order, which need not hold the highest position.
      const last = await db
        .selectFrom('events')
        .select([sql<string>`transaction_id::text`.as('transactionId'), 'position'])
        .orderBy('transaction_id', 'desc')
        .orderBy('position', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (last) await runner.waitFor(last, 10_000);
    },
    async close() {
      await runner.stop();
      await database.drop();
    },
  };
}
