import { deciderSpec } from '../given-when-then';
import { evolveAction, foldAction, initialActionState } from './action';
import type { ActionCommand, MergeActions } from './action.commands';
import { collectReferences, decideAction, decideMerge, NOTHING_MISSING, type MergeDecision } from './action.decide';
import type { ActionEvent } from './action.events';
import type { ActionContent } from './action.schema';

const given = deciderSpec({ decide: decideAction, evolve: evolveAction, initialState: initialActionState });

const US = 'ocd-division/country:us';
const NYC = `${US}/state:ny/place:new_york`;
const ID = 'us-eo-2017-01-sanctuary-jurisdictions';
const OTHER = 'nyc-2017-03-27-de-blasio-statement';
const article = {
  url: 'https://www.nbcnews.com/news/us-news/ag-sessions-threatens-sanctuary-cities-mayors-fight-back-n738876',
  publisher: 'NBC News',
  publishedOn: '2017-03-27',
};

const content: ActionContent = {
  kind: 'executive_order',
  title: 'Executive order on sanctuary jurisdictions',
  summary: 'Directs the government to document non-cooperating jurisdictions and cut their grants.',
  occurredOn: { date: '2017-01', precision: 'month' },
  actingJurisdictionId: US,
  affectedJurisdictionIds: [US],
  actors: [{ name: 'Donald Trump', office: 'President of the United States' }],
  citations: [{ kind: 'federal_register', text: '82 FR 8799' }],
  amounts: [],
  sources: [article],
  tags: ['sanctuary'],
};

const recorded: ActionEvent = { type: 'ActionRecorded', data: { actionId: ID, content, relations: [] } };
const proposal = { sourceSystem: 'federal_register', externalId: '2017-02102' };
const proposed: ActionEvent = { type: 'ActionProposed', data: { actionId: ID, content, relations: [], proposal } };
const retracted: ActionEvent = { type: 'ActionRetracted', data: { actionId: ID, reason: 'duplicate entry' } };
const rejected: ActionEvent = { type: 'ProposalRejected', data: { actionId: ID, reason: 'not a policy action' } };

const record = (overrides: Record<string, unknown> = {}, relations?: unknown): ActionCommand =>
  ({ type: 'RecordAction', data: { actionId: ID, content: { ...content, ...overrides }, ...(relations ? { relations } : {}) } }) as ActionCommand;
const correct = (changes: Record<string, unknown>, reason = 'fix'): ActionCommand =>
  ({ type: 'CorrectAction', data: { actionId: ID, changes, reason } }) as ActionCommand;
const link = (relation: string, targetId: string): ActionCommand =>
  ({ type: 'LinkAction', data: { actionId: ID, relation, targetId } }) as ActionCommand;
const retract = (reason = 'the order was never signed'): ActionCommand => ({ type: 'RetractAction', data: { actionId: ID, reason } });

describe('RecordAction', () => {
  it('records a published action, applying defaults and trimming', () => {
    const { actors: _a, citations: _c, amounts: _m, sources: _s, tags: _t, ...minimal } = content;
    given([])
      .when({ type: 'RecordAction', data: { actionId: ID, content: { ...minimal, title: `  ${content.title} ` } } }, NOTHING_MISSING)
      .then([
        {
          type: 'ActionRecorded',
          data: { actionId: ID, content: { ...minimal, actors: [], citations: [], amounts: [], sources: [], tags: [] }, relations: [] },
        },
      ]);
  });

  it('records relations to existing actions', () => {
    given([])
      .when(record({}, [{ relation: 'responds_to', targetId: OTHER }]), NOTHING_MISSING)
      .then([{ type: 'ActionRecorded', data: { actionId: ID, content, relations: [{ relation: 'responds_to', targetId: OTHER }] } }]);
  });

  it('refuses an existing stream', () => {
    given([recorded]).when(record(), NOTHING_MISSING).thenThrows('ACTION.ALREADY_EXISTS');
    given([proposed]).when(record(), NOTHING_MISSING).thenThrows('ACTION.ALREADY_EXISTS', { details: { actionId: ID, status: 'proposed' } });
  });

  it.each([
    ['title', { title: 'x'.repeat(301) }, 'content.title', 'must be at most 300 characters'],
    ['blank title', { title: '   ' }, 'content.title', 'is required'],
    ['summary', { summary: 'x'.repeat(5001) }, 'content.summary', 'must be at most 5000 characters'],
    ['kind', { kind: 'tweet' }, 'content.kind', 'must be one of'],
    ['no affected', { affectedJurisdictionIds: [] }, 'content.affectedJurisdictionIds', 'at least one'],
    ['repeated affected', { affectedJurisdictionIds: [US, US] }, 'content.affectedJurisdictionIds', 'must not repeat'],
    [
      'too many affected',
      { affectedJurisdictionIds: Array.from({ length: 201 }, (_, i) => `${US}/state:s${i}`) },
      'content.affectedJurisdictionIds',
      'at most 200',
    ],
    ['acting id', { actingJurisdictionId: 'US' }, 'content.actingJurisdictionId', 'Open Civic Data'],
    ['date', { occurredOn: { date: '2017-02-30', precision: 'day' } }, 'content.occurredOn.date', 'real date'],
    ['url', { sources: [{ ...article, url: 'ftp://example.org/x' }] }, 'content.sources.0.url', 'http(s)'],
    ['published on', { sources: [{ ...article, publishedOn: '2017-13' }] }, 'content.sources.0.publishedOn', 'real date'],
    ['retrieved at', { sources: [{ ...article, retrievedAt: '2017-03-27 10:00' }] }, 'content.sources.0.retrievedAt', 'ISO 8601'],
    ['attribution alone', { sources: [{ ...article, quoteAttribution: 'x' }] }, 'content.sources.0.quoteAttribution', 'quote'],
    ['currency', { amounts: [{ value: 1, currency: 'usd', description: 'x' }] }, 'content.amounts.0.currency', 'ISO 4217'],
    ['amount', { amounts: [{ value: Infinity, currency: 'USD', description: 'x' }] }, 'content.amounts.0.value', 'number'],
    ['unknown key', { colour: 'red' }, 'content.colour', 'not a known field'],
    ['unknown nested key', { actors: [{ name: 'x', party: 'y' }] }, 'content.actors.0.party', 'not a known field'],
  ])('rejects an invalid %s', (_what, overrides, path, message) => {
    const error = given([]).when(record(overrides), NOTHING_MISSING).thenThrows('ACTION.INVALID');
    expect(error.errors).toEqual(expect.arrayContaining([{ path, message: expect.stringContaining(message) }]));
  });

  it('rejects an invalid action id', () => {
    given([])
      .when({ type: 'RecordAction', data: { actionId: 'has space', content } }, NOTHING_MISSING)
      .thenThrows('ACTION.INVALID', { errors: [{ path: 'actionId', message: expect.any(String) }] });
  });

  it('requires every referenced jurisdiction to exist', () => {
    given([])
      .when(record({ affectedJurisdictionIds: [US, NYC] }), { missingJurisdictions: [NYC], missingActions: [] })
      .thenThrows('JURISDICTION.UNKNOWN', {
        errors: [{ path: 'content.affectedJurisdictionIds.1', message: `jurisdiction ${NYC} is not registered` }],
        details: { missingJurisdictions: [NYC] },
      });
  });

  it('requires every relation target to exist', () => {
    given([])
      .when(record({}, [{ relation: 'responds_to', targetId: OTHER }]), { missingJurisdictions: [], missingActions: [OTHER] })
      .thenThrows('ACTION.UNKNOWN', { details: { missingActions: [OTHER] } });
  });

  it('refuses a relation to itself or the same relation twice', () => {
    given([]).when(record({}, [{ relation: 'cites', targetId: ID }]), NOTHING_MISSING).thenThrows('ACTION.SELF_LINK');
    const twice = [
      { relation: 'cites', targetId: OTHER },
      { relation: 'cites', targetId: OTHER },
    ];
    given([]).when(record({}, twice), NOTHING_MISSING).thenThrows('ACTION.DUPLICATE_LINK');
  });
});

describe('ProposeAction', () => {
  it('proposes an action with its provenance', () => {
    given([])
      .when({ type: 'ProposeAction', data: { actionId: ID, content, proposal } }, NOTHING_MISSING)
      .then([proposed]);
  });

  it('needs the proposal provenance', () => {
    given([])
      .when({ type: 'ProposeAction', data: { actionId: ID, content } } as unknown as ActionCommand, NOTHING_MISSING)
      .thenThrows('ACTION.INVALID', { errors: [{ path: 'proposal', message: expect.any(String) }] });
  });

  it('refuses an existing stream', () => {
    given([recorded]).when({ type: 'ProposeAction', data: { actionId: ID, content, proposal } }, NOTHING_MISSING).thenThrows('ACTION.ALREADY_EXISTS');
  });
});

describe('PublishProposal and RejectProposal', () => {
  const publish: ActionCommand = { type: 'PublishProposal', data: { actionId: ID } };
  const reject = (reason: string): ActionCommand => ({ type: 'RejectProposal', data: { actionId: ID, reason } });

  it('publishes a proposal', () => {
    given([proposed]).when(publish, NOTHING_MISSING).then([{ type: 'ProposalPublished', data: { actionId: ID } }]);
  });

  it('rejects a proposal with a reason', () => {
    given([proposed]).when(reject(' not a policy action '), NOTHING_MISSING).then([rejected]);
  });

  it('requires a reason to reject', () => {
    given([proposed]).when(reject('  '), NOTHING_MISSING).thenThrows('ACTION.INVALID', { errors: [{ path: 'reason', message: 'is required' }] });
  });

  it('only acts on proposals', () => {
    given([recorded]).when(publish, NOTHING_MISSING).thenThrows('ACTION.NOT_PROPOSED', { details: { actionId: ID, status: 'published' } });
    given([proposed, rejected]).when(publish, NOTHING_MISSING).thenThrows('ACTION.NOT_PROPOSED');
    given([recorded]).when(reject('no'), NOTHING_MISSING).thenThrows('ACTION.NOT_PROPOSED');
  });

  it('needs an existing action', () => {
    given([]).when(publish, NOTHING_MISSING).thenThrows('ACTION.UNKNOWN', { details: { actionId: ID } });
  });
});

describe('CorrectAction', () => {
  it('emits only the fields that really change', () => {
    given([recorded])
      .when(correct({ title: content.title, occurredOn: { date: '2017-01-25', precision: 'day' } }, 'day from the Federal Register'), NOTHING_MISSING)
      .then([
        {
          type: 'ActionCorrected',
          data: { actionId: ID, changes: { occurredOn: { date: '2017-01-25', precision: 'day' } }, reason: 'day from the Federal Register' },
        },
      ]);
  });

  it('may correct a proposal', () => {
    given([proposed])
      .when(correct({ tags: ['Sanctuary', 'grants'] }), NOTHING_MISSING)
      .then([{ type: 'ActionCorrected', data: { actionId: ID, changes: { tags: ['sanctuary', 'grants'] }, reason: 'fix' } }]);
  });

  it('refuses a correction that changes nothing', () => {
    // key order and normalisation (trim) do not count as changes
    given([recorded])
      .when(correct({ actors: [{ office: 'President of the United States', name: 'Donald Trump ' }] }), NOTHING_MISSING)
      .thenThrows('ACTION.NO_CHANGE');
  });

  it('refuses to correct a retracted or rejected action', () => {
    given([recorded, retracted]).when(correct({ title: 'New' }), NOTHING_MISSING).thenThrows('ACTION.NOT_CORRECTABLE', {
      details: { actionId: ID, status: 'retracted' },
    });
    given([proposed, rejected]).when(correct({ title: 'New' }), NOTHING_MISSING).thenThrows('ACTION.NOT_CORRECTABLE');
  });

  it('cannot change status, id or relations', () => {
    given([recorded])
      .when(correct({ status: 'retracted', id: 'x' }), NOTHING_MISSING)
      .thenThrows('ACTION.INVALID', {
        errors: [
          { path: 'changes.status', message: expect.stringContaining('retracting') },
          { path: 'changes.id', message: 'an action id never changes' },
        ],
      });
  });

  it('validates the changed fields', () => {
    given([recorded]).when(correct({ title: '' }), NOTHING_MISSING).thenThrows('ACTION.INVALID', {
      errors: [{ path: 'changes.title', message: 'is required' }],
    });
    given([recorded]).when(correct({}), NOTHING_MISSING).thenThrows('ACTION.INVALID');
  });

  it('requires a reason', () => {
    given([recorded]).when(correct({ title: 'New' }, ''), NOTHING_MISSING).thenThrows('ACTION.INVALID', {
      errors: [{ path: 'reason', message: 'is required' }],
    });
  });

  it('requires new jurisdictions to exist', () => {
    given([recorded])
      .when(correct({ affectedJurisdictionIds: [NYC] }), { missingJurisdictions: [NYC], missingActions: [] })
      .thenThrows('JURISDICTION.UNKNOWN', { errors: [{ path: 'changes.affectedJurisdictionIds.0', message: expect.any(String) }] });
  });

  it('needs an existing action', () => {
    given([]).when(correct({ title: 'New' }), NOTHING_MISSING).thenThrows('ACTION.UNKNOWN');
  });
});

describe('RetractAction', () => {
  it('retracts a published action', () => {
    given([recorded]).when(retract(), NOTHING_MISSING).then([{ type: 'ActionRetracted', data: { actionId: ID, reason: 'the order was never signed' } }]);
  });

  it('refuses to retract twice', () => {
    given([recorded, retracted]).when(retract(), NOTHING_MISSING).thenThrows('ACTION.ALREADY_RETRACTED');
  });

  it('only retracts published actions (proposals are rejected instead)', () => {
    given([proposed]).when(retract(), NOTHING_MISSING).thenThrows('ACTION.NOT_PUBLISHED', { details: { actionId: ID, status: 'proposed' } });
    given([proposed, rejected]).when(retract(), NOTHING_MISSING).thenThrows('ACTION.NOT_PUBLISHED');
  });

  it('requires a reason', () => {
    given([recorded]).when(retract(' '), NOTHING_MISSING).thenThrows('ACTION.INVALID');
  });

  it('needs an existing action', () => {
    given([]).when(retract(), NOTHING_MISSING).thenThrows('ACTION.UNKNOWN');
  });
});

describe('LinkAction', () => {
  const linked: ActionEvent = { type: 'ActionLinked', data: { actionId: ID, relation: 'cites', targetId: OTHER } };

  it('links to another action', () => {
    given([recorded]).when(link('cites', OTHER), NOTHING_MISSING).then([linked]);
  });

  it('allows a different relation to the same target', () => {
    given([recorded, linked])
      .when(link('responds_to', OTHER), NOTHING_MISSING)
      .then([{ type: 'ActionLinked', data: { actionId: ID, relation: 'responds_to', targetId: OTHER } }]);
  });

  it('refuses a link to itself', () => {
    given([recorded]).when(link('cites', ID), NOTHING_MISSING).thenThrows('ACTION.SELF_LINK');
  });

  it('refuses the same relation and target twice', () => {
    given([recorded, linked]).when(link('cites', OTHER), NOTHING_MISSING).thenThrows('ACTION.DUPLICATE_LINK');
  });

  it('requires the target to exist', () => {
    given([recorded])
      .when(link('cites', OTHER), { missingJurisdictions: [], missingActions: [OTHER] })
      .thenThrows('ACTION.UNKNOWN', { errors: [{ path: 'targetId', message: `action ${OTHER} does not exist` }] });
  });

  it('rejects an unknown relation type', () => {
    given([recorded]).when(link('likes', OTHER), NOTHING_MISSING).thenThrows('ACTION.INVALID', {
      errors: [{ path: 'relation', message: expect.stringContaining('responds_to') }],
    });
  });

  it('refuses to link a retracted action', () => {
    given([recorded, retracted]).when(link('cites', OTHER), NOTHING_MISSING).thenThrows('ACTION.NOT_CORRECTABLE');
  });

  it('needs an existing action', () => {
    given([]).when(link('cites', OTHER), NOTHING_MISSING).thenThrows('ACTION.UNKNOWN', { details: { actionId: ID } });
  });
});

describe('AttachSource', () => {
  const source = { url: 'https://www.federalregister.gov/d/2017-02102', publisher: 'Federal Register' };
  const attach = (s: unknown): ActionCommand => ({ type: 'AttachSource', data: { actionId: ID, source: s } }) as ActionCommand;

  it('attaches a source', () => {
    given([recorded]).when(attach(source), NOTHING_MISSING).then([{ type: 'SourceAttached', data: { actionId: ID, source } }]);
  });

  it('refuses a source already cited', () => {
    given([recorded]).when(attach({ ...article, title: 'again' }), NOTHING_MISSING).thenThrows('ACTION.DUPLICATE_SOURCE');
  });

  it('validates the source', () => {
    given([recorded]).when(attach({ url: 'javascript:alert(1)', publisher: 'x' }), NOTHING_MISSING).thenThrows('ACTION.INVALID', {
      errors: [{ path: 'source.url', message: 'must be an http(s) URL' }],
    });
  });

  it('refuses to change a rejected action', () => {
    given([proposed, rejected]).when(attach(source), NOTHING_MISSING).thenThrows('ACTION.NOT_CORRECTABLE');
  });
});

describe('collectReferences', () => {
  it('lists jurisdictions and relation targets of a record, deduplicated', () => {
    expect(collectReferences(record({ affectedJurisdictionIds: [US, NYC] }, [{ relation: 'cites', targetId: OTHER }]))).toEqual({
      jurisdictionIds: [US, NYC],
      actionIds: [OTHER],
    });
  });

  it('lists what a correction or link touches', () => {
    expect(collectReferences(correct({ actingJurisdictionId: NYC }))).toEqual({ jurisdictionIds: [NYC], actionIds: [] });
    expect(collectReferences(link('cites', OTHER))).toEqual({ jurisdictionIds: [], actionIds: [OTHER] });
    expect(collectReferences(retract())).toEqual({ jurisdictionIds: [], actionIds: [] });
  });

  it('reads bare content and tolerates garbage', () => {
    expect(collectReferences(content)).toEqual({ jurisdictionIds: [US], actionIds: [] });
    expect(collectReferences({ affectedJurisdictionIds: 'nope', relations: [null, { targetId: 3 }] })).toEqual({
      jurisdictionIds: [],
      actionIds: [],
    });
  });
});

describe('action evolve / fold', () => {
  it('starts empty', () => {
    expect(foldAction([])).toBeNull();
  });

  it('builds the current action from its history', () => {
    const state = foldAction([
      proposed,
      { type: 'ProposalPublished', data: { actionId: ID } },
      { type: 'ActionCorrected', data: { actionId: ID, changes: { title: 'EO 13768' }, reason: 'official title' } },
      { type: 'ActionLinked', data: { actionId: ID, relation: 'cites', targetId: OTHER } },
      { type: 'SourceAttached', data: { actionId: ID, source: { url: 'https://example.org/eo', publisher: 'Example' } } },
    ]);
    expect(state).toEqual({
      ...content,
      id: ID,
      title: 'EO 13768',
      status: 'published',
      proposal,
      statusReason: null,
      mergedInto: null,
      suggestion: null,
      relations: [{ relation: 'cites', targetId: OTHER }],
      sources: [article, { url: 'https://example.org/eo', publisher: 'Example' }],
    });
  });

  it('keeps the reason of a rejection or retraction', () => {
    expect(foldAction([proposed, rejected])).toMatchObject({ status: 'rejected', statusReason: 'not a policy action' });
    expect(foldAction([recorded, retracted])).toMatchObject({ status: 'retracted', statusReason: 'duplicate entry' });
  });

  it('refuses a non-creation event on an empty stream', () => {
    expect(() => foldAction([retracted])).toThrow(/empty stream/);
  });
});

describe('ApplySourceUpdate (what changed upstream in an ingested item)', () => {
  const update = (changes: Record<string, unknown>): ActionCommand =>
    ({ type: 'ApplySourceUpdate', data: { actionId: ID, changes, reason: 'source updated' } }) as ActionCommand;
  const published: ActionEvent = { type: 'ProposalPublished', data: { actionId: ID } };
  const suggested: ActionEvent = { type: 'CorrectionSuggested', data: { actionId: ID, changes: { title: 'Upstream title' }, reason: 'source updated' } };

  it('corrects a proposal with the fields that really changed', () => {
    given([proposed])
      .when(update({ title: 'Upstream title', kind: 'executive_order' }), NOTHING_MISSING)
      .then([{ type: 'ActionCorrected', data: { actionId: ID, changes: { title: 'Upstream title' }, reason: 'source updated' } }]);
  });

  it('suggests the change once the action is published, and a newer suggestion replaces the older', () => {
    given([proposed, published]).when(update({ title: 'Upstream title' }), NOTHING_MISSING).then([suggested]);
    const state = foldAction([proposed, published, suggested, { ...suggested, data: { ...suggested.data, changes: { summary: 'New summary.' } } }]);
    expect(state?.suggestion).toEqual({ changes: { summary: 'New summary.' }, reason: 'source updated' });
  });

  it('appends nothing when nothing differs, or when the curator closed the action', () => {
    given([proposed]).when(update({ title: content.title }), NOTHING_MISSING).then([]);
    given([proposed, rejected]).when(update({ title: 'Upstream title' }), NOTHING_MISSING).then([]);
    given([recorded, retracted]).when(update({ title: 'Upstream title' }), NOTHING_MISSING).then([]);
  });

  it('refuses an update of an action that does not exist, and a jurisdiction that is not registered', () => {
    given([]).when(update({ title: 'x' }), NOTHING_MISSING).thenThrows('ACTION.UNKNOWN');
    given([proposed])
      .when(update({ affectedJurisdictionIds: [US, NYC] }), { missingJurisdictions: [NYC], missingActions: [] })
      .thenThrows('JURISDICTION.UNKNOWN', { errors: [{ path: 'changes.affectedJurisdictionIds.1', message: expect.any(String) }] });
  });

  it('accepts a suggestion: the part that still differs is corrected, then the suggestion is closed', () => {
    const curatorFixedTitle: ActionEvent = { type: 'ActionCorrected', data: { actionId: ID, changes: { title: 'Upstream title' }, reason: 'typo' } };
    const accept: ActionCommand = { type: 'AcceptSuggestedCorrection', data: { actionId: ID } };
    given([proposed, published, suggested])
      .when(accept, NOTHING_MISSING)
      .then([
        { type: 'ActionCorrected', data: { actionId: ID, changes: { title: 'Upstream title' }, reason: 'accepted suggested correction: source updated' } },
        { type: 'SuggestedCorrectionAccepted', data: { actionId: ID } },
      ]);
    given([proposed, published, suggested, curatorFixedTitle]).when(accept, NOTHING_MISSING).then([{ type: 'SuggestedCorrectionAccepted', data: { actionId: ID } }]);
    expect(foldAction([proposed, published, suggested, { type: 'SuggestedCorrectionAccepted', data: { actionId: ID } }])?.suggestion).toBeNull();
  });

  it('dismisses a suggestion with a reason, and refuses either when none is pending', () => {
    const dismiss: ActionCommand = { type: 'DismissSuggestedCorrection', data: { actionId: ID, reason: 'upstream typo' } };
    given([proposed, published, suggested]).when(dismiss, NOTHING_MISSING).then([{ type: 'SuggestedCorrectionDismissed', data: { actionId: ID, reason: 'upstream typo' } }]);
    given([proposed, published]).when(dismiss, NOTHING_MISSING).thenThrows('ACTION.NO_SUGGESTION');
    given([proposed, published]).when({ type: 'AcceptSuggestedCorrection', data: { actionId: ID } }, NOTHING_MISSING).thenThrows('ACTION.NO_SUGGESTION');
  });
});

describe('MergeActions (a duplicate folded into its survivor, deciding over both streams)', () => {
  const DUP = 'us-eo-2017-01-sanctuary-copy';
  const THIRD = 'sf-2017-01-31-lawsuit';
  const pressRelease = { url: 'https://www.whitehouse.gov/eo-13768', publisher: 'The White House' };
  // The same article as the survivor's, found by ingestion: the same source by system and id is a duplicate too.
  const ingestedArticle = { ...article, url: `${article.url}?utm=feed` };
  const survivorSources = [{ ...article, sourceSystem: 'news', externalId: 'nbc-1' }];
  const survivorRecorded: ActionEvent = {
    type: 'ActionRecorded',
    data: { actionId: ID, content: { ...content, sources: survivorSources }, relations: [{ relation: 'cites', targetId: OTHER }] },
  };
  const duplicateRecorded: ActionEvent = {
    type: 'ActionRecorded',
    data: {
      actionId: DUP,
      content: {
        ...content,
        title: 'EO 13768',
        citations: [{ kind: 'federal_register', text: '82 FR 8799' }, { kind: 'statute', text: '8 U.S.C. 1373' }],
        sources: [{ ...ingestedArticle, sourceSystem: 'news', externalId: 'nbc-1' }, pressRelease, pressRelease],
      },
      relations: [
        { relation: 'cites', targetId: OTHER },
        { relation: 'amends', targetId: ID },
        { relation: 'responds_to', targetId: THIRD },
      ],
    },
  };
  const merge = (data: Partial<MergeActions['data']> = {}): MergeActions => ({
    type: 'MergeActions',
    data: { actionId: DUP, into: ID, reason: 'same executive order, ingested twice', ...data },
  });
  const givenStreams = (duplicate: ActionEvent[], survivor: ActionEvent[]) => ({
    when: (command: MergeActions) => {
      const run = () => decideMerge(command, foldAction(duplicate), foldAction(survivor));
      return {
        then: (expected: MergeDecision) => expect(run()).toEqual(expected),
        thenThrows: (code: string, match: Record<string, unknown> = {}) => expect(run).toThrow(expect.objectContaining({ code, ...match })),
      };
    },
  });

  it('marks the duplicate merged and gives the survivor only what it lacked: sources, citations, links', () => {
    givenStreams([duplicateRecorded], [survivorRecorded])
      .when(merge())
      .then({
        duplicate: [{ type: 'ActionMerged', data: { actionId: DUP, into: ID, reason: 'same executive order, ingested twice' } }],
        survivor: [
          {
            type: 'DuplicateAbsorbed',
            data: {
              actionId: ID,
              duplicateId: DUP,
              sources: [pressRelease],
              citations: [{ kind: 'statute', text: '8 U.S.C. 1373' }],
              relations: [{ relation: 'responds_to', targetId: THIRD }],
            },
          },
        ],
      });
  });

  it('folds both ends: the duplicate keeps its content and says where it went; the survivor carries the rest', () => {
    const { duplicate, survivor } = decideMerge(merge(), foldAction([duplicateRecorded]), foldAction([survivorRecorded]));
    const merged = foldAction([duplicateRecorded, ...duplicate]);
    expect(merged).toMatchObject({ status: 'merged', mergedInto: ID, statusReason: 'same executive order, ingested twice', title: 'EO 13768' });
    expect(merged?.sources).toHaveLength(3);
    const absorbed = foldAction([survivorRecorded, ...survivor]);
    expect(absorbed?.sources).toEqual([...survivorSources, pressRelease]);
    expect(absorbed?.citations.map((c) => c.text)).toEqual(['82 FR 8799', '8 U.S.C. 1373']);
    expect(absorbed?.relations).toEqual([{ relation: 'cites', targetId: OTHER }, { relation: 'responds_to', targetId: THIRD }]);
    expect(absorbed?.status).toBe('published');
  });

  it('records the absorption even when the duplicate brings nothing new, and merges a proposal into a published action', () => {
    const copy: ActionEvent = { type: 'ActionProposed', data: { actionId: DUP, content: { ...content, sources: survivorSources }, relations: [], proposal } };
    givenStreams([copy], [survivorRecorded])
      .when(merge())
      .then({
        duplicate: [{ type: 'ActionMerged', data: { actionId: DUP, into: ID, reason: 'same executive order, ingested twice' } }],
        survivor: [{ type: 'DuplicateAbsorbed', data: { actionId: ID, duplicateId: DUP, sources: [], citations: [], relations: [] } }],
      });
  });

  it('refuses a merge into itself (at into), a missing duplicate (404) or survivor (at into), and a bad reason', () => {
    givenStreams([duplicateRecorded], [duplicateRecorded]).when(merge({ into: DUP })).thenThrows('ACTION.SELF_MERGE', { errors: [{ path: 'into', message: expect.any(String) }] });
    givenStreams([], [survivorRecorded]).when(merge()).thenThrows('ACTION.UNKNOWN', { details: { actionId: DUP } });
    givenStreams([duplicateRecorded], []).when(merge()).thenThrows('ACTION.UNKNOWN', { errors: [{ path: 'into', message: `action ${ID} does not exist` }] });
    givenStreams([duplicateRecorded], [survivorRecorded]).when(merge({ reason: ' ' })).thenThrows('ACTION.INVALID', { errors: [{ path: 'reason', message: 'is required' }] });
  });

  it('refuses when either side is rejected, retracted or already merged, naming where a merged one went', () => {
    const closed = (e: ActionEvent): ActionEvent => ({ ...e, data: { ...e.data, actionId: DUP } }) as ActionEvent;
    const rejectedCopy: ActionEvent[] = [{ type: 'ActionProposed', data: { actionId: DUP, content, relations: [], proposal } }, closed(rejected)];
    givenStreams(rejectedCopy, [survivorRecorded]).when(merge()).thenThrows('ACTION.NOT_MERGEABLE', { details: { actionId: DUP, status: 'rejected' } });
    givenStreams([duplicateRecorded], [survivorRecorded, retracted]).when(merge()).thenThrows('ACTION.NOT_MERGEABLE', { details: { actionId: ID, status: 'retracted' } });
    const mergedAway: ActionEvent = { type: 'ActionMerged', data: { actionId: ID, into: OTHER, reason: 'dup' } };
    givenStreams([duplicateRecorded], [survivorRecorded, mergedAway])
      .when(merge())
      .thenThrows('ACTION.NOT_MERGEABLE', { details: { actionId: ID, status: 'merged', mergedInto: OTHER } });
  });

  it('refuses actions of different kinds: duplicates agree on what the act was', () => {
    const directive: ActionEvent = { type: 'ActionRecorded', data: { actionId: DUP, content: { ...content, kind: 'agency_directive' }, relations: [] } };
    givenStreams([directive], [survivorRecorded])
      .when(merge())
      .thenThrows('ACTION.MERGE_KIND_MISMATCH', { details: { actionId: DUP, kind: 'agency_directive', into: ID, intoKind: 'executive_order' } });
  });

  it('refuses a merge that would take the survivor past its limit of sources', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ url: `https://example.org/${i}`, publisher: 'Example' }));
    const full: ActionEvent = { type: 'ActionRecorded', data: { actionId: ID, content: { ...content, sources: many }, relations: [] } };
    const other: ActionEvent = {
      type: 'ActionRecorded',
      data: { actionId: DUP, content: { ...content, sources: many.map((s) => ({ ...s, url: `${s.url}/copy` })) }, relations: [] },
    };
    givenStreams([other], [full]).when(merge()).thenThrows('ACTION.INVALID', { errors: [{ path: 'into', message: expect.stringContaining('120 sources') }] });
  });

  it('closes the merged action to every later change', () => {
    const mergedCopy: ActionEvent[] = [recorded, { type: 'ActionMerged', data: { actionId: ID, into: OTHER, reason: 'dup' } }];
    given(mergedCopy).when(correct({ title: 'x' }), NOTHING_MISSING).thenThrows('ACTION.NOT_CORRECTABLE', { details: { actionId: ID, status: 'merged' } });
    given(mergedCopy).when(link('cites', OTHER), NOTHING_MISSING).thenThrows('ACTION.NOT_CORRECTABLE');
    given(mergedCopy).when(retract(), NOTHING_MISSING).thenThrows('ACTION.NOT_PUBLISHED');
    given(mergedCopy)
      .when({ type: 'ApplySourceUpdate', data: { actionId: ID, changes: { title: 'Upstream' }, reason: 'source updated' } }, NOTHING_MISSING)
      .then([]);
  });
});
